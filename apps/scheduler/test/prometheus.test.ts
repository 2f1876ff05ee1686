/**
 * The refresher against a real Prometheus (test-support) scraping small loopback exporters that
 * expose node-exporter-style series.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPrometheus, type RunningService } from '../../../test-support/services.js';
import { systemClock } from '../src/clock.js';
import { DEFAULT_CPU_QUERY, DEFAULT_FRESHNESS_QUERY, DEFAULT_MEMORY_QUERY } from '../src/config.js';
import { NodeMetricsStore } from '../src/node-metrics.js';
import { PrometheusRefresher, type RefreshOutcome } from '../src/prometheus-refresher.js';
import { NEUTRAL_SCORE } from '../src/scoring.js';
import { testApp } from './app-helpers.js';
import { captureLog, GiB, makePod, metricValue, namesArgs } from './helpers.js';

interface Exporter {
  readonly target: string;
  close(): Promise<void>;
}

/** A loopback HTTP server answering /metrics with the text `body()` returns at scrape time. */
async function startExporter(body: () => string): Promise<Exporter> {
  // Closing also drops Prometheus' keep-alive connection, so the next scrape fails at once, as
  // it does when a node-exporter process dies.
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const started = Date.now() / 1000;

// Two CPUs, each idle 40 % of the time, so utilisation is 1 - 0.4 = 0.6; memory 3 of 8 GiB free.
function nodeExporterText(): string {
  const idle = ((Date.now() / 1000 - started) * 0.4 + 1000).toFixed(3);
  return [
    '# TYPE node_cpu_seconds_total counter',
    `node_cpu_seconds_total{cpu="0",mode="idle"} ${idle}`,
    `node_cpu_seconds_total{cpu="1",mode="idle"} ${idle}`,
    '# TYPE node_memory_MemAvailable_bytes gauge',
    `node_memory_MemAvailable_bytes ${3 * GiB}`,
    '# TYPE node_memory_MemTotal_bytes gauge',
    `node_memory_MemTotal_bytes ${8 * GiB}`,
    '',
  ].join('\n');
}

/** Waits until Prometheus itself answers `query` with `series` series. */
async function waitForSeries(url: string, query: string, series: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await res.json()) as { data?: { result?: unknown[] } };
    if ((body.data?.result?.length ?? 0) >= series) return;
    if (Date.now() > deadline)
      throw new Error(`prometheus never returned ${series} series for ${query}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function until(
  refresher: PrometheusRefresher,
  done: (o: RefreshOutcome) => boolean,
  timeoutMs = 20_000,
): Promise<RefreshOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await refresher.refreshOnce();
    if (done(outcome)) return outcome;
    if (Date.now() > deadline)
      throw new Error(`refresher never got there: ${JSON.stringify(outcome)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('PrometheusRefresher against a real Prometheus', () => {
  let prometheus: RunningService;
  let nodeExporter: Exporter;
  let labelled: Exporter;

  beforeAll(async () => {
    nodeExporter = await startExporter(nodeExporterText);
    labelled = await startExporter(() => 'test_node_utilisation{node="worker-labelled"} 0.25\n');
    prometheus = await startPrometheus({ targets: [nodeExporter.target, labelled.target] });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await nodeExporter?.close();
    await labelled?.close();
  });

  it('maps IP:port and node-name instance labels to nodes (node-exporter)', async () => {
    const store = new NodeMetricsStore({
      clock: systemClock,
      staleSeconds: 180,
      historySeconds: 1800,
    });
    store.registerNode({ name: 'worker-ip', internalIPs: ['127.0.0.1'] });
    // A second copy of each series whose instance label is a node name, as relabelled setups have.
    const renamed = (q: string) =>
      `(${q}) or label_replace(${q}, "instance", "worker-named:9100", "", "")`;
    const refresher = new PrometheusRefresher({
      url: prometheus.url,
      cpuQuery: renamed(DEFAULT_CPU_QUERY),
      memoryQuery: renamed(DEFAULT_MEMORY_QUERY),
      freshnessQuery: renamed(DEFAULT_FRESHNESS_QUERY),
      refreshSeconds: 15,
      store,
    });

    const outcome = await until(
      refresher,
      (o) => o.ok && o.series.cpu >= 2 && o.series.memory >= 2,
    );

    expect(outcome.nodes).toBe(2);
    for (const name of ['worker-ip', 'worker-named']) {
      const entry = store.get(name);
      expect(entry?.cpu.lastValue).toBeCloseTo(0.6, 1);
      expect(entry?.memory.lastValue).toBeCloseTo(0.625, 6);
      expect(store.nodeState(entry, systemClock.now())).toBe('fresh');
    }
    expect(store.get('127.0.0.1')).toBeUndefined();
  });

  it('prefers a `node` label over the instance label', async () => {
    const store = new NodeMetricsStore({
      clock: systemClock,
      staleSeconds: 180,
      historySeconds: 1800,
    });
    store.registerNode({ name: 'worker-ip', internalIPs: ['127.0.0.1'] });
    const refresher = new PrometheusRefresher({
      url: prometheus.url,
      cpuQuery: 'test_node_utilisation',
      memoryQuery: 'test_node_utilisation',
      refreshSeconds: 15,
      store,
    });

    await until(refresher, (o) => o.ok && o.series.cpu === 1);

    expect(store.get('worker-labelled')?.cpu.lastValue).toBe(0.25);
    expect(store.get('worker-ip')?.history).toHaveLength(0);
  });

  it('reports a query Prometheus rejects as a failed refresh, and keeps serving', async () => {
    const store = new NodeMetricsStore({
      clock: systemClock,
      staleSeconds: 180,
      historySeconds: 1800,
    });
    const { logger, lines } = captureLog('warn');
    const refresher = new PrometheusRefresher({
      url: prometheus.url,
      cpuQuery: 'rate(',
      memoryQuery: DEFAULT_MEMORY_QUERY,
      refreshSeconds: 15,
      store,
      log: logger,
    });

    const first = await refresher.refreshOnce();
    await refresher.refreshOnce();

    expect(first.ok).toBe(false);
    expect(first.error).toMatch(/^HTTP 400: .*parse error/);
    expect(refresher.failedRefreshes).toBe(2);
    expect(refresher.failing).toBe(true);
    expect(
      lines.filter((l) => l.msg === 'metrics refresh failed; serving from cached data'),
    ).toHaveLength(1);
  });
});

describe('X03: one metric missing everywhere (real Prometheus)', () => {
  let prometheus: RunningService;
  let exporter: Exporter;

  beforeAll(async () => {
    // Memory for three nodes (a `node` label, as a relabelled or federated setup provides) and no
    // node_cpu_seconds_total at all.
    exporter = await startExporter(() =>
      [
        '# TYPE node_memory_MemAvailable_bytes gauge',
        `node_memory_MemAvailable_bytes{node="n1"} ${6 * GiB}`,
        `node_memory_MemAvailable_bytes{node="n2"} ${4 * GiB}`,
        `node_memory_MemAvailable_bytes{node="n3"} ${0.4 * GiB}`,
        '# TYPE node_memory_MemTotal_bytes gauge',
        `node_memory_MemTotal_bytes{node="n1"} ${8 * GiB}`,
        `node_memory_MemTotal_bytes{node="n2"} ${8 * GiB}`,
        `node_memory_MemTotal_bytes{node="n3"} ${8 * GiB}`,
        '',
      ].join('\n'),
    );
    prometheus = await startPrometheus({ targets: [exporter.target] });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
  });

  it('scores CPU neutrally, filters on memory only, shows the degradation', async () => {
    const log = captureLog('warn');
    const store = new NodeMetricsStore({
      clock: systemClock,
      staleSeconds: 180,
      historySeconds: 1800,
      log: log.logger,
    });
    const refresher = new PrometheusRefresher({
      url: prometheus.url,
      cpuQuery: DEFAULT_CPU_QUERY,
      memoryQuery: DEFAULT_MEMORY_QUERY,
      refreshSeconds: 15,
      store,
      log: log.logger,
    });
    const t = await testApp({
      env: { PROMETHEUS_URL: prometheus.url },
      store,
      refresher,
      logger: log,
    });
    await waitForSeries(prometheus.url, DEFAULT_MEMORY_QUERY, 3);
    const outcome = await refresher.refreshOnce();
    await refresher.refreshOnce();
    const pod = makePod({ cpu: '500m', memory: '256Mi' });

    const filtered = await t.filter(namesArgs(pod, ['n1', 'n2', 'n3']));
    const scored = await t.prioritize(namesArgs(pod, ['n1', 'n2', 'n3']));
    await t.prioritize(namesArgs(pod, ['n1', 'n2', 'n3']));

    expect(outcome).toEqual({ ok: true, nodes: 3, series: { cpu: 0, memory: 3 } });
    expect(store.resourceState(store.get('n1')!.cpu, systemClock.now())).toBe('missing');
    // Memory 0.25 and 0.5 are under the target: CPU unknown caps them at neutral. n3 at 0.95
    // memory is hot: rejected by the filter, and 0.5 * 0.05 / 0.3 = 0.08 -> 1 in prioritize.
    expect(filtered.body.NodeNames).toEqual(['n1', 'n2']);
    expect(filtered.body.FailedNodes).toEqual({
      n3: 'mlsched: predicted memory load above the hot-node threshold',
    });
    expect(scored.body).toEqual([
      { Host: 'n1', Score: NEUTRAL_SCORE },
      { Host: 'n2', Score: NEUTRAL_SCORE },
      { Host: 'n3', Score: 1 },
    ]);

    const metrics = await t.metrics();
    expect(metricValue(metrics, 'mlsched_extender_degraded_total', { reason: 'cpu_missing' })).toBe(
      9,
    );
    expect(
      metricValue(metrics, 'mlsched_extender_degraded_total', { reason: 'memory_missing' }),
    ).toBe(0);
    expect(
      metricValue(metrics, 'mlsched_extender_degraded_active', { reason: 'cpu_missing' }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'mlsched_node_metrics_state', { node: 'n1', state: 'missing' }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'mlsched_node_observed_utilization_ratio', {
        node: 'n2',
        resource: 'memory',
      }),
    ).toBe(0.5);
    expect(metrics).not.toMatch(/NaN/);

    // One warning per condition, however many refreshes and requests saw it.
    const emptyWarnings = log.lines.filter(
      (l) => l.msg === 'metrics query returned no series; scoring this resource neutrally',
    );
    expect(emptyWarnings).toHaveLength(1);
    expect(emptyWarnings[0]).toMatchObject({
      level: 40,
      resource: 'cpu',
      query: DEFAULT_CPU_QUERY,
    });
    const degradedWarnings = log.lines.filter(
      (l) => l.msg === 'scoring without predictions for some nodes',
    );
    expect(degradedWarnings).toHaveLength(1);
    expect(degradedWarnings[0]).toMatchObject({ level: 40, reasons: ['cpu_missing'] });
    const ready = (await t.app.inject({ method: 'GET', url: '/readyz' })).json();
    expect(ready.metricsSource.emptyQueries).toEqual(['cpu']);
  });
});

describe('CPU from young and from dead series (real Prometheus, 1 s scrapes)', () => {
  let prometheus: RunningService;
  let exporter: Exporter;
  let exporterUp = 0;

  // Two CPUs, each idle 90 % of the time since the exporter started: 10 % CPU.
  function lightNode(): string {
    const idle = ((Date.now() / 1000 - exporterUp) * 0.9 + 50).toFixed(3);
    return [
      '# TYPE node_cpu_seconds_total counter',
      `node_cpu_seconds_total{cpu="0",mode="idle"} ${idle}`,
      `node_cpu_seconds_total{cpu="1",mode="idle"} ${idle}`,
      '# TYPE node_memory_MemAvailable_bytes gauge',
      `node_memory_MemAvailable_bytes ${6 * GiB}`,
      '# TYPE node_memory_MemTotal_bytes gauge',
      `node_memory_MemTotal_bytes ${8 * GiB}`,
      '',
    ].join('\n');
  }

  beforeAll(async () => {
    exporterUp = Date.now() / 1000;
    exporter = await startExporter(lightNode);
    // A fresh Prometheus: every series is younger than the [2m] window, as for a node that has
    // just joined or after a Prometheus restart without persistence.
    prometheus = await startPrometheus({ targets: [exporter.target], scrapeIntervalSeconds: 1 });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
  });

  it('reads a new node at 10 % CPU as 0.10 within seconds, then stale soon after its exporter dies', async () => {
    const store = new NodeMetricsStore({ clock: systemClock, staleSeconds: 3, historySeconds: 60 });
    store.registerNode({ name: 'new-node', internalIPs: ['127.0.0.1'] });
    const refresher = new PrometheusRefresher({
      url: prometheus.url,
      cpuQuery: DEFAULT_CPU_QUERY,
      memoryQuery: DEFAULT_MEMORY_QUERY,
      freshnessQuery: DEFAULT_FRESHNESS_QUERY,
      refreshSeconds: 1,
      store,
    });
    const rateQuery = DEFAULT_CPU_QUERY.replace('(irate(', '(rate(');
    expect(rateQuery).not.toBe(DEFAULT_CPU_QUERY);
    // Timed from the node's first scrape (Prometheus hands new targets to scraping up to 5 s
    // after it starts, which says nothing about the query).
    await waitForSeries(prometheus.url, 'node_cpu_seconds_total{mode="idle"}', 2);
    const ready = Date.now();

    await until(refresher, () => Number.isFinite(store.get('new-node')?.cpu.lastValue), 10_000);
    const firstSeconds = (Date.now() - ready) / 1000;
    const firstCpu = store.get('new-node')!.cpu.lastValue;
    const rateRes = await fetch(
      `${prometheus.url}/api/v1/query?query=${encodeURIComponent(rateQuery)}`,
    );
    const rateBody = (await rateRes.json()) as { data: { result: { value: [number, string] }[] } };
    const rateCpu = Number(rateBody.data.result[0]?.value[1]);

    // rate() divides the young series' increase by the whole two minutes: it reads the node as
    // nearly saturated, which the hot filter would reject.
    expect(firstSeconds).toBeLessThan(3);
    expect(Math.abs(firstCpu - 0.1)).toBeLessThan(0.03);
    expect(rateCpu).toBeGreaterThan(0.5);
    expect(store.nodeState(store.get('new-node'), systemClock.now())).toBe('fresh');

    // Act: the exporter dies; the refresher keeps its 1 s loop.
    refresher.start();
    const stoppedAt = Date.now() / 1000;
    await exporter.close();
    let staleAfter = NaN;
    while (Date.now() / 1000 - stoppedAt < 15) {
      await new Promise((r) => setTimeout(r, 100));
      if (store.nodeState(store.get('new-node'), systemClock.now()) !== 'fresh') {
        staleAfter = Date.now() / 1000 - stoppedAt;
        break;
      }
    }
    const irateRes = await fetch(
      `${prometheus.url}/api/v1/query?query=${encodeURIComponent(DEFAULT_CPU_QUERY)}`,
    );
    const irateBody = (await irateRes.json()) as { data: { result: unknown[] } };
    await refresher.stop();

    // METRICS_STALE_SECONDS (3) + one refresh (1) + one failed scrape (1) + polling slack.
    expect(staleAfter).toBeLessThan(3 + 1 + 1 + 1);
    expect(store.nodeState(store.get('new-node'), systemClock.now())).toBe('stale');
    expect(store.get('new-node')!.cpu.lastValidT).toBeLessThanOrEqual(stoppedAt + 1);
    // The irate window still answers from the dead exporter's samples: only the sample time
    // from the freshness query tells the extender that they are old.
    expect(irateBody.data.result).toHaveLength(1);
    expect(refresher.lastOutcome).toMatchObject({ ok: true, nodes: 0, unstamped: 1 });
  });
});
