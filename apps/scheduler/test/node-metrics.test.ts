import { SIX_NODE_CLUSTER } from '@mlsched/core';
import { ManualClock } from '../src/clock.js';
import { baseUtilisation, instanceHost, NodeMetricsStore } from '../src/node-metrics.js';
import { MeanPredictor } from './helpers.js';

function newStore(clock = new ManualClock(), predictor?: MeanPredictor): NodeMetricsStore {
  return new NodeMetricsStore({ clock, staleSeconds: 180, historySeconds: 1800, predictor });
}

describe('instance labels', () => {
  it.each([
    ['10.0.1.21:9100', '10.0.1.21'],
    ['10.0.1.21', '10.0.1.21'],
    ['worker-1:9100', 'worker-1'],
    ['worker-1', 'worker-1'],
    ['[::1]:9100', '::1'],
    ['[FD00::21]:9100', 'fd00::21'],
    ['fd00::21', 'fd00::21'],
  ])('%p names host %p', (label, host) => {
    expect(instanceHost(label)).toBe(host);
  });

  it('maps InternalIPs (IPv4 and IPv6) to node names, and names to themselves', () => {
    const store = newStore();
    store.registerNode({ name: 'worker-1', internalIPs: ['10.0.1.21', 'FD00::21'] });

    expect(store.resolve('10.0.1.21:9100')).toBe('worker-1');
    expect(store.resolve('[fd00::21]:9100')).toBe('worker-1');
    expect(store.resolve('worker-2:9100')).toBe('worker-2');
    expect(store.resolve('10.9.9.9:9100')).toBe('10.9.9.9');
  });

  it('registers nodes of the cluster model with their address and allocatable', () => {
    const store = newStore();

    store.registerNodeSpecs(SIX_NODE_CLUSTER);

    expect(store.resolve('10.0.1.23:9100')).toBe('worker-3');
    expect(store.get('worker-3')).toMatchObject({
      cpuMillicores: 16000,
      memoryBytes: 64 * 2 ** 30,
    });
    expect(store.get('cp-1')).toMatchObject({ cpuMillicores: 4000, registered: true });
  });

  it('moves samples stored under an IP to the node once its address becomes known', () => {
    const clock = new ManualClock();
    const store = newStore(clock);
    store.ingest(store.resolve('10.0.1.21:9100'), { t: clock.now(), cpu: 0.4, mem: 0.5 });

    store.registerNode({ name: 'worker-1', internalIPs: ['10.0.1.21'] });

    expect(store.get('10.0.1.21')).toBeUndefined();
    expect(store.get('worker-1')?.cpu.lastValue).toBe(0.4);
  });
});

describe('states', () => {
  it('is fresh, stale after METRICS_STALE_SECONDS, missing after the history window', () => {
    const clock = new ManualClock();
    const store = newStore(clock);
    store.ingest('n1', { t: clock.now(), cpu: 0.95, mem: 0.5 });
    const entry = store.get('n1');
    if (!entry) throw new Error('entry expected');

    expect(store.nodeState(entry, clock.now())).toBe('fresh');
    clock.advance(181);
    expect(store.nodeState(entry, clock.now())).toBe('stale');
    expect(baseUtilisation(store, entry, 'cpu', clock.now())).toBeNaN();
    expect(store.ageSeconds(entry, clock.now())).toBe(181);
    clock.advance(1800);
    expect(store.nodeState(entry, clock.now())).toBe('missing');
  });

  it.each([[NaN], [Infinity], [-0.1], [40]])('treats %p as invalid, never as a load', (bad) => {
    const clock = new ManualClock();
    const store = newStore(clock);
    store.ingest('n1', { t: clock.now(), cpu: 0.3, mem: 0.3 });
    clock.advance(15);
    store.ingest('n1', { t: clock.now(), cpu: bad, mem: 0.3 });
    const entry = store.get('n1');
    if (!entry) throw new Error('entry expected');

    expect(store.resourceState(entry.cpu, clock.now())).toBe('invalid');
    expect(store.resourceState(entry.memory, clock.now())).toBe('fresh');
    expect(store.nodeState(entry, clock.now())).toBe('invalid');
    expect(baseUtilisation(store, entry, 'cpu', clock.now())).toBeNaN();
    expect(entry.history[1]?.cpu).toBeNaN();
  });

  it('keeps a resource that is never reported missing while the other is fresh', () => {
    const clock = new ManualClock();
    const store = newStore(clock);
    store.ingest('n1', { t: clock.now(), mem: 0.6 });
    const entry = store.get('n1');
    if (!entry) throw new Error('entry expected');

    expect(store.resourceState(entry.cpu, clock.now())).toBe('missing');
    expect(store.resourceState(entry.memory, clock.now())).toBe('fresh');
    expect(store.nodeState(entry, clock.now())).toBe('missing');
    expect(baseUtilisation(store, entry, 'memory', clock.now())).toBe(0.6);
  });

  it('ignores readings older than the newest one', () => {
    const clock = new ManualClock();
    const store = newStore(clock);
    store.ingest('n1', { t: clock.now(), cpu: 0.3, mem: 0.3 });
    store.ingest('n1', { t: clock.now() - 30, cpu: 0.9, mem: 0.9 });
    expect(store.get('n1')?.cpu.lastValue).toBe(0.3);
  });
});

