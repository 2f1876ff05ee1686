import type { LoadPredictor, NodeSample } from '@mlsched/core';
import {
  AnomalyDetector,
  DEFAULT_ANOMALY_SETTINGS,
  robustZ,
  type AnomalySettings,
} from '../src/anomaly.js';
import { ANOMALOUS_MESSAGE } from '../src/extender.js';
import { testApp, type TestApp } from './app-helpers.js';
import { captureLog, makePod, metricValue, namesArgs } from './helpers.js';

const T0 = 1_700_000_000;
const STEP = 15;
const STALE = 180;
const {
  flagSamples: K,
  clearSamples: M,
  windowSamples: W,
  saturationSamples: N,
} = DEFAULT_ANOMALY_SETTINGS;

/** A node idling around 30 % CPU with a repeating ±2-point wiggle: normal behaviour. */
const NOISE = [0, 0.01, -0.01, 0.02, -0.02];
const normalCpu = (i: number): number => 0.3 + (NOISE[i % NOISE.length] as number);
const normalMem = (i: number): number => 0.4 + (NOISE[(i + 2) % NOISE.length] as number) / 2;

function detector(settings: Partial<AnomalySettings> = {}) {
  const { logger, lines } = captureLog('info');
  const d = new AnomalyDetector({
    settings: { ...DEFAULT_ANOMALY_SETTINGS, ...settings },
    staleSeconds: STALE,
    log: logger,
  });
  let i = 0;
  const feed = (cpu: number, mem = normalMem(i), expectedCpu = NaN, expectedMem = NaN) => {
    d.observe('n1', { t: T0 + i * STEP, cpu, mem, expectedCpu, expectedMem });
    i++;
  };
  const warm = (samples = W) => {
    for (let j = 0; j < samples; j++) feed(normalCpu(i));
  };
  return {
    d,
    lines,
    feed,
    warm,
    now: () => T0 + (i - 1) * STEP,
    flagged: () => d.isAnomalous('n1', T0 + (i - 1) * STEP),
  };
}

describe('robustZ', () => {
  it('scales the distance from the median by 1.4826 × MAD, or by the floor when larger', () => {
    const values = [0.3, 0.31, 0.29, 0.3, 0.32];

    // median 0.30; absolute deviations 0, .01, .01, 0, .02 → MAD 0.01 → scale 0.014826
    expect(robustZ(0.5, values, 0.001)).toBeCloseTo(0.2 / 0.014826, 6);
    expect(robustZ(0.5, values, 0.04)).toBeCloseTo(5, 9);
    expect(robustZ(NaN, values, 0.04)).toBeNaN();
    expect(robustZ(0.5, [], 0.04)).toBeNaN();
  });
});

