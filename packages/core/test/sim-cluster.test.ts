import {
  type NodeBackground,
  type NodeSpec,
  type RatioSeries,
  type SimPod,
  SimCluster,
  createRng,
  toGrid,
} from '../src/index';

const GiB = 1024 ** 3;

const worker: NodeSpec = {
  name: 'w1',
  role: 'worker',
  internalIP: '10.0.0.1',
  cpuCores: 16,
  memoryBytes: 64 * GiB,
  tainted: false,
};
const worker2: NodeSpec = { ...worker, name: 'w2', internalIP: '10.0.0.2' };

function constant(cpu: number, mem: number, stepSeconds = 60): RatioSeries {
  return { stepSeconds, cpu: Float32Array.of(cpu), mem: Float32Array.of(mem) };
}

// Values are powers of two so Float32 storage and the sums are exact.
const background: NodeBackground = { series: constant(0.125, 0.0625), offsetSeconds: 0 };

function pod(name: string, cpuMilli: number, memGiB: number, usage: RatioSeries): SimPod {
  return {
    name,
    cpuMilli,
    memBytes: memGiB * GiB,
    toleratesControlPlane: false,
    usage,
    usageOffsetSeconds: 0,
    runSeconds: Infinity,
  };
}

function cluster(): SimCluster {
  return new SimCluster({
    nodes: [worker, worker2],
    background: new Map([
      ['w1', background],
      ['w2', background],
    ]),
  });
}