describe('forecasts', () => {
  it('are computed on ingest, not when read', () => {
    const clock = new ManualClock();
    const model = new MeanPredictor();
    const store = newStore(clock, model);
    store.ingest('n1', { t: clock.now(), cpu: 0.2, mem: 0.4 });
    clock.advance(15);
    store.ingest('n1', { t: clock.now(), cpu: 0.4, mem: 0.6 });
    const entry = store.get('n1');
    if (!entry) throw new Error('entry expected');
    const calls = model.calls;

    for (let i = 0; i < 100; i++) baseUtilisation(store, entry, 'cpu', clock.now());

    expect(model.calls).toBe(calls);
    expect(calls).toBe(2);
    expect(entry.forecastStatus).toBe('ok');
    expect(baseUtilisation(store, entry, 'cpu', clock.now())).toBeCloseTo(0.3, 10);
    expect(baseUtilisation(store, entry, 'memory', clock.now())).toBeCloseTo(0.5, 10);
  });

  it('give the model only the history it reads, finite and oldest first', () => {
    const clock = new ManualClock();
    const seen: number[][] = [];
    const model = new MeanPredictor();
    const predict = model.predict.bind(model);
    model.predict = (history, now) => {
      seen.push(history.map((s) => s.t));
      return predict(history, now);
    };
    const store = newStore(clock, model);
    const t0 = clock.now();
    for (let i = 0; i < 80; i++) {
      store.ingest('n1', { t: clock.now(), cpu: i === 79 ? NaN : 0.5, mem: 0.5 });
      clock.advance(15);
    }

    // The last reading had an invalid CPU: the model is not asked, the node is degraded.
    expect(store.get('n1')?.forecastStatus).toBe('incomplete');
    const last = seen[seen.length - 1] as number[];
    expect(last[0]).toBeGreaterThanOrEqual(t0 + 78 * 15 - 900);
    expect(last).toEqual([...last].sort((a, b) => a - b));
  });

  it('fall back to the newest observation without a model, and report why', () => {
    const clock = new ManualClock();
    const store = newStore(clock);
    store.ingest('n1', { t: clock.now(), cpu: 0.45, mem: 0.5 });
    const entry = store.get('n1');
    if (!entry) throw new Error('entry expected');

    expect(entry.forecastStatus).toBe('no_model');
    expect(baseUtilisation(store, entry, 'cpu', clock.now())).toBe(0.45);

    store.setPredictor(new MeanPredictor(0.1));
    expect(entry.forecastStatus).toBe('ok');
    expect(baseUtilisation(store, entry, 'cpu', clock.now())).toBeCloseTo(0.55, 10);
  });

  it('treat a model that throws or returns NaN as no forecast', () => {
    const clock = new ManualClock();
    const store = newStore(clock);
    const broken = new MeanPredictor();
    broken.predict = () => ({ cpu: NaN, mem: 0.5 });
    store.setPredictor(broken);
    store.ingest('n1', { t: clock.now(), cpu: 0.45, mem: 0.5 });
    expect(store.get('n1')?.forecastStatus).toBe('no_forecast');

    broken.predict = () => {
      throw new Error('wasm trap');
    };
    clock.advance(15);
    store.ingest('n1', { t: clock.now(), cpu: 0.45, mem: 0.5 });
    expect(store.get('n1')?.forecastStatus).toBe('no_forecast');
    expect(baseUtilisation(store, store.get('n1') as never, 'cpu', clock.now())).toBe(0.45);
  });

  it('report |forecast - actual| once a sample reaches the forecast target time', () => {
    const clock = new ManualClock();
    const store = newStore(clock, new MeanPredictor());
    const errors: [string, number][] = [];
    store.onPredictionError((resource, error) => errors.push([resource, error]));

    store.ingest('n1', { t: clock.now(), cpu: 0.4, mem: 0.5 });
    clock.advance(150);
    store.ingest('n1', { t: clock.now(), cpu: 0.4, mem: 0.5 });
    expect(errors).toHaveLength(0);
    clock.advance(150);
    store.ingest('n1', { t: clock.now(), cpu: 0.7, mem: 0.45 });

    expect(errors.map(([r]) => r)).toEqual(['cpu', 'memory']);
    expect(errors[0]?.[1]).toBeCloseTo(0.3, 10);
    expect(errors[1]?.[1]).toBeCloseTo(0.05, 10);
  });
});

describe('bounds', () => {
  it('keeps only the history window and at most maxSamplesPerNode samples', () => {
    const clock = new ManualClock();
    const store = new NodeMetricsStore({
      clock,
      staleSeconds: 60,
      historySeconds: 300,
      maxSamplesPerNode: 10,
    });
    for (let i = 0; i < 100; i++) {
      store.ingest('n1', { t: clock.now(), cpu: 0.1, mem: 0.1 });
      clock.advance(1);
    }
    expect(store.get('n1')?.history).toHaveLength(10);

    clock.advance(400);
    store.ingest('n1', { t: clock.now(), cpu: 0.1, mem: 0.1 });
    expect(store.get('n1')?.history).toHaveLength(1);
  });

  it('prunes label-only nodes whose data left the window, but keeps registered nodes', () => {
    const clock = new ManualClock();
    const store = newStore(clock);
    store.registerNode({ name: 'worker-1', cpuMillicores: 16000 });
    store.ingest('worker-1', { t: clock.now(), cpu: 0.1, mem: 0.1 });
    store.ingest('10.9.9.9', { t: clock.now(), cpu: 0.1, mem: 0.1 });

    clock.advance(1801);
    store.prune(clock.now());

    expect(store.get('10.9.9.9')).toBeUndefined();
    expect(store.get('worker-1')?.cpuMillicores).toBe(16000);
  });

  it('stops adding nodes at maxNodes', () => {
    const store = new NodeMetricsStore({ staleSeconds: 60, historySeconds: 300, maxNodes: 3 });
    for (let i = 0; i < 10; i++) store.ingest(`n${i}`, { t: 1, cpu: 0.1, mem: 0.1 });
    expect(store.size).toBe(3);
  });
});