describe('anomaly detector', () => {
  it('flags a sustained step after exactly K samples, and logs it once', () => {
    const t = detector();
    t.warm(W);

    for (let j = 0; j < K - 1; j++) t.feed(0.8);
    expect(t.flagged()).toBe(false);
    expect(t.d.status('n1')?.deviantRun).toBe(K - 1);

    t.feed(0.8);
    expect(t.flagged()).toBe(true);
    expect(t.d.status('n1')).toMatchObject({ reason: 'deviation', flags: 1, since: t.now() });
    // 0.8 against a 0.3 median, residual scale at the 0.04 floor: z = 0.5 / 0.04.
    expect(t.d.status('n1')?.lastZ.cpu).toBeCloseTo(12.5, 6);
    const flaggedLines = t.lines.filter((l) => l.msg === 'node flagged anomalous');
    expect(flaggedLines).toHaveLength(1);
    expect(flaggedLines[0]).toMatchObject({ node: 'n1', reason: 'deviation', samples: K });
    expect(flaggedLines[0]?.level).toBe(30);
  });

  it('does not flag single outliers, nor runs of K - 1', () => {
    const t = detector();
    t.warm(W);

    for (let j = 0; j < 60; j++) t.feed(j % 5 === 0 ? 0.95 : normalCpu(j));
    for (let burst = 0; burst < 5; burst++) {
      for (let j = 0; j < K - 1; j++) t.feed(0.9);
      t.feed(normalCpu(burst));
    }

    expect(t.flagged()).toBe(false);
    expect(t.d.status('n1')?.flags).toBe(0);
    expect(t.lines.filter((l) => l.msg === 'node flagged anomalous')).toHaveLength(0);
  });

  it('clears after exactly M normal samples, with a log line', () => {
    const t = detector();
    t.warm(W);
    for (let j = 0; j < K + 2; j++) t.feed(0.8);
    expect(t.flagged()).toBe(true);

    for (let j = 0; j < M - 1; j++) t.feed(normalCpu(j));
    expect(t.flagged()).toBe(true);
    expect(t.d.status('n1')?.normalRun).toBe(M - 1);

    t.feed(normalCpu(M));
    expect(t.flagged()).toBe(false);
    expect(t.lines.filter((l) => l.msg === 'node anomaly cleared')).toEqual([
      expect.objectContaining({ node: 'n1', reason: 'deviation', cause: 'back to normal' }),
    ]);
  });

  it('cannot flap: a pattern alternating K deviant and M - 1 normal samples stays flagged', () => {
    const t = detector();
    t.warm(W);

    const states: boolean[] = [];
    for (let round = 0; round < 3; round++) {
      for (let j = 0; j < K; j++) t.feed(0.8);
      states.push(t.flagged());
      for (let j = 0; j < M - 1; j++) t.feed(normalCpu(j));
      states.push(t.flagged());
    }

    expect(states).toEqual([true, true, true, true, true, true]);
    expect(t.d.status('n1')?.flags).toBe(1);
  });

  it('accepts a lasting step as the new normal once it fills half the window', () => {
    const t = detector();
    t.warm(W);

    let flaggedFor = 0;
    for (let j = 0; j < 2 * W; j++) {
      t.feed(0.8 + (NOISE[j % NOISE.length] as number));
      if (t.flagged()) flaggedFor++;
    }

    // Flagged from the K-th step sample until the medians move (W / 2) plus M normal samples.
    expect(flaggedFor).toBe(W / 2 + M - K);
    expect(t.flagged()).toBe(false);
    expect(t.d.status('n1')?.flags).toBe(1);
  });

  it('flags CPU pinned at 0.99 or more after exactly N samples, even on a cold node', () => {
    const t = detector();

    for (let j = 0; j < N - 1; j++) t.feed(0.995);
    expect(t.flagged()).toBe(false);
    t.feed(0.995);
    expect(t.flagged()).toBe(true);
    expect(t.d.status('n1')?.reason).toBe('cpu_saturated');

    for (let j = 0; j < 60 - N; j++) t.feed(0.995);
    let recovered = 0;
    while (t.flagged() && recovered < 100) {
      t.feed(0.5);
      recovered++;
    }
    // The recovery is itself a step: judged normal once half the window holds it (the 21st
    // sample meets a median halfway between the two levels), then M more.
    expect(recovered).toBe(W / 2 + M);
  });

  it('takes a step the forecast foresaw as normal, and flags the same step without one', () => {
    const foreseen = detector();
    const blind = detector();
    for (const t of [foreseen, blind]) t.warm(W);

    for (let j = 0; j < 30; j++) {
      const cpu = 0.8 + (NOISE[j % NOISE.length] as number);
      foreseen.feed(cpu, 0.4, 0.8, 0.4);
      blind.feed(cpu, 0.4);
    }

    expect(foreseen.d.status('n1')?.flags).toBe(0);
    expect(blind.d.status('n1')?.flags).toBe(1);
  });

  it('never flags on NaN: a sample with nothing valid changes nothing', () => {
    const t = detector();
    t.warm(W);
    const before = t.d.status('n1');

    for (let j = 0; j < 50; j++) t.feed(NaN, NaN);

    expect(t.flagged()).toBe(false);
    expect(t.d.status('n1')).toEqual(before);
  });

  it('does not judge a cold node: a step before half the window is filled never flags', () => {
    const t = detector();
    for (let j = 0; j < 10; j++) t.feed(normalCpu(j));

    for (let j = 0; j < 15; j++) t.feed(0.8);

    expect(t.d.status('n1')?.flags).toBe(0);
  });

  it('acts on a flag only while the data is fresh, and resets the node after a gap', () => {
    const t = detector();
    t.warm(W);
    for (let j = 0; j < K; j++) t.feed(0.8);
    const last = t.now();

    expect(t.d.isAnomalous('n1', last + STALE)).toBe(true);
    expect(t.d.isAnomalous('n1', last + STALE + 1)).toBe(false);
    expect(t.d.anomalousNodes(last + STALE + 1)).toEqual([]);

    t.d.observe('n1', {
      t: last + STALE + 60,
      cpu: 0.8,
      mem: 0.4,
      expectedCpu: NaN,
      expectedMem: NaN,
    });
    expect(t.d.status('n1')).toMatchObject({ flagged: false, deviantRun: 0, normalRun: 0 });
    expect(t.lines.find((l) => l.msg === 'node anomaly cleared')).toMatchObject({
      node: 'n1',
      cause: 'data gap',
    });
  });

  it('keeps a restored flag until it has judged the node normal M times', () => {
    const t = detector();
    expect(t.d.restore({ node: 'n1', reason: 'deviation', since: T0 - 60, lastT: T0 - 15 })).toBe(
      true,
    );
    expect(t.d.isAnomalous('n1', T0)).toBe(true);

    // Cold: the first W samples fill the two windows and are not judged, so they cannot clear
    // the flag; the M judged after them do.
    t.warm(W + M - 1);
    expect(t.flagged()).toBe(true);
    t.warm(1);
    expect(t.flagged()).toBe(false);
  });

  it('refuses settings that cannot work', () => {
    const make = (s: Partial<AnomalySettings>) => () =>
      new AnomalyDetector({
        settings: { ...DEFAULT_ANOMALY_SETTINGS, ...s },
        staleSeconds: STALE,
      });

    expect(make({ flagSamples: 1 })).toThrow('flagSamples must be an integer >= 2, got 1');
    expect(make({ flagSamples: 4, windowSamples: 8 })).toThrow(
      'windowSamples must be an integer above 2 × flagSamples, got 8',
    );
  });
});

