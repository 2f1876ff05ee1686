import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  SIX_NODE_CLUSTER,
  buildSyntheticWorkload,
  buildTraceWorkload,
  findTraceFiles,
  loadWorkload,
  readOpenbPods,
  readTraceInputs,
  rescaleCpuUsage,
  type TraceInputs,
  type Workload,
} from '../src/index';

const dataDir =
  process.env.MLSCHED_DATA_DIR ?? resolve(__dirname, '..', '..', '..', '..', 'shared', 'data');
const haveData = findTraceFiles(dataDir).ok;
const withData = haveData ? it : it.skip;
if (!haveData) {
  // Visible in the test output, so a skipped trace test is not mistaken for a passing one.
  console.warn(`trace files not found under ${dataDir}: trace workload tests skipped`);
}

function fingerprint(w: Workload): string[] {
  return w.pods.map(
    (p) => `${p.name}@${p.arrivalSeconds}:${p.cpuMilli}m/${p.memBytes}:${p.usageOffsetSeconds}`,
  );
}

describe('synthetic workload', () => {
  const props = { seed: 11, hours: 3, nodes: SIX_NODE_CLUSTER };

  it('is the same for the same seed and different for another', () => {
    const a = buildSyntheticWorkload(props);
    const b = buildSyntheticWorkload(props);
    const c = buildSyntheticWorkload({ ...props, seed: 12 });

    expect(fingerprint(a)).toEqual(fingerprint(b));
    expect(fingerprint(c)).not.toEqual(fingerprint(a));
  });

  it('fills the horizon with arrivals sized to the requested share of worker CPU', () => {
    const w = buildSyntheticWorkload(props);
    const arrivals = w.pods.map((p) => p.arrivalSeconds);

    expect(w.summary.source).toBe('synthetic');
    expect(w.summary.horizonSeconds).toBe(10_800);
    expect(w.pods.length).toBeGreaterThan(50);
    expect(arrivals).toEqual([...arrivals].sort((x, y) => x - y));
    expect(Math.min(...arrivals)).toBe(0);
    expect(Math.max(...arrivals)).toBeLessThan(10_800);
    expect(w.summary.expectedRequestedShare).toBeCloseTo(0.7, 3);
    // Recompute the share the compression aimed at, independently of the builder.
    const workerMilli = 3 * 16_000;
    const share =
      w.pods.reduce(
        (a, p) => a + p.cpuMilli * Math.min(p.runSeconds, 10_800 - p.arrivalSeconds),
        0,
      ) /
      10_800 /
      workerMilli;
    expect(share).toBeCloseTo(0.7, 2);
  });

  it('mixes over-, close- and under-requesting pods and gives every node a background', () => {
    const w = buildSyntheticWorkload(props);
    const classes = new Set(w.pods.map((p) => p.qos));

    expect([...classes].sort()).toEqual(['close', 'over-requesting', 'under']);
    expect([...w.background.keys()].sort()).toEqual(SIX_NODE_CLUSTER.map((n) => n.name).sort());
    for (const { series } of w.background.values()) {
      expect(Math.min(...series.cpu)).toBeGreaterThanOrEqual(0.05 - 1e-6);
      expect(Math.max(...series.cpu)).toBeLessThanOrEqual(0.15 + 1e-6);
    }
  });

  it('is what loadWorkload falls back to when the data directory holds no traces', async () => {
    const w = await loadWorkload({ ...props, dataDir: '/nonexistent/mlsched-data' });

    expect(w.summary.source).toBe('synthetic');
    expect(w.fallbackReason).toMatch(/^trace files missing: \/nonexistent\/mlsched-data\//);
    expect(fingerprint(w)).toEqual(fingerprint(buildSyntheticWorkload(props)));
  });

  it('rejects settings that cannot work, naming the field', () => {
    expect(() => buildSyntheticWorkload({ ...props, hours: 0 })).toThrow('hours must be in');
    expect(() => buildSyntheticWorkload({ ...props, seed: 1.5 })).toThrow(
      'seed must be an integer',
    );
    expect(() =>
      buildSyntheticWorkload({ ...props, nodes: SIX_NODE_CLUSTER.filter((n) => n.tainted) }),
    ).toThrow('nodes holds no untainted (worker) node');
  });
});

describe('trace workload (OpenB pods, Bitbrains usage, Alibaba 2018 background)', () => {
  const props = { seed: 3, hours: 2, nodes: SIX_NODE_CLUSTER, dataDir };
  // The Bitbrains file is 95 MB: read it once for every test here.
  let inputs: TraceInputs | undefined;
  const traces = async (): Promise<TraceInputs> => (inputs ??= await readTraceInputs(dataDir));

  withData(
    'scales OpenB requests by 1/6 and keeps real running times',
    async () => {
      const w = await buildTraceWorkload({ ...props, inputs: await traces() });
      const raw = await readOpenbPods(
        join(
          dataDir,
          'alibaba-gpu-v2023-openb',
          'openb_pod_list_default_created_before_12500000.csv',
        ),
      );
      const byName = new Map(raw.map((p) => [p.name, p]));

      expect(w.summary.source).toBe('traces');
      expect(w.summary.podsAvailable).toBe(6357);
      expect(w.summary.pendingExcluded).toBe(646);
      expect(w.summary.requestScale.referenceNode).toBe('96 cores / 384 GiB');
      expect(w.summary.requestScale.cpu).toBeCloseTo(1 / 6, 12);
      expect(w.summary.requestScale.mem).toBeCloseTo(1 / 6, 12);
      expect(w.summary.usageSeries).toBeGreaterThanOrEqual(90);
      expect(w.summary.backgroundSeries).toBe(11);
      expect(w.pods.length).toBeGreaterThan(20);
      for (const p of w.pods) {
        const r = byName.get(p.name);
        expect(r?.scheduledTime).toBeDefined();
        expect(p.cpuMilli).toBe(Math.max(1, Math.round(((r?.cpuMilli ?? 0) * 16) / 96)));
        expect(p.memBytes).toBe(Math.round(((r?.memoryMib ?? 0) * 1024 ** 2 * 64) / 384));
        const run = (r?.deletionTime ?? 0) - (r?.scheduledTime ?? 0);
        expect(p.runSeconds).toBe(r?.deletionTime === 12_902_960 ? Infinity : Math.max(1, run));
      }
      // Bitbrains VMs use ~11 % of what they were given; the trace CPU ratios are rescaled so
      // that all VMs together average 0.5 of the request, and the pods drawn from them follow.
      expect(w.summary.cpuUsageScale).toBeGreaterThan(4);
      expect(w.summary.meanCpuUsageRatio).toBeGreaterThan(0.35);
      expect(w.summary.meanCpuUsageRatio).toBeLessThan(0.65);
      for (const p of w.pods) expect(Math.max(...p.usage.cpu)).toBeLessThanOrEqual(2);
      // Background: 5..15 % of each node, from Alibaba 2018 machine utilisation.
      for (const { series } of w.background.values()) {
        expect(Math.min(...series.cpu)).toBeGreaterThanOrEqual(0.05 - 1e-6);
        expect(Math.max(...series.cpu)).toBeLessThanOrEqual(0.15 + 1e-6);
      }
    },
    120_000,
  );

  withData(
    'is the same for the same seed',
    async () => {
      const a = await buildTraceWorkload({ ...props, inputs: await traces() });
      const b = await buildTraceWorkload({ ...props, inputs: await traces() });
      const c = await buildTraceWorkload({ ...props, seed: 4, inputs: await traces() });

      expect(fingerprint(a)).toEqual(fingerprint(b));
      expect(a.summary.windowStart).toBe(b.summary.windowStart);
      expect(fingerprint(c)).not.toEqual(fingerprint(a));
    },
    120_000,
  );

  it('names the missing files when the traces are not there', async () => {
    await expect(buildTraceWorkload({ ...props, dataDir: '/nonexistent' })).rejects.toThrow(
      /^trace files missing under \/nonexistent: \/nonexistent\/alibaba-gpu-v2023-openb/,
    );
    expect(existsSync('/nonexistent')).toBe(false);
  });
});

describe('rescaleCpuUsage', () => {
  const series = (cpu: number[]) => ({
    stepSeconds: 300,
    cpu: Float32Array.from(cpu),
    mem: new Float32Array(cpu.length),
  });

  it('finds the factor whose clipped mean is the target, and applies it in place', () => {
    // 0.1, 0.2, 0.3, 1.0 × f clipped at 2: f = 2.5 gives 0.25, 0.5, 0.75, 2 -> mean 0.875.
    const s = [series([0.1, 0.2]), series([0.3, 1.0])];

    const factor = rescaleCpuUsage(s, 0.875);

    expect(factor).toBeCloseTo(2.5, 6);
    expect(Array.from(s[1]?.cpu ?? [])).toEqual([expect.closeTo(0.75, 5), 2]);
    expect(rescaleCpuUsage([series([0.1])], 0)).toBe(1);
  });

  it('refuses a target it cannot reach or that is not a number', () => {
    expect(() => rescaleCpuUsage([series([0.1])], 2)).toThrow(/meanCpuUsageRatio must be/);
    expect(() => rescaleCpuUsage([series([0.1])], NaN)).toThrow(/got NaN/);
    expect(() => rescaleCpuUsage([series([0, 0])], 0.5)).toThrow(/no CPU use/);
  });
});
