import {
  type NodeSample,
  type NodeSpec,
  type RatioSeries,
  SIX_NODE_CLUSTER,
  type Workload,
  type WorkloadPod,
  buildSyntheticWorkload,
  createRng,
  kubeDefaultPlacer,
  nodeRequestViews,
  replay,
} from '../src/index';

const GiB = 1024 ** 3;
const constant = (cpu: number, mem: number): RatioSeries => ({
  stepSeconds: 60,
  cpu: Float32Array.of(cpu),
  mem: Float32Array.of(mem),
});

describe('replay with hand-checkable numbers', () => {
  const worker: NodeSpec = {
    name: 'w',
    role: 'worker',
    internalIP: '10.0.0.1',
    cpuCores: 16,
    memoryBytes: 64 * GiB,
    tainted: false,
  };
  const pod = (name: string, arrival: number, run: number, cpuRatio: number): WorkloadPod => ({
    name,
    cpuMilli: 16000,
    memBytes: 16 * GiB,
    toleratesControlPlane: false,
    usage: constant(cpuRatio, 0.5),
    usageOffsetSeconds: 0,
    runSeconds: run,
    arrivalSeconds: arrival,
    qos: 'LS',
  });
  const workload = (pods: WorkloadPod[], horizonSeconds: number): Workload => ({
    pods,
    background: new Map([['w', { series: constant(0.125, 0.0625), offsetSeconds: 0 }]]),
    summary: { horizonSeconds } as Workload['summary'],
  });

  it('counts saturation, minutes above 80 %, the p95 and waiting pods exactly', async () => {
    // 'first' fills the node for two steps; 'second' must wait for it, then runs one step.
    const w = workload([pod('first', 0, 120, 1), pod('second', 30, 200, 0.5)], 300);
    const samples: NodeSample[] = [];

    const result = await replay({
      workload: w,
      nodes: [worker],
      place: kubeDefaultPlacer(createRng(1)),
      epochSeconds: 1000,
      prefillSeconds: 120,
      onSamples: (s) => {
        samples.push(s.get('w') as NodeSample);
      },
    });

    // Steps record at t = 60..300. 'first' (0..120): 0.125 + 1 = 1.125 at 60; removed at 120.
    // 'second' waits at 0 and 60, is placed at 120 with 200 − 90 = 110 s left, so it is
    // there at 180 (0.125 + 0.5) and gone at 240.
    expect(result.stats.steps).toBe(5);
    expect(result.stats.peakCpu).toBe(1.125);
    expect(result.stats.p95Cpu).toBe(1.125);
    expect(result.stats.meanCpu).toBeCloseTo((1.125 + 0.625 + 3 * 0.125) / 5, 12);
    expect(result.stats.nodeMinutesAbove80).toBe(1);
    expect(result.stats.saturatedNodeMinutes).toBe(1);
    expect(result.stats.cpuImbalance).toBe(0);
    expect(result.stats.podsPlaced).toBe(2);
    expect(result.stats.podsPlacedLate).toBe(1);
    expect(result.stats.meanPlacementDelaySeconds).toBe(45);
    expect(result.stats.placementAttempts).toBe(4);
    // Prefill sends t = 880, 940, 1000, then one per step; the node shows at most 100 %.
    expect(samples.map((s) => s.t)).toEqual([880, 940, 1000, 1060, 1120, 1180, 1240, 1300]);
    expect(samples.map((s) => s.cpu)).toEqual([0.125, 0.125, 0.125, 1, 0.125, 0.625, 0.125, 0.125]);
  });

  it('gives up on a pod that waits longer than its running time, and on oversized pods', async () => {
    const huge = { ...pod('huge', 0, 10_000, 1), cpuMilli: 20_000 };
    const w = workload([pod('hog', 0, 600, 0.5), pod('late', 60, 120, 0.5), huge], 600);

    const result = await replay({
      workload: w,
      nodes: [worker],
      place: kubeDefaultPlacer(createRng(1)),
      epochSeconds: 0,
    });

    expect(result.stats.podsArrived).toBe(3);
    expect(result.stats.podsPlaced).toBe(1);
    expect(result.stats.podsNotPlaced).toBe(2);
    expect(result.stats.podsLargerThanAnyWorker).toBe(1);
    expect([...result.placements]).toEqual([['hog', 'w']]);
  });
});

describe('replay of a synthetic workload with the kube-default baseline', () => {
  const workload = buildSyntheticWorkload({ seed: 5, hours: 2, nodes: SIX_NODE_CLUSTER });

  async function run() {
    let overcommitted = 0;
    const result = await replay({
      workload,
      nodes: SIX_NODE_CLUSTER,
      place: kubeDefaultPlacer(createRng(5)),
      epochSeconds: 1_700_000_000,
      onStep: (_now, cluster) => {
        for (const v of nodeRequestViews(cluster)) {
          if (
            v.requestedCpuMilli > v.allocatableCpuMilli ||
            v.requestedMemBytes > v.allocatableMemBytes
          ) {
            overcommitted++;
          }
        }
      },
    });
    return { result, overcommitted };
  }

  it('never over-commits requests, never uses the control plane, and accounts for every pod', async () => {
    const { result, overcommitted } = await run();
    const s = result.stats;

    expect(overcommitted).toBe(0);
    expect(s.podsArrived).toBe(workload.pods.length);
    expect(s.podsPlaced + s.podsNotPlaced).toBe(s.podsArrived);
    expect(new Set(result.placements.values())).toEqual(
      new Set(['worker-1', 'worker-2', 'worker-3']),
    );
    expect(s.steps).toBe(120);
  });

  it('is repeatable: the same seed gives the same placements and figures', async () => {
    const a = await run();
    const b = await run();

    expect([...a.result.placements]).toEqual([...b.result.placements]);
    expect(a.result.stats).toEqual(b.result.stats);
    // Pinned for seed 5 so a change in the simulator's behaviour shows up here.
    expect(a.result.stats.podsArrived).toBe(PINNED.podsArrived);
    expect(a.result.stats.placementsByNode).toEqual(PINNED.placementsByNode);
    expect(a.result.stats.peakCpu).toBeCloseTo(PINNED.peakCpu, 6);
  });
});

const PINNED = {
  podsArrived: 110,
  placementsByNode: { 'worker-1': 29, 'worker-2': 43, 'worker-3': 35 },
  peakCpu: 0.9666839544055983,
};