describe('SimCluster', () => {
  it('sums background and pod usage into demand, and lets demand exceed capacity', () => {
    const c = cluster();

    c.bind(pod('over', 4000, 8, constant(0.5, 0.25)), 'w1');
    c.bind(pod('under', 8000, 16, constant(1.75, 0.5)), 'w1');

    // cpu: 0.125×16000 + 0.5×4000 + 1.75×8000 = 2000 + 2000 + 14000 = 18000 of 16000
    // mem: 0.0625×64 + 0.25×8 + 0.5×16 = 4 + 2 + 8 = 14 GiB of 64
    expect(c.demand('w1')).toEqual({ cpu: 1.125, mem: 0.21875 });
    expect(c.demand('w2')).toEqual({ cpu: 0.125, mem: 0.0625 });
    expect(c.sample('w1', 1000)).toEqual({ t: 1000, cpu: 1, mem: 0.21875 });
  });

  it('follows a pod through its usage series from the moment it was bound', () => {
    const c = cluster();
    const series: RatioSeries = {
      stepSeconds: 60,
      cpu: Float32Array.of(0.5, 1),
      mem: Float32Array.of(0.25, 0.5),
    };
    c.bind(pod('p', 16000, 32, series), 'w1');
    c.bind({ ...pod('q', 16000, 32, series), usageOffsetSeconds: 60 }, 'w2');

    const at = [c.demand('w1').cpu];
    const shifted = [c.demand('w2').cpu];
    for (let i = 0; i < 2; i++) {
      c.step();
      at.push(c.demand('w1').cpu);
      shifted.push(c.demand('w2').cpu);
    }

    // 0.125 background + ratio × 16000/16000; the series wraps after two steps.
    expect(at).toEqual([0.625, 1.125, 0.625]);
    expect(shifted).toEqual([1.125, 0.625, 1.125]);
  });

  it('removes pods when their lifetime ends and returns them in end order', () => {
    const c = cluster();
    c.bind({ ...pod('short', 1000, 1, constant(1, 1)), runSeconds: 90 }, 'w1');
    c.bind({ ...pod('shorter', 1000, 1, constant(1, 1)), runSeconds: 61 }, 'w2');
    c.bind(pod('forever', 1000, 1, constant(1, 1)), 'w1');

    const first = c.step();
    const second = c.step();

    expect(c.now).toBe(120);
    expect(first.map((b) => b.pod.name)).toEqual([]);
    expect(second.map((b) => [b.pod.name, b.endsAt])).toEqual([
      ['shorter', 61],
      ['short', 90],
    ]);
    expect(c.requested('w1')).toEqual({ cpuMilli: 1000, memBytes: GiB, pods: 1 });
    expect(c.requested('w2')).toEqual({ cpuMilli: 0, memBytes: 0, pods: 0 });
    expect(c.nodeOf('forever')).toBe('w1');
    expect(c.nodeOf('short')).toBeUndefined();
  });

  it('conserves requests over a long random sequence of binds and removes', () => {
    const c = cluster();
    const rng = createRng(42);
    const live = new Set<string>();
    let serial = 0;

    for (let op = 0; op < 2000; op++) {
      if (live.size > 0 && rng.next() < 0.45) {
        const names = [...live];
        const name = names[rng.int(names.length)] as string;
        c.remove(name);
        live.delete(name);
      } else {
        const p = pod(`p${serial++}`, 1 + rng.int(4000), 0.5, constant(0.5, 0.5));
        c.bind({ ...p, memBytes: 1 + rng.int(8 * GiB) }, rng.next() < 0.5 ? 'w1' : 'w2');
        live.add(p.name);
      }
      for (const node of ['w1', 'w2']) {
        const pods = c.podsOn(node);
        const want = pods.reduce(
          (a, b) => ({ cpu: a.cpu + b.pod.cpuMilli, mem: a.mem + b.pod.memBytes }),
          { cpu: 0, mem: 0 },
        );
        expect(c.requested(node)).toEqual({
          cpuMilli: want.cpu,
          memBytes: want.mem,
          pods: pods.length,
        });
      }
    }
    for (const name of [...live]) c.remove(name);

    expect(c.boundPods).toBe(0);
    expect(c.requested('w1')).toEqual({ cpuMilli: 0, memBytes: 0, pods: 0 });
    expect(c.requested('w2')).toEqual({ cpuMilli: 0, memBytes: 0, pods: 0 });
  });

  it('refuses binds that cannot be right, naming what is wrong', () => {
    const c = cluster();
    const p = pod('p', 1000, 1, constant(1, 1));
    c.bind(p, 'w1');

    expect(() => c.bind(p, 'w2')).toThrow('pod p is already bound to w1');
    expect(() => c.bind(pod('x', 1000, 1, constant(1, 1)), 'nope')).toThrow(
      'node nope is not in the cluster',
    );
    expect(() => c.bind({ ...pod('y', 1, 1, constant(1, 1)), cpuMilli: NaN }, 'w1')).toThrow(
      'pod y needs non-negative cpuMilli and memBytes',
    );
    expect(() => c.remove('ghost')).toThrow('pod ghost is not bound');
    expect(
      () => new SimCluster({ nodes: [worker], background: new Map(), stepSeconds: 60 }),
    ).toThrow('background has no series for node w1');
  });
});

describe('toGrid', () => {
  it('holds the last value across gaps, drops non-finite samples and clips artefacts', () => {
    const samples = [
      { t: 0, cpu: 0.5, mem: 0.5 },
      { t: 300, cpu: 0.25, mem: 1.5 },
      { t: 400, cpu: NaN, mem: 0.1 },
      { t: 900, cpu: 1, mem: 0.75 },
    ];

    const grid = toGrid(samples, { stepSeconds: 300, maxCpu: 2, maxMem: 1 });

    expect(Array.from(grid.series.cpu)).toEqual([0.5, 0.25, 0.25, 1]);
    expect(Array.from(grid.series.mem)).toEqual([0.5, 1, 1, 0.75]);
    expect(grid.clipped).toBe(2);
    expect(grid.held).toBe(1);
  });

  it('refuses input with nothing usable', () => {
    expect(() =>
      toGrid([{ t: 0, cpu: NaN, mem: 1 }], { stepSeconds: 60, maxCpu: 1, maxMem: 1 }),
    ).toThrow('samples holds no finite, non-negative value');
  });
});
