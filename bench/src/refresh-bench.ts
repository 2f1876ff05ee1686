/**
 * What a metrics refresh costs the extender: two Prometheus queries answered for every node,
 * parsed, mapped from `instance` to node, ingested, and a forecast computed per node, with a
 * real XGBoost model against the last-value stand-in (no model: the newest observation is the
 * forecast). Also the ingest-and-forecast part alone, without HTTP and JSON.
 *
 * Prometheus itself is stood in for by a loopback server that answers `/api/v1/query` with
 * prepared instant vectors shaped like node-exporter's (instance `IP:9100`, kube-prometheus
 * labels on memory): the figure is the extender's side of a refresh, not the query's
 * evaluation in Prometheus.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MEMORY_QUERY, PrometheusRefresher } from '@mlsched/scheduler';
import pino from 'pino';
import type { Logger } from 'pino';
import { SAMPLE_STEP_SECONDS, type BenchCluster } from './fixtures.js';
import type { BenchModel } from './model.js';
import { median, nowMs } from './stats.js';
import { warmExtender, type WarmExtender } from './warm-extender.js';

export interface RefreshBenchOptions {
  readonly warmupRounds: number;
  readonly rounds: number;
}

export interface RefreshRow {
  readonly case: string;
  /** Median milliseconds for all nodes, with the model. */
  readonly modelMs: number;
  /** Median milliseconds for all nodes, last-value stand-in. */
  readonly lastValueMs: number;
  readonly modelUsPerNode: number;
  readonly lastValueUsPerNode: number;
  /** model ÷ last value. */
  readonly ratio: number;
}

export interface RefreshBenchResult {
  readonly nodes: number;
  readonly rounds: number;
  readonly model: {
    readonly source: string;
    readonly version: string;
    readonly rounds: number;
    readonly maxDepth: number;
    readonly trainSeconds?: number;
  };
  /** Nodes whose newest forecast came from the model after the run (should be all). */
  readonly forecastsOk: number;
  readonly rows: readonly RefreshRow[];
}

/** Answer variants the stand-in cycles through, so successive refreshes see new values. */
const VARIANTS = 8;

interface StandIn {
  readonly url: string;
  close(): Promise<void>;
}

function vectorBody(result: readonly object[]): Buffer {
  return Buffer.from(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
}

async function startPrometheusStandIn(cluster: BenchCluster): Promise<StandIn> {
  const cpu: Buffer[] = [];
  const memory: Buffer[] = [];
  for (let v = 0; v < VARIANTS; v++) {
    const at = (node: BenchCluster['nodes'][number]) =>
      node.history[node.history.length - VARIANTS + v] ?? node.history[0];
    cpu.push(
      vectorBody(
        cluster.nodes.map((node) => ({
          metric: { instance: `${node.internalIP}:9100` },
          value: [cluster.now, String(at(node)?.cpu ?? 0)],
        })),
      ),
    );
    memory.push(
      vectorBody(
        cluster.nodes.map((node, i) => ({
          metric: {
            container: 'node-exporter',
            endpoint: 'https',
            instance: `${node.internalIP}:9100`,
            job: 'node-exporter',
            namespace: 'monitoring',
            pod: `node-exporter-${(i * 7919).toString(36).padStart(5, 'x').slice(-5)}`,
            service: 'node-exporter',
          },
          value: [cluster.now, String(at(node)?.mem ?? 0)],
        })),
      ),
    );
  }

  let served = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const query = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('query');
      // Both queries of one refresh get the same variant; the next refresh gets the next one.
      const variant = Math.floor(served++ / 2) % VARIANTS;
      const body = (query === DEFAULT_MEMORY_QUERY ? memory : cpu)[variant] as Buffer;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Side {
  readonly warm: WarmExtender;
  readonly refresher: PrometheusRefresher;
  readonly refreshMs: number[];
  readonly ingestMs: number[];
}

async function refreshOnce(side: Side, nodes: number): Promise<number> {
  side.warm.clock.advance(SAMPLE_STEP_SECONDS);
  const t0 = nowMs();
  const outcome = await side.refresher.refreshOnce();
  const ms = nowMs() - t0;
  if (!outcome.ok || outcome.nodes !== nodes) {
    throw new Error(
      `refresh wrote ${outcome.nodes} of ${nodes} nodes: ${outcome.error ?? 'no error given'}`,
    );
  }
  return ms;
}

function ingestOnce(side: Side, cluster: BenchCluster, round: number): number {
  const { store, clock } = side.warm;
  clock.advance(SAMPLE_STEP_SECONDS);
  const t = clock.now();
  const t0 = nowMs();
  for (const node of cluster.nodes) {
    const s = node.history[node.history.length - 1 - (round % node.history.length)];
    store.ingest(node.name, { t, cpu: s?.cpu, mem: s?.mem });
  }
  return nowMs() - t0;
}

export async function runRefreshBench(
  cluster: BenchCluster,
  model: BenchModel,
  options: RefreshBenchOptions,
  log: Logger,
): Promise<RefreshBenchResult> {
  const standIn = await startPrometheusStandIn(cluster);
  const quiet = pino({ level: 'silent' });
  const makeSide = (warm: WarmExtender): Side => ({
    warm,
    refresher: new PrometheusRefresher({
      url: standIn.url,
      cpuQuery: warm.config.cpuQuery,
      memoryQuery: warm.config.memoryQuery,
      refreshSeconds: warm.config.refreshSeconds,
      store: warm.store,
      clock: warm.clock,
      log: quiet,
    }),
    refreshMs: [],
    ingestMs: [],
  });
  const withModel = makeSide(warmExtender({ cluster, predictor: model.predictor }));
  const lastValue = makeSide(warmExtender({ cluster }));
  const nodes = cluster.nodes.length;

  try {
    for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
      const keep = round >= options.warmupRounds;
      const sides = round % 2 === 0 ? [withModel, lastValue] : [lastValue, withModel];
      for (const side of sides) {
        const ms = await refreshOnce(side, nodes);
        if (keep) side.refreshMs.push(ms);
      }
      for (const side of sides) {
        const ms = ingestOnce(side, cluster, round);
        if (keep) side.ingestMs.push(ms);
      }
    }
  } finally {
    await standIn.close();
  }

  let forecastsOk = 0;
  for (const entry of withModel.warm.store.nodes()) {
    if (entry.forecastStatus === 'ok') forecastsOk++;
  }
  if (forecastsOk === 0) {
    throw new Error(
      'refresh bench: the model gave no forecast for any node; the figure would be the fallback',
    );
  }

  const row = (name: string, pick: (s: Side) => number[]): RefreshRow => {
    const modelMs = median(pick(withModel));
    const lastValueMs = median(pick(lastValue));
    return {
      case: name,
      modelMs,
      lastValueMs,
      modelUsPerNode: (modelMs * 1000) / nodes,
      lastValueUsPerNode: (lastValueMs * 1000) / nodes,
      ratio: modelMs / lastValueMs,
    };
  };
  const rows = [
    row('refresh: 2 queries + parse + ingest + forecast', (s) => s.refreshMs),
    row('ingest + forecast only', (s) => s.ingestMs),
  ];
  log.info({ nodes, forecastsOk, version: model.version }, 'refresh bench done');
  return {
    nodes,
    rounds: options.rounds,
    model: {
      source: model.source,
      version: model.version,
      rounds: model.rounds,
      maxDepth: model.maxDepth,
      ...(model.trainSeconds !== undefined ? { trainSeconds: model.trainSeconds } : {}),
    },
    forecastsOk,
    rows,
  };
}
