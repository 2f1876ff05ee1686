/**
 * The field cases of /work/shared/cases/extender-cases.md, through the HTTP app (`inject()`),
 * with the expected values asserted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../src/clock.js';
import { InflightTracker } from '../src/inflight.js';
import { NodeMetricsStore } from '../src/node-metrics.js';
import { PrometheusRefresher } from '../src/prometheus-refresher.js';
import { NEUTRAL_SCORE } from '../src/scoring.js';
import { ExtenderTelemetry } from '../src/telemetry.js';
import { testApp, type TestApp } from './app-helpers.js';
import {
  captureLog,
  GiB,
  makeNode,
  makePod,
  MeanPredictor,
  metricValue,
  namesArgs,
  nodesArgs,
} from './helpers.js';

const pod = makePod({ cpu: '500m', memory: '512Mi' });

function fresh(t: TestApp, node: string, cpu: number, mem: number, ageSeconds = 0): void {
  t.store.ingest(node, { t: t.clock.now() - ageSeconds, cpu, mem });
}

describe('X01: a node the scheduler did not ask about', () => {
  it('names only nodes from the request, in filter and prioritize', async () => {
    const t = await testApp();
    fresh(t, 'a', 0.3, 0.3);
    fresh(t, 'b', 0.95, 0.3);
    fresh(t, 'c', 0.05, 0.05);

    const filtered = await t.filter(namesArgs(pod, ['a', 'b']));
    const scored = await t.prioritize(namesArgs(pod, ['a', 'b']));

    expect(filtered.status).toBe(200);
    expect(filtered.body.NodeNames).toEqual(['a']);
    expect(Object.keys(filtered.body.FailedNodes)).toEqual(['b']);
    expect(filtered.body.FailedAndUnresolvableNodes).toEqual({});
    expect(filtered.body.Error).toBe('');
    expect(scored.body.map((h) => h.Host)).toEqual(['a', 'b']);
  });
});

describe('X02: many nodes, cold cache', () => {
  let server: Server;
  let hits = 0;
  beforeAll(async () => {
    // Stands in for Prometheus and counts every call; it is down (503) so the cache stays cold.
    server = createServer((_req, res) => {
      hits++;
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', error: 'unavailable' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers 500 nodes from memory, neutral, with no call to the metrics source', async () => {
    const port = (server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}`;
    const t0 = await testApp({ env: { PROMETHEUS_URL: url } });
    const refresher = new PrometheusRefresher({
      url,
      cpuQuery: 'cpu',
      memoryQuery: 'mem',
      refreshSeconds: 3600,
      store: t0.store,
      clock: t0.clock,
    });
    const t = await testApp({
      env: { PROMETHEUS_URL: url },
      refresher,
      store: t0.store,
      clock: t0.clock,
    });
    refresher.start();
    await refresher.refreshOnce();
    const hitsAtStart = hits;
    const names = Array.from({ length: 500 }, (_, i) => `node-${i}`);

    const started = performance.now();
    const filtered = await t.filter(namesArgs(pod, names));
    const scored = await t.prioritize(namesArgs(pod, names));
    const elapsedMs = performance.now() - started;
    await refresher.stop();

    expect(hitsAtStart).toBe(2);
    expect(hits).toBe(hitsAtStart);
    expect(refresher.failedRefreshes).toBe(1);
    expect(filtered.status).toBe(200);
    expect(filtered.body.NodeNames).toEqual(names);
    expect(filtered.body.FailedNodes).toEqual({});
    expect(scored.body).toHaveLength(500);
    expect(scored.body.every((h) => h.Score === NEUTRAL_SCORE)).toBe(true);
    // kube-scheduler's default httpTimeout is 5 s; the answer takes milliseconds.
    expect(elapsedMs).toBeLessThan(1000);

    const metrics = await t.metrics();
    expect(metricValue(metrics, 'mlsched_extender_degraded_total', { reason: 'cpu_missing' })).toBe(
      1000,
    );
    expect(
      metricValue(metrics, 'mlsched_extender_degraded_active', {
        reason: 'metrics_refresh_failed',
      }),
    ).toBe(1);
    const ready = (await t.app.inject({ method: 'GET', url: '/readyz' })).json();
    expect(ready.ready).toBe(true);
    expect(ready.degraded).toContain('metrics_refresh_failed');
  });
});

describe('X04: stale high reading', () => {
  it('neither filters nor scores from a 10-minute-old 95 %; exports staleness', async () => {
    const t = await testApp({ env: { METRICS_STALE_SECONDS: '180' } });
    fresh(t, 'n1', 0.4, 0.4);
    fresh(t, 'n2', 0.95, 0.4, 600);
    fresh(t, 'n3', 0.4, 0.4);
    const names = ['n1', 'n2', 'n3'];

    const filtered = await t.filter(namesArgs(pod, names));
    const scored = await t.prioritize(namesArgs(pod, names));

    expect(filtered.body.NodeNames).toEqual(names);
    expect(filtered.body.FailedNodes).toEqual({});
    // n1/n3: 0.6 + 0.4 * 0.4 / 0.7 = 0.83 -> 8; n2 has no usable data -> neutral.
    expect(scored.body).toEqual([
      { Host: 'n1', Score: 8 },
      { Host: 'n2', Score: NEUTRAL_SCORE },
      { Host: 'n3', Score: 8 },
    ]);
    const metrics = await t.metrics();
    expect(metricValue(metrics, 'mlsched_node_metrics_age_seconds', { node: 'n2' })).toBe(600);
    expect(metricValue(metrics, 'mlsched_node_metrics_state', { node: 'n2', state: 'stale' })).toBe(
      1,
    );
    expect(metricValue(metrics, 'mlsched_node_metrics_state', { node: 'n1', state: 'fresh' })).toBe(
      1,
    );
    expect(metricValue(metrics, 'mlsched_extender_degraded_total', { reason: 'cpu_stale' })).toBe(
      2,
    );
    expect(metricValue(metrics, 'mlsched_extender_degraded_active', { reason: 'cpu_stale' })).toBe(
      1,
    );
  });

  it('does filter the same reading when it is fresh', async () => {
    const t = await testApp();
    fresh(t, 'n2', 0.95, 0.4);
    const filtered = await t.filter(namesArgs(pod, ['n2']));
    expect(filtered.body.NodeNames).toEqual([]);
    expect(filtered.body.FailedNodes).toEqual({
      n2: 'mlsched: predicted CPU load above the hot-node threshold',
    });
  });
});

describe('X05: DaemonSet pod on a hot node', () => {
  const env = { TARGET_UTILIZATION: '0.5', HOT_THRESHOLD: '0.65', REMEDIATION_THRESHOLD: '0.9' };

  it('passes the hot node for a DaemonSet pod, and rejects it for any other pod', async () => {
    const t = await testApp({ env });
    fresh(t, 'n1', 0.9, 0.5);
    const daemon = makePod({ name: 'node-exporter-x7', daemonSet: true, cpu: '100m' });
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
          ],
        },
      },
    };
    const boundDaemon = { ...daemon, spec: { ...(daemon.spec as object), affinity } };

    const forDaemon = await t.filter(namesArgs(boundDaemon, ['n1']));
    const forOther = await t.filter(namesArgs(pod, ['n1']));

    expect(forDaemon.body.NodeNames).toEqual(['n1']);
    expect(forDaemon.body.FailedNodes).toEqual({});
    expect(forOther.body.NodeNames).toEqual([]);
    expect(Object.keys(forOther.body.FailedNodes)).toEqual(['n1']);
  });

  it('filters a pod that only lists a DaemonSet owner without being its controller', async () => {
    const t = await testApp({ env });
    fresh(t, 'n1', 0.9, 0.5);
    const base = makePod({ name: 'web-1', cpu: '100m' });
    const meta = base.metadata as Record<string, unknown>;
    const posing = (ref: Record<string, unknown>) => ({
      ...base,
      metadata: { ...meta, ownerReferences: [{ name: 'ds', uid: 'u1', ...ref }] },
    });

    const notController = await t.filter(
      namesArgs(posing({ apiVersion: 'apps/v1', kind: 'DaemonSet' }), ['n1']),
    );
    const otherGroup = await t.filter(
      namesArgs(posing({ apiVersion: 'example.com/v1', kind: 'DaemonSet', controller: true }), [
        'n1',
      ]),
    );

    expect(notController.body.NodeNames).toEqual([]);
    expect(notController.body.FailedNodes).toEqual({
      n1: 'mlsched: predicted CPU load above the hot-node threshold',
    });
    expect(otherGroup.body.NodeNames).toEqual([]);
  });
});

describe('X08: evict-then-return loop', () => {
  it('refuses a filter threshold above the remediation threshold at start-up', async () => {
    await expect(
      testApp({ env: { HOT_THRESHOLD: '0.95', REMEDIATION_THRESHOLD: '0.65' } }),
    ).rejects.toThrow(/HOT_THRESHOLD \(0\.95\).*REMEDIATION_THRESHOLD \(0\.65\)/s);
  });

  it('with valid settings, does not send a pod moved off a 70 % node straight back', async () => {
    // Remediation moves pods off nodes above 65 %; the filter rejects at the same line.
    const t = await testApp({
      env: { TARGET_UTILIZATION: '0.5', HOT_THRESHOLD: '0.65', REMEDIATION_THRESHOLD: '0.65' },
    });
    fresh(t, 'x', 0.7, 0.4);
    fresh(t, 'y', 0.4, 0.4);
    const moved = makePod({ name: 'web-7c9f-moved', cpu: '500m', memory: '512Mi' });

    const filtered = await t.filter(namesArgs(moved, ['x', 'y']));
    const scored = await t.prioritize(namesArgs(moved, ['x', 'y']));

    expect(filtered.body.NodeNames).toEqual(['y']);
    expect(Object.keys(filtered.body.FailedNodes)).toEqual(['x']);
    const score = Object.fromEntries(scored.body.map((h) => [h.Host, h.Score]));
    expect(score.y).toBeGreaterThan(score.x as number);
  });
});

describe('X06: a pod that moved or went away', () => {
  // 16 cores, 64 GiB; CPU 0.5 and memory 0.3 observed; the pod asks for 2 cores and 1 GiB.
  // Alone: cpu 0.625, mem 0.3156 -> min(0.643, 0.820) - 0.2 * 0.309 = 0.581 -> 6.
  // With 2 more in-flight cores: cpu 0.75 -> 0.417 - 0.2 * 0.434 = 0.330 -> 3.
  const twoCores = makePod({ name: 'next', cpu: '2', memory: '1Gi' });

  async function setup(): Promise<TestApp> {
    const t = await testApp();
    for (const name of ['n1', 'n2']) {
      t.store.registerNode({ name, cpuMillicores: 16000, memoryBytes: 64 * GiB });
      fresh(t, name, 0.5, 0.3);
    }
    t.clock.advance(1);
    return t;
  }
  const scores = async (t: TestApp) =>
    Object.fromEntries(
      (await t.prioritize(namesArgs(twoCores, ['n1', 'n2']))).body.map((h) => [h.Host, h.Score]),
    );

  it('counts a placed pod on n1, and forgets it in one event when deleted', async () => {
    const t = await setup();
    expect(await scores(t)).toEqual({ n1: 6, n2: 6 });

    t.inflight.place({ uid: 'p1', node: 'n1', cpuMillicores: 2000, memoryBytes: GiB });
    expect(await scores(t)).toEqual({ n1: 3, n2: 6 });

    t.inflight.handlePodEvent('delete', makePod({ uid: 'p1', nodeName: 'n1' }) as never);
    expect(await scores(t)).toEqual({ n1: 6, n2: 6 });
    expect(t.inflight.inflight('n1').cpuMillicores).toBe(0);
  });

  it('moves the estimate with the pod to n2, and drops it when binding failed', async () => {
    const t = await setup();
    t.inflight.place({ uid: 'p1', node: 'n1', cpuMillicores: 2000, memoryBytes: GiB });

    t.inflight.handlePodEvent(
      'update',
      makePod({ uid: 'p1', nodeName: 'n2', cpu: '2', memory: '1Gi' }) as never,
    );
    expect(await scores(t)).toEqual({ n1: 6, n2: 3 });

    t.inflight.remove('p1');
    expect(await scores(t)).toEqual({ n1: 6, n2: 6 });
  });

  it('ends the estimate at the node’s next sample, and exports in-flight pods', async () => {
    const t = await setup();
    t.inflight.place({ uid: 'p1', node: 'n1', cpuMillicores: 2000, memoryBytes: GiB });
    expect(metricValue(await t.metrics(), 'mlsched_node_inflight_pods', { node: 'n1' })).toBe(1);

    t.clock.advance(15);
    fresh(t, 'n1', 0.5, 0.3);

    expect(t.inflight.inflight('n1').pods).toBe(0);
    expect(
      metricValue(await t.metrics(), 'mlsched_node_inflight_pods', { node: 'n1' }),
    ).toBeUndefined();
  });

  it('rejects n1 while the in-flight pod would push it over the hot threshold', async () => {
    const t = await setup();
    t.inflight.place({ uid: 'p1', node: 'n1', cpuMillicores: 4000, memoryBytes: GiB });
    expect((await t.filter(namesArgs(twoCores, ['n1', 'n2']))).body.NodeNames).toEqual(['n2']);
    t.inflight.remove('p1');
    expect((await t.filter(namesArgs(twoCores, ['n1', 'n2']))).body.NodeNames).toEqual([
      'n1',
      'n2',
    ]);
  });
});

describe('X10: the two node modes', () => {
  async function setup(): Promise<{ t: TestApp; nodes: Record<string, unknown>[] }> {
    const t = await testApp();
    const nodes = ['n1', 'n2', 'n3'].map((name, i) => makeNode(name, { ip: `10.0.0.${i + 1}` }));
    fresh(t, 'n1', 0.3, 0.3);
    fresh(t, 'n2', 0.97, 0.3);
    fresh(t, 'n3', 0.5, 0.5);
    return { t, nodes };
  }

  it('nodeCacheCapable: true — replies NodeNames only', async () => {
    const { t } = await setup();
    const filtered = await t.filter(namesArgs(pod, ['n1', 'n2', 'n3']));
    const scored = await t.prioritize(namesArgs(pod, ['n1', 'n2', 'n3']));

    expect(filtered.body.NodeNames).toEqual(['n1', 'n3']);
    expect('Nodes' in filtered.body).toBe(false);
    expect(Object.keys(filtered.body.FailedNodes)).toEqual(['n2']);
    expect(scored.body.map((h) => h.Host)).toEqual(['n1', 'n2', 'n3']);
  });

  it('nodeCacheCapable: false — replies Nodes with the original objects, untouched', async () => {
    const { t, nodes } = await setup();
    const filtered = await t.filter(nodesArgs(pod, nodes));
    const scored = await t.prioritize(nodesArgs(pod, nodes));

    expect('NodeNames' in filtered.body).toBe(false);
    expect(filtered.body.Nodes?.items).toEqual([nodes[0], nodes[2]]);
    expect(Object.keys(filtered.body.FailedNodes)).toEqual(['n2']);
    expect(scored.body.map((h) => h.Host)).toEqual(['n1', 'n2', 'n3']);
    // Node objects also teach the store each node's address and size.
    expect(t.store.resolve('10.0.0.2:9100')).toBe('n2');
    expect(t.store.get('n1')?.cpuMillicores).toBe(16000);
  });

  it('Go-encoded empty lists (items: null) and both fields at once', async () => {
    const { t, nodes } = await setup();
    const empty = await t.filter({
      Pod: pod,
      Nodes: { metadata: {}, items: null },
      NodeNames: null,
    });
    expect(empty.status).toBe(200);
    expect(empty.body.Nodes?.items).toEqual([]);

    const both = await t.filter({ Pod: pod, Nodes: { items: nodes }, NodeNames: ['n1', 'n2'] });
    expect(both.body.NodeNames).toEqual(['n1']);
    expect(both.body.Nodes?.items).toEqual([nodes[0]]);
  });
});

describe('X09: scores the scheduler silently drops', () => {
  // A small deterministic generator, so a failure can be replayed.
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }
  const oddNames = [
    '',
    ' ',
    'n1',
    'n1',
    'nœud-ü',
    '节点',
    '🚀',
    'x'.repeat(300),
    'a/b',
    '10.0.0.1:9100',
    '__proto__',
    'constructor',
  ];
  const oddValues = [NaN, Infinity, -1, 0, 0.5, 1.7, 1e308, -0];
  const oddQuantities = [
    'abc',
    '-1',
    '1e400',
    '0',
    '',
    '5',
    '100m',
    '1Ei',
    '0.0000001',
    12,
    null,
    {},
  ];

  it('always answers 200 with one integer 0..10 per distinct requested node', async () => {
    const t = await testApp({ env: { LOG_LEVEL: 'silent' } });
    const random = rng(42);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

    for (let round = 0; round < 300; round++) {
      const node = pick(oddNames);
      t.store.ingest(node, {
        t: t.clock.now() - pick([0, 10, 200, 4000]),
        cpu: pick(oddValues),
        mem: pick(oddValues),
      });
      if (random() < 0.2)
        t.store.registerNode({ name: pick(oddNames), cpuMillicores: pick(oddValues) });
      if (random() < 0.2) {
        t.inflight.place({
          uid: `u${round}`,
          node: pick(oddNames),
          cpuMillicores: pick(oddValues),
          memoryBytes: pick(oddValues),
        });
      }
      const names = Array.from({ length: Math.floor(random() * 8) }, () => pick(oddNames));
      const podBody = {
        metadata:
          random() < 0.5 ? {} : { ownerReferences: random() < 0.5 ? [{ kind: 'DaemonSet' }] : 'x' },
        spec: {
          containers: [
            { resources: { requests: { cpu: pick(oddQuantities), memory: pick(oddQuantities) } } },
          ],
        },
      };
      const body =
        random() < 0.5
          ? namesArgs(podBody, names)
          : nodesArgs(
              podBody,
              names.map((name) => ({
                metadata: { name },
                status: { allocatable: { cpu: pick(oddQuantities) } },
              })),
            );

      const res = await t.app.inject({ method: 'POST', url: '/prioritize', payload: body });

      expect(res.statusCode).toBe(200);
      const list = res.json() as { Host: string; Score: number }[];
      expect(Array.isArray(list)).toBe(true);
      expect(list.map((h) => h.Host)).toEqual([...new Set(names)]);
      for (const h of list) {
        expect(Number.isInteger(h.Score)).toBe(true);
        expect(h.Score).toBeGreaterThanOrEqual(0);
        expect(h.Score).toBeLessThanOrEqual(10);
      }
      expect(res.body).not.toContain('null');
      t.clock.advance(5);
    }
  });
});

describe('X13: garbage in', () => {
  const garbage: [string, string | undefined, string][] = [
    ['an empty body', '', 'request body is empty'],
    ['not JSON', '{"Pod": ', 'request body is not valid JSON'],
    ['JSON null', 'null', 'request body is null'],
    ['an array', '[{"Pod": {}}]', 'request body is an array'],
    ['a string', '"filter"', 'request body is a string'],
    ['no Pod', '{"NodeNames": ["a"]}', 'Pod is missing'],
    [
      'lower-case keys',
      '{"pod": {"metadata": {}}, "nodeNames": ["a"]}',
      "keys are case-sensitive: found 'pod'",
    ],
    [
      'a Pod without metadata',
      '{"Pod": {"spec": {}}, "NodeNames": ["a"]}',
      'Pod.metadata is missing',
    ],
    [
      'a Pod that is a string',
      '{"Pod": "web-0", "NodeNames": ["a"]}',
      'Pod must be an object, got a string',
    ],
    [
      'NodeNames holding non-strings',
      '{"Pod": {"metadata": {}}, "NodeNames": ["a", 7]}',
      'NodeNames[1] must be a string, got a number',
    ],
    [
      'NodeNames as a string',
      '{"Pod": {"metadata": {}}, "NodeNames": "a,b"}',
      'NodeNames must be an array',
    ],
    [
      'Nodes as an array',
      '{"Pod": {"metadata": {}}, "Nodes": []}',
      'Nodes must be a NodeList object',
    ],
    [
      'a Node without a name',
      '{"Pod": {"metadata": {}}, "Nodes": {"items": [{"metadata": {}}]}}',
      'Nodes.items[0].metadata.name must be a string',
    ],
    [
      'prototype poisoning',
      '{"Pod": {"metadata": {}}, "__proto__": {"polluted": true}}',
      'request body is not valid JSON',
    ],
  ];

  it.each(garbage)(
    '%s: 400 naming the problem, from filter and prioritize',
    async (_what, payload, message) => {
      const t = await testApp();
      for (const url of ['/filter', '/prioritize']) {
        const res = await t.app.inject({
          method: 'POST',
          url,
          payload,
          headers: { 'content-type': 'application/json' },
        });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual({ Error: expect.stringContaining(message) });
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('reads a body without a content type as JSON', async () => {
    const t = await testApp();
    const res = await t.app.inject({
      method: 'POST',
      url: '/filter',
      payload: JSON.stringify(namesArgs(pod, ['a'])),
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().NodeNames).toEqual(['a']);
    const bare = await t.app.inject({ method: 'POST', url: '/prioritize' });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().Error).toContain('request body is empty');
  });

  it('collapses duplicated names to one entry each', async () => {
    const t = await testApp();
    const filtered = await t.filter(namesArgs(pod, ['a', 'b', 'a', 'b', 'a']));
    const scored = await t.prioritize(namesArgs(pod, ['a', 'b', 'a']));
    expect(filtered.body.NodeNames).toEqual(['a', 'b']);
    expect(scored.body.map((h) => h.Host)).toEqual(['a', 'b']);
  });

  it('keeps names that look like object internals as plain names', async () => {
    const t = await testApp();
    fresh(t, '__proto__', 0.99, 0.2);
    fresh(t, 'constructor', 0.99, 0.2);
    const filtered = await t.filter(namesArgs(pod, ['__proto__', 'constructor', 'ok']));
    expect(filtered.body.NodeNames).toEqual(['ok']);
    expect(Object.keys(filtered.body.FailedNodes)).toEqual(['__proto__', 'constructor']);
  });

  it('accepts and echoes unicode names', async () => {
    const t = await testApp();
    const names = ['nœud-ü', '节点-1', '🚀'];
    fresh(t, '节点-1', 0.99, 0.2);
    const filtered = await t.filter(namesArgs(pod, names));
    expect(filtered.body.NodeNames).toEqual(['nœud-ü', '🚀']);
    expect(Object.keys(filtered.body.FailedNodes)).toEqual(['节点-1']);
  });

  it('refuses a body over BODY_LIMIT_BYTES with 413 naming the setting', async () => {
    const t = await testApp({ env: { BODY_LIMIT_BYTES: String(1024 * 1024) } });
    const nodes = Array.from({ length: 1500 }, (_, i) => makeNode(`n${i}`));
    const payload = JSON.stringify(nodesArgs(pod, nodes));
    expect(payload.length).toBeGreaterThan(10_000_000);

    for (const url of ['/filter', '/prioritize']) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        payload,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().Error).toBe('request body is larger than BODY_LIMIT_BYTES (1048576 bytes)');
    }
  });

  it('logs what the client got wrong at warn, and an error of its own at error', async () => {
    const capture = captureLog('debug');
    const t = await testApp({ env: { BODY_LIMIT_BYTES: String(64 * 1024) }, logger: capture });
    // A route that fails the way a bug would: not a protocol error, no client status.
    t.app.post('/bug', async () => {
      throw new Error('bug in a handler');
    });
    const send = async (url: string, payload: string) =>
      (
        await t.app.inject({
          method: 'POST',
          url,
          payload,
          headers: { 'content-type': 'application/json' },
        })
      ).statusCode;

    const codes = [
      await send('/filter', '{"Pod": '),
      await send('/prioritize', '{"Pod": {"metadata": {}}, "NodeNames": ["a", 7]}'),
      await send('/filter', JSON.stringify(namesArgs(pod, ['x'.repeat(100_000)]))),
      await send('/bug', '{}'),
    ];
    const logged = capture.lines
      .filter((l) => l.msg === 'request rejected' || l.msg === 'request failed')
      .map((l) => ({ level: l.level, msg: l.msg, verb: l.verb, status: l.status }));

    expect(codes).toEqual([400, 400, 413, 400]);
    expect(logged).toEqual([
      { level: 40, msg: 'request rejected', verb: 'filter', status: 400 },
      { level: 40, msg: 'request rejected', verb: 'prioritize', status: 400 },
      { level: 40, msg: 'request rejected', verb: 'filter', status: 413 },
      { level: 50, msg: 'request failed', verb: undefined, status: 400 },
    ]);
    expect(capture.lines.filter((l) => l.level === 50)).toHaveLength(1);
  });

  it('answers unknown routes with 404 and an Error', async () => {
    const t = await testApp();
    const res = await t.app.inject({ method: 'POST', url: '/bind', payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json().Error).toContain('POST /filter');
  });
});

describe('operations endpoints', () => {
  it('healthz, readyz and metrics answer with the model and degradation state', async () => {
    const t = await testApp();
    fresh(t, 'n1', 0.3, 0.3);

    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    const ready = (await t.app.inject({ method: 'GET', url: '/readyz' })).json();
    const metrics = await t.metrics();

    expect(health.json()).toEqual({ status: 'ok' });
    expect(ready.ready).toBe(true);
    expect(ready.model).toBeNull();
    expect(ready.nodes).toEqual({ fresh: 1, stale: 0, missing: 0, invalid: 0 });
    expect(ready.degraded).toEqual(['no_metrics_source', 'no_model']);
    // No model: no age sample (0 would read as a fresh model) and no info sample.
    expect(metrics).not.toMatch(/^mlsched_model_age_seconds/m);
    expect(metrics).not.toMatch(/^mlsched_model_info/m);
    expect(
      metricValue(metrics, 'mlsched_extender_degraded_active', { reason: 'no_metrics_source' }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'mlsched_node_observed_utilization_ratio', {
        node: 'n1',
        resource: 'cpu',
      }),
    ).toBe(0.3);
  });

  it('exports the model, its age, per-node decisions and prediction errors', async () => {
    const clock = new ManualClock(Date.parse('2026-01-02T04:04:05Z') / 1000);
    const model = new MeanPredictor();
    const t = await testApp({ predictor: model, clock });
    fresh(t, 'n1', 0.3, 0.3);
    fresh(t, 'n2', 0.99, 0.3);

    await t.filter(namesArgs(pod, ['n1', 'n2']));
    await t.prioritize(namesArgs(pod, ['n1', 'n2']));
    t.clock.advance(300);
    fresh(t, 'n1', 0.5, 0.25);
    const metrics = await t.metrics();
    const ready = (await t.app.inject({ method: 'GET', url: '/readyz' })).json();

    expect(ready.model).toEqual({ loaded: true, version: model.version, path: null });
    expect(metricValue(metrics, 'mlsched_model_info', { version: model.version })).toBe(1);
    // Trained 2026-01-02T03:04:05Z, served at 04:04:05 plus 300 s.
    expect(metricValue(metrics, 'mlsched_model_age_seconds')).toBe(3900);
    expect(
      metricValue(metrics, 'mlsched_extender_decisions_total', {
        verb: 'filter',
        node: 'n1',
        decision: 'passed',
      }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'mlsched_extender_decisions_total', {
        verb: 'filter',
        node: 'n2',
        decision: 'rejected',
      }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'mlsched_extender_decisions_total', {
        verb: 'prioritize',
        node: 'n2',
        decision: 'scored',
      }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'mlsched_node_predicted_utilization_ratio', {
        node: 'n1',
        resource: 'cpu',
      }),
    ).toBeCloseTo(0.4, 10);
    // The forecast made from the first sample (0.3) met the actual 0.5 and 0.25.
    expect(
      metricValue(metrics, 'mlsched_prediction_absolute_error_ratio_count', { resource: 'cpu' }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'mlsched_prediction_absolute_error_ratio_sum', { resource: 'cpu' }),
    ).toBeCloseTo(0.2, 10);
    expect(
      metricValue(metrics, 'mlsched_prediction_absolute_error_ratio_sum', { resource: 'memory' }),
    ).toBeCloseTo(0.05, 10);
    expect(
      metricValue(metrics, 'mlsched_extender_requests_total', { verb: 'filter', code: '200' }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'mlsched_extender_request_duration_seconds_count', {
        verb: 'prioritize',
      }),
    ).toBe(1);
  });

  it('exports model age only while a model with a known training time is served', async () => {
    const clock = new ManualClock(Date.parse('2026-01-02T04:04:05Z') / 1000);
    const store = new NodeMetricsStore({ clock, staleSeconds: 180, historySeconds: 1800 });
    const telemetry = new ExtenderTelemetry({
      store,
      inflight: new InflightTracker({ clock }),
      clock,
    });
    const age = async () => metricValue(await telemetry.metrics(), 'mlsched_model_age_seconds');
    const info = async (version: string) =>
      metricValue(await telemetry.metrics(), 'mlsched_model_info', { version });

    const before = await telemetry.metrics();
    telemetry.setModel('2026-01-02T03-04-05Z-ab12cd');
    const served = { age: await age(), info: await info('2026-01-02T03-04-05Z-ab12cd') };
    telemetry.setModel(undefined);
    const after = await telemetry.metrics();
    telemetry.setModel('hand-made');
    const undated = { age: await age(), info: await info('hand-made') };

    expect(before).not.toMatch(/^mlsched_model_(age_seconds|info)/m);
    expect(served).toEqual({ age: 3600, info: 1 });
    expect(after).not.toMatch(/^mlsched_model_(age_seconds|info)/m);
    expect(undated).toEqual({ age: undefined, info: 1 });
  });

  it('answers fail-open, never 500, when deciding throws', async () => {
    const clock = new ManualClock();
    const store = new NodeMetricsStore({ clock, staleSeconds: 180, historySeconds: 1800 });
    store.get = () => {
      throw new Error('corrupted entry');
    };
    const t = await testApp({ store, clock });

    const filtered = await t.filter(namesArgs(pod, ['a', 'b']));
    const scored = await t.prioritize(namesArgs(pod, ['a', 'b']));

    expect(filtered).toEqual({
      status: 200,
      body: { NodeNames: ['a', 'b'], FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: '' },
    });
    expect(scored).toEqual({
      status: 200,
      body: [
        { Host: 'a', Score: 5 },
        { Host: 'b', Score: 5 },
      ],
    });
    expect(
      metricValue(await t.metrics(), 'mlsched_extender_degraded_total', {
        reason: 'internal_error',
      }),
    ).toBe(4);
    expect(t.lines.filter((l) => l.msg === 'deciding failed; answering fail-open')).toHaveLength(2);
  });
});
