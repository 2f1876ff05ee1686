import {
  type NodeRequestView,
  type PodRequests,
  balancedAllocationScore,
  combineScores,
  createRng,
  kubeDefaultFilter,
  kubeDefaultScores,
  leastAllocatedScore,
  leastRequestedScore,
  selectHost,
} from '../src/index';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function node(name: string, cpuMilli: number, memBytes: number, extra = {}): NodeRequestView {
  return {
    name,
    allocatableCpuMilli: 16000,
    allocatableMemBytes: 64 * GiB,
    requestedCpuMilli: cpuMilli,
    requestedMemBytes: memBytes,
    nonZeroRequestedCpuMilli: cpuMilli,
    nonZeroRequestedMemBytes: memBytes,
    pods: 0,
    maxPods: 110,
    tainted: false,
    ...extra,
  };
}

const onePod: PodRequests = {
  name: 'p',
  cpuMilli: 1000,
  memBytes: GiB,
  toleratesControlPlane: false,
};

describe('kube-default scoring, hand-computed from kube-scheduler formulas', () => {
  it('scores an empty 16-core / 64 GiB node for a 1-CPU / 1 GiB pod', () => {
    const empty = node('empty', 0, 0);

    // LeastAllocated: cpu (16000-1000)*100/16000 = 93.75 → 93; mem 63/64*100 = 98.4 → 98;
    // (93 + 98) / 2 = 95.5 → 95.
    expect(leastAllocatedScore(onePod, empty)).toBe(95);
    // Balanced: fractions 1/16 and 1/64, std = |0.0625 - 0.015625| / 2 = 0.0234375,
    // (1 - std) * 100 = 97.65625 → 97.
    expect(balancedAllocationScore(onePod, empty)).toBe(97);
  });

  it('scores a node whose pods request 90 % of its CPU and 8 GiB', () => {
    const busy = node('busy', 14400, 8 * GiB);

    // LeastAllocated: cpu 600*100/16000 = 3.75 → 3; mem 55/64*100 = 85.9 → 85; 88/2 = 44.
    expect(leastAllocatedScore(onePod, busy)).toBe(44);
    // Balanced: 15400/16000 = 0.9625, 9/64 = 0.140625, std = 0.4109375 → 58.90625 → 58.
    expect(balancedAllocationScore(onePod, busy)).toBe(58);
    expect(kubeDefaultScores(onePod, [busy]).get('busy')).toEqual({
      leastAllocated: 44,
      balancedAllocation: 58,
      total: 102,
    });
  });

  it('counts 100 m / 200 MiB for zero requests in LeastAllocated but not in Balanced', () => {
    const zero: PodRequests = { ...onePod, cpuMilli: 0, memBytes: 0 };

    // cpu (16000-100)*100/16000 = 99.375 → 99; mem (65536-200)/65536*100 = 99.69 → 99.
    expect(leastAllocatedScore(zero, node('n', 0, 0))).toBe(99);
    expect(balancedAllocationScore(zero, node('n', 0, 0))).toBe(100);
    expect(leastAllocatedScore(zero, { ...node('n', 0, 0), allocatableMemBytes: 400 * MiB })).toBe(
      74, // cpu 99, mem (400-200)*100/400 = 50 → (99 + 50) / 2 = 74.5 → 74
    );
  });

  it('gives 0 to an over-requested resource and caps Balanced fractions at 1', () => {
    const big: PodRequests = { ...onePod, cpuMilli: 20000, memBytes: 32 * GiB };

    expect(leastRequestedScore(20000, 16000)).toBe(0);
    expect(leastRequestedScore(5, 0)).toBe(0);
    // cpu 0, mem 32/64 → 50; (0 + 50) / 2 = 25.
    expect(leastAllocatedScore(big, node('n', 0, 0))).toBe(25);
    // fractions min(1.25, 1) = 1 and 0.5 → std 0.25 → 75.
    expect(balancedAllocationScore(big, node('n', 0, 0))).toBe(75);
  });
});

describe('kube-default filter', () => {
  it('rejects the tainted control plane, full nodes and nodes at maxPods, with reasons', () => {
    const nodes = [
      node('cp', 0, 0, { tainted: true, allocatableCpuMilli: 4000 }),
      node('cpu-full', 15001, 0),
      node('mem-full', 0, 63.5 * GiB),
      node('exact', 15000, 63 * GiB),
      node('pods-full', 0, 0, { pods: 110 }),
    ];

    const result = kubeDefaultFilter(onePod, nodes);

    expect(result.feasible).toEqual(['exact']);
    expect(Object.fromEntries(result.failed)).toEqual({
      cp: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'],
      'cpu-full': ['Insufficient cpu'],
      'mem-full': ['Insufficient memory'],
      'pods-full': ['Too many pods'],
    });
  });

  it('lets a pod that tolerates the taint onto the control plane', () => {
    const cp = node('cp', 0, 0, { tainted: true });

    expect(kubeDefaultFilter({ ...onePod, toleratesControlPlane: true }, [cp]).feasible).toEqual([
      'cp',
    ]);
  });
});

describe('combineScores and selectHost', () => {
  it('adds extender score × 10 × weight to the in-tree sum, as prioritizeNodes does', () => {
    const inTree = new Map([
      ['a', 100],
      ['b', 250],
    ]);
    const extender = new Map([
      ['a', 10],
      ['b', 0],
      ['not-feasible', 10],
    ]);

    expect(Object.fromEntries(combineScores({ inTree, extender, extenderWeight: 1 }))).toEqual({
      a: 200,
      b: 250,
    });
    expect(Object.fromEntries(combineScores({ inTree, extender, extenderWeight: 3 }))).toEqual({
      a: 400,
      b: 250,
    });
    expect(Object.fromEntries(combineScores({ inTree, extenderWeight: 3 }))).toEqual({
      a: 100,
      b: 250,
    });
  });

  it('refuses weights and scores kube-scheduler would not accept', () => {
    const inTree = new Map([['a', 1]]);

    expect(() => combineScores({ inTree, extenderWeight: 0 })).toThrow(
      'extenderWeight must be a positive integer',
    );
    expect(() =>
      combineScores({ inTree, extender: new Map([['a', 2.5]]), extenderWeight: 1 }),
    ).toThrow('extender score of a must be an integer, got 2.5');
  });

  it('picks the top node and breaks ties evenly with the seeded generator', () => {
    const rng = createRng(9);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };

    for (let i = 0; i < 3000; i++) {
      const host = selectHost(
        new Map([
          ['a', 5],
          ['b', 5],
          ['c', 4],
        ]),
        rng,
      ) as string;
      counts[host] = (counts[host] ?? 0) + 1;
    }

    expect(counts.c).toBe(0);
    expect(counts.a).toBeGreaterThan(1350);
    expect(counts.b).toBeGreaterThan(1350);
    expect(selectHost(new Map(), rng)).toBeUndefined();
  });
});
