/**
 * Nodes learnt from Node objects in requests: anyone can name a node in a request, so such
 * names must expire, must not hold alerts, and must not crowd out nodes with data.
 */
import { ManualClock } from '../src/clock.js';
import { NodeMetricsStore } from '../src/node-metrics.js';
import { MAX_NODE_LABEL_LENGTH } from '../src/telemetry.js';
import { testApp } from './app-helpers.js';
import { makeNode, makePod, metricValue, nodesArgs } from './helpers.js';

const HISTORY = 1800;

describe('nodes learnt from requests', () => {
  it('a node named once in a request stops holding degraded_active and is then forgotten', async () => {
    const t = await testApp();
    t.clock.set(10_000);
    t.store.ingest('real', { t: 10_000, cpu: 0.3, mem: 0.4 });
    const pod = makePod();

    await t.filter(nodesArgs(pod, [makeNode('ghost', { ip: '10.9.9.9', images: 0 })]));
    const during = await t.metrics();
    t.clock.set(10_000 + 301);
    t.store.ingest('real', { t: 10_301, cpu: 0.3, mem: 0.4 });
    const after = await t.metrics();
    t.clock.set(10_000 + HISTORY + 61);
    t.store.ingest('real', { t: t.clock.now(), cpu: 0.3, mem: 0.4 });
    await t.filter(nodesArgs(pod, [makeNode('real', { ip: '10.0.0.2', images: 0 })]));

    const active = { reason: 'cpu_missing' };
    expect(metricValue(during, 'mlsched_extender_degraded_active', active)).toBe(1);
    expect(metricValue(after, 'mlsched_extender_degraded_active', active)).toBe(0);
    expect(t.store.get('ghost')).toBeUndefined();
    expect(t.store.resolve('10.9.9.9')).toBe('10.9.9.9');
    expect(t.store.get('real')?.cpu.lastValue).toBe(0.3);
  });

  it('request-only names never evict nodes with metrics, and do not block new real nodes', async () => {
    const clock = new ManualClock(20_000);
    const store = new NodeMetricsStore({
      clock,
      staleSeconds: 180,
      historySeconds: HISTORY,
      maxNodes: 50,
    });
    const t = await testApp({ clock, store });
    for (let i = 0; i < 10; i++) store.ingest(`worker-${i}`, { t: 20_000, cpu: 0.2, mem: 0.3 });
    const pod = makePod();

    for (let batch = 0; batch < 10; batch++) {
      const junk = Array.from({ length: 20 }, (_, i) =>
        makeNode(`junk-${batch}-${i}`, { ip: `10.1.${batch}.${i}`, images: 0 }),
      );
      await t.filter(nodesArgs(pod, junk));
    }
    store.ingest('worker-new', { t: 20_000, cpu: 0.25, mem: 0.35 });
    store.registerNode({ name: 'worker-watched', internalIPs: ['10.2.0.1'] });

    expect(store.size).toBe(50);
    for (let i = 0; i < 10; i++) expect(store.get(`worker-${i}`)?.cpu.lastValue).toBe(0.2);
    expect(store.get('worker-new')?.cpu.lastValue).toBe(0.25);
    expect(store.get('worker-watched')?.registered).toBe(true);
    // The most recently requested names are the ones kept.
    expect(store.get('junk-9-19')).toBeDefined();
    expect(store.get('junk-0-0')).toBeUndefined();
  });

  it('cuts node label values to 253 characters', async () => {
    const t = await testApp();
    const long = 'n'.repeat(2_500);

    await t.filter(nodesArgs(makePod(), [makeNode(long, { ip: '10.3.0.1', images: 0 })]));
    const text = await t.metrics();

    const labels = [...text.matchAll(/node="([^"]*)"/g)].map((m) => m[1] as string);
    expect(labels.length).toBeGreaterThan(0);
    expect(Math.max(...labels.map((l) => l.length))).toBe(MAX_NODE_LABEL_LENGTH);
    expect(text.length).toBeLessThan(60_000);
    expect(
      metricValue(text, 'mlsched_extender_decisions_total', {
        node: 'n'.repeat(253),
        decision: 'passed',
      }),
    ).toBe(1);
  });
});

describe('Node objects without addresses', () => {
  it('keep the InternalIP the node was known by, so its metrics still map to it', async () => {
    const t = await testApp();
    t.clock.set(30_000);
    const pod = makePod();
    const withIp = makeNode('worker-a', { ip: '127.0.0.5', images: 0 });
    const bare = makeNode('worker-a', { images: 0 }) as {
      metadata: { resourceVersion: string };
      status: { addresses?: unknown };
    };
    bare.metadata.resourceVersion = '12346';
    delete bare.status.addresses;

    await t.filter(nodesArgs(pod, [withIp]));
    await t.filter(nodesArgs(pod, [bare]));
    const node = t.store.resolve('127.0.0.5:9100');
    t.store.ingest(node, { t: 30_000, cpu: 0.42, mem: 0.5 });

    expect(node).toBe('worker-a');
    expect(t.store.get('worker-a')?.internalIPs).toEqual(['127.0.0.5']);
    expect(t.store.get('worker-a')?.cpu.lastValue).toBe(0.42);
    expect(t.store.get('127.0.0.5')).toBeUndefined();
  });
});
