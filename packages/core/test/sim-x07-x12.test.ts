/**
 * Field cases X07 and X12 (/work/shared/cases/extender-cases.md): how much say the extender gets
 * once kube-scheduler adds its score to the in-tree plugins' scores.
 */
import {
  MAX_EXTENDER_PRIORITY,
  MAX_NODE_SCORE,
  type NodeRequestView,
  type PodRequests,
  RECOMMENDED_EXTENDER_WEIGHT,
  combineScores,
  createRng,
  kubeDefaultFilter,
  kubeDefaultScores,
  selectHost,
} from '../src/index';

const GiB = 1024 ** 3;

/** The smallest extender weight at which the extender's preferred node wins outright. */
function overturningWeight(inTree: Map<string, number>, extender: Map<string, number>): number {
  for (let weight = 1; weight <= 100; weight++) {
    const total = combineScores({ inTree, extender, extenderWeight: weight });
    if ((total.get('A') as number) > (total.get('B') as number)) return weight;
  }
  throw new Error('no weight up to 100 overturns the gap');
}

describe('X07 — the extender weight decides whether the extender decides anything', () => {
  // Any in-tree base works; only the 150-point gap matters.
  const inTree = new Map([
    ['A', 40],
    ['B', 190],
  ]);
  const extender = new Map([
    ['A', MAX_EXTENDER_PRIORITY],
    ['B', 0],
  ]);

  it('at weight 1 the extender loses: 10 × 10 × 1 = 100 points cannot close a 150 gap', () => {
    const total = combineScores({ inTree, extender, extenderWeight: 1 });

    expect(Object.fromEntries(total)).toEqual({ A: 140, B: 190 });
  });

  it('the recommended weight is the smallest that overturns the 150-point gap', () => {
    const total = combineScores({ inTree, extender, extenderWeight: RECOMMENDED_EXTENDER_WEIGHT });

    expect(overturningWeight(inTree, extender)).toBe(2);
    expect(RECOMMENDED_EXTENDER_WEIGHT).toBe(2);
    expect(Object.fromEntries(total)).toEqual({ A: 240, B: 190 });
    expect(selectHost(total, createRng(1))).toBe('A');
  });

  it('at the recommended weight the extender spans exactly the in-tree resource range', () => {
    const extenderSpan = MAX_EXTENDER_PRIORITY * (MAX_NODE_SCORE / MAX_EXTENDER_PRIORITY);
    const inTreeSpan = 2 * MAX_NODE_SCORE; // LeastAllocated + BalancedAllocation, weight 1 each

    expect(extenderSpan * RECOMMENDED_EXTENDER_WEIGHT).toBe(inTreeSpan);
    // A maximal in-tree gap is tied, never beaten: requests still count.
    const maxGap = combineScores({
      inTree: new Map([
        ['A', 0],
        ['B', inTreeSpan],
      ]),
      extender,
      extenderWeight: RECOMMENDED_EXTENDER_WEIGHT,
    });
    expect(maxGap.get('A')).toBe(maxGap.get('B'));
  });
});

describe('X12 — in-tree resource scoring still keeps pods off a node full by requests', () => {
  const node = (name: string, cpuMilli: number, memBytes: number): NodeRequestView => ({
    name,
    allocatableCpuMilli: 16000,
    allocatableMemBytes: 64 * GiB,
    requestedCpuMilli: cpuMilli,
    requestedMemBytes: memBytes,
    nonZeroRequestedCpuMilli: cpuMilli,
    nonZeroRequestedMemBytes: memBytes,
    pods: cpuMilli === 0 ? 0 : 6,
    maxPods: 110,
    tainted: false,
  });
  // busy: pods request 90 % of the CPU (14.4 of 16 cores) and 8 GiB.
  const nodes = [node('busy', 14400, 8 * GiB), node('idle-1', 0, 0), node('idle-2', 0, 0)];
  const pod: PodRequests = {
    name: 'p',
    cpuMilli: 1000,
    memBytes: GiB,
    toleratesControlPlane: false,
  };

  /** kube-scheduler's choice with the extender passing all three nodes and scoring them so. */
  function choose(extenderScores: Record<string, number>, seed: number): string {
    const { feasible } = kubeDefaultFilter(pod, nodes);
    const extenderPassed = feasible; // the extender's filter keeps every node
    const inTree = kubeDefaultScores(
      pod,
      nodes.filter((n) => extenderPassed.includes(n.name)),
    );
    const total = combineScores({
      inTree: new Map([...inTree].map(([n, s]) => [n, s.total])),
      extender: new Map(Object.entries(extenderScores)),
      extenderWeight: RECOMMENDED_EXTENDER_WEIGHT,
    });
    return selectHost(total, createRng(seed)) as string;
  }

  it('the busy node passes every filter, so only scoring keeps the pod off it', () => {
    expect(kubeDefaultFilter(pod, nodes).feasible).toEqual(['busy', 'idle-1', 'idle-2']);
    // In-tree: busy 44 + 58 = 102, idle 95 + 97 = 192: a 90-point gap.
    expect(
      Object.fromEntries([...kubeDefaultScores(pod, nodes)].map(([n, s]) => [n, s.total])),
    ).toEqual({ busy: 102, 'idle-1': 192, 'idle-2': 192 });
  });

  it('does not land on the busy node when the extender scores all nodes alike', () => {
    for (let seed = 0; seed < 50; seed++) {
      expect(choose({ busy: 5, 'idle-1': 5, 'idle-2': 5 }, seed)).not.toBe('busy');
    }
  });

  it('does not land on the busy node when the extender sees it as the loaded one', () => {
    for (let seed = 0; seed < 50; seed++) {
      expect(choose({ busy: 1, 'idle-1': 9, 'idle-2': 8 }, seed)).not.toBe('busy');
    }
  });

  it('resists an extender preferring the busy node by up to 4 points', () => {
    // 4 × 10 × 2 = 80 < 90: the request gap holds.
    for (let lead = 0; lead <= 4; lead++) {
      expect(choose({ busy: 5 + lead, 'idle-1': 5, 'idle-2': 5 }, 3)).not.toBe('busy');
    }
    // 5 × 10 × 2 = 100 > 90: a strong real-load signal (its pods use far less than they
    // request) is allowed to win. This is the trade the recommended weight makes.
    expect(choose({ busy: 10, 'idle-1': 5, 'idle-2': 5 }, 3)).toBe('busy');
  });
});