/**
 * Forecasts 0.8 CPU for any target at or after `stepAt`, else 0.3: a model that knew the step
 * was coming. Memory 0.4.
 */
class ForeseeingPredictor implements LoadPredictor {
  readonly version = '2026-01-02T03-04-05Z-steps1';
  readonly horizonSeconds = 300;
  readonly historySeconds = 300;

  constructor(private readonly stepAt: number) {}

  predict(history: readonly NodeSample[], now: number) {
    if (history.length === 0) return undefined;
    return { cpu: now + this.horizonSeconds >= this.stepAt ? 0.8 : 0.3, mem: 0.4 };
  }

  close(): void {}
}

describe('anomalies in the extender', () => {
  let t: TestApp;
  const info = () => captureLog('info');

  /** n1 and n2 idle alike for W samples, then n1 steps to 80 % CPU for `stepSamples`. */
  function feedStep(app: TestApp, stepSamples: number, cpu = 0.8): void {
    let i = 0;
    const sample = (n1Cpu: number) => {
      const t = T0 + i * STEP;
      app.clock.set(t);
      app.store.ingest('n1', { t, cpu: n1Cpu, mem: normalMem(i) });
      app.store.ingest('n2', { t, cpu: normalCpu(i), mem: normalMem(i) });
      i++;
    };
    for (let j = 0; j < W; j++) sample(normalCpu(j));
    for (let j = 0; j < stepSamples; j++) sample(cpu);
  }

  beforeEach(async () => {
    t = await testApp({ logger: info() });
  });
  afterEach(async () => t.app.close());

  it('rejects a flagged node with a fixed message, and scores it lowest', async () => {
    const off = await testApp({ env: { ANOMALY_DETECTION: 'false' } });
    feedStep(t, K);
    feedStep(off, K);
    const pod = makePod({ cpu: '100m', memory: '128Mi' });

    const filtered = await t.filter(namesArgs(pod, ['n1', 'n2']));
    const scores = await t.prioritize(namesArgs(pod, ['n1', 'n2']));
    const unflagged = await off.prioritize(namesArgs(pod, ['n1', 'n2']));
    await off.app.close();

    expect(filtered.status).toBe(200);
    expect(filtered.body.NodeNames).toEqual(['n2']);
    expect(filtered.body.FailedNodes).toEqual({ n1: ANOMALOUS_MESSAGE });
    expect(ANOMALOUS_MESSAGE).toBe('mlsched: node flagged anomalous (load unlike its forecast)');
    expect(scores.body).toEqual([
      { Host: 'n1', Score: 0 },
      { Host: 'n2', Score: unflagged.body[1]?.Score },
    ]);
    // Without the detector the same node is neither rejected (0.8 is under the hot threshold)
    // nor scored 0: the flag alone made the difference.
    expect(unflagged.body[0]?.Score).toBeGreaterThan(0);
    expect(t.lines).toContainEqual(
      expect.objectContaining({ msg: 'node flagged anomalous', node: 'n1', level: 30 }),
    );
  });

  it('lets DaemonSet pods onto a flagged node', async () => {
    feedStep(t, K);

    const filtered = await t.filter(namesArgs(makePod({ daemonSet: true }), ['n1', 'n2']));

    expect(filtered.body.NodeNames).toEqual(['n1', 'n2']);
    expect(filtered.body.FailedNodes).toEqual({});
  });

  it('exports the flag per node and counts flags, and lists flagged nodes in /readyz', async () => {
    feedStep(t, K);

    const text = await t.metrics();
    const ready = (await t.app.inject({ method: 'GET', url: '/readyz' })).json();

    expect(metricValue(text, 'mlsched_node_anomalous', { node: 'n1' })).toBe(1);
    expect(metricValue(text, 'mlsched_node_anomalous', { node: 'n2' })).toBe(0);
    expect(metricValue(text, 'mlsched_anomalies_total', { node: 'n1' })).toBe(1);
    expect(metricValue(text, 'mlsched_anomalies_total', { node: 'n2' })).toBe(0);
    expect(ready).toMatchObject({ ready: true, anomalousNodes: ['n1'] });
  });

  it('never flags a node whose readings are invalid, however long', async () => {
    for (let i = 0; i < 3 * W; i++) {
      const at = T0 + i * STEP;
      t.clock.set(at);
      t.store.ingest('n1', { t: at, cpu: i < W ? normalCpu(i) : 5, mem: 0.4 });
    }

    expect(t.lines.filter((l) => l.msg === 'node flagged anomalous')).toEqual([]);
    expect(metricValue(await t.metrics(), 'mlsched_node_anomalous', { node: 'n1' })).toBe(0);
  });

  it('stops acting on a flag once the node is stale', async () => {
    feedStep(t, K);
    t.clock.advance(STALE + 1);

    const filtered = await t.filter(namesArgs(makePod(), ['n1']));

    expect(filtered.body.NodeNames).toEqual(['n1']);
    expect(metricValue(await t.metrics(), 'mlsched_node_anomalous', { node: 'n1' })).toBe(0);
  });

  it('compares each sample with the forecast that matured at it', async () => {
    const stepAt = T0 + 60 * STEP;
    const withModel = await testApp({ predictor: new ForeseeingPredictor(stepAt) });
    for (const app of [withModel, t]) {
      for (let i = 0; i < 90; i++) {
        const at = T0 + i * STEP;
        app.clock.set(at);
        const cpu = at >= stepAt ? 0.8 : 0.3;
        app.store.ingest('n1', { t: at, cpu: cpu + (NOISE[i % 5] as number), mem: 0.4 });
      }
    }
    const entry = withModel.store.get('n1');
    const text = await withModel.metrics();
    await withModel.app.close();

    // The forecast for the newest sample was made 300 s before it, after the step was known.
    expect(entry?.expectedT).toBe(T0 + 89 * STEP);
    expect(entry?.expectedCpu).toBe(0.8);
    expect(metricValue(text, 'mlsched_anomalies_total', { node: 'n1' })).toBe(0);
    // Without a model the same step is a surprise.
    expect(t.store.get('n1')?.expectedT).toBeNaN();
    expect(metricValue(await t.metrics(), 'mlsched_anomalies_total', { node: 'n1' })).toBe(1);
  });
});
