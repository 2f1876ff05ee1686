/**
 * X11 over real HTTP: filter and prioritize with full Node objects (`nodeCacheCapable: false`)
 * against the same nodes as NodeNames (`true`, the baseline), on a listening extender built by
 * buildApp on 127.0.0.1 with a warm store. Client and server share this process, so each
 * latency includes the client's send and receive; both modes pay that alike.
 */
import type { AddressInfo } from 'node:net';
import { buildApp, NEUTRAL_SCORE } from '@mlsched/scheduler';
import type { Logger } from 'pino';
import { benchPod } from './fixtures.js';
import { collect } from './gc.js';
import { LoopbackClient } from './loopback.js';
import { nowMs, summarize } from './stats.js';
import { benchConfig, type WarmExtender } from './warm-extender.js';

export type Verb = 'filter' | 'prioritize';
export type NodeMode = 'names' | 'objects';
export const VERBS: readonly Verb[] = ['filter', 'prioritize'];

/** How long one case runs: whichever of the bounds is reached first, after `minRequests`. */
export interface Budget {
  /** Untimed requests first (JIT, socket, caches). */
  readonly warmup: number;
  readonly minRequests: number;
  readonly maxRequests: number;
  readonly maxSeconds: number;
}

export interface HttpBenchOptions {
  /** Node counts; each is run in both modes and with both verbs. */
  readonly sizes: readonly number[];
  readonly names: Budget;
  readonly objects: Budget;
}

export interface HttpCase {
  readonly verb: Verb;
  readonly mode: NodeMode;
  readonly nodes: number;
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  /** Filter only: nodes that passed (the same in both modes, checked). */
  readonly passed?: number;
}

/** objects ÷ names for each figure of one verb and size. */
export interface HttpRatio {
  readonly verb: Verb;
  readonly nodes: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
}

export interface HttpBenchResult {
  readonly cases: readonly HttpCase[];
  readonly ratios: readonly HttpRatio[];
}

export interface BenchServer {
  readonly app: Awaited<ReturnType<typeof buildApp>>;
  readonly client: LoopbackClient;
  close(): Promise<void>;
}

/** The extender as the process serves it, listening on a free loopback port. */
export async function startBenchServer(warm: WarmExtender, log: Logger): Promise<BenchServer> {
  const app = await buildApp({
    config: warm.config,
    store: warm.store,
    inflight: warm.inflight,
    telemetry: warm.telemetry,
    clock: warm.clock,
    logger: log.child({ component: 'extender' }, { level: 'warn' }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const client = new LoopbackClient('127.0.0.1', port);
  log.info({ port }, 'extender listening');
  return {
    app,
    client,
    close: async () => {
      client.close();
      await app.close();
    },
  };
}

/** Request bodies for the first `n` nodes, as kube-scheduler serialises ExtenderArgs. */
export function requestBodies(
  names: readonly string[],
  objects: readonly Record<string, unknown>[],
  n: number,
): Record<NodeMode, Buffer> {
  const pod = benchPod();
  return {
    names: Buffer.from(JSON.stringify({ Pod: pod, Nodes: null, NodeNames: names.slice(0, n) })),
    objects: Buffer.from(
      JSON.stringify({
        Pod: pod,
        Nodes: { metadata: {}, items: objects.slice(0, n) },
        NodeNames: null,
      }),
    ),
  };
}

/**
 * Checks one reply against the protocol, so no figure is reported for wrong answers; returns
 * the number of nodes that passed (filter) or were scored (prioritize).
 */
export function checkReply(verb: Verb, mode: NodeMode, nodes: number, body: Buffer): number {
  const reply: unknown = JSON.parse(body.toString('utf8'));
  const where = `${verb} with ${nodes} ${mode}`;
  if (verb === 'prioritize') {
    if (!Array.isArray(reply) || reply.length !== nodes) {
      throw new Error(`${where}: expected an array of ${nodes} HostPriority entries`);
    }
    for (const entry of reply as { Score?: unknown }[]) {
      const score = entry.Score;
      if (typeof score !== 'number' || !Number.isInteger(score) || score < 0 || score > 10) {
        throw new Error(`${where}: Score must be an integer 0..10, got ${String(score)}`);
      }
    }
    return reply.length;
  }
  const result = reply as {
    NodeNames?: unknown[];
    Nodes?: { items?: unknown[] };
    FailedNodes?: Record<string, string>;
  };
  const failed = Object.keys(result.FailedNodes ?? {}).length;
  const passed = mode === 'names' ? result.NodeNames?.length : result.Nodes?.items?.length;
  const other = mode === 'names' ? result.Nodes : result.NodeNames;
  if (passed === undefined || other !== undefined || passed + failed !== nodes) {
    throw new Error(
      `${where}: the reply must fill ${mode === 'names' ? 'NodeNames' : 'Nodes'} only and ` +
        `account for every node (passed ${String(passed)}, failed ${failed})`,
    );
  }
  return passed;
}

async function runCase(
  client: LoopbackClient,
  verb: Verb,
  mode: NodeMode,
  nodes: number,
  body: Buffer,
  budget: Budget,
): Promise<HttpCase> {
  const path = `/${verb}`;
  const first = await client.post(path, body, true);
  if (first.status !== 200 || !first.body) {
    throw new Error(`${path} with ${nodes} ${mode} answered ${first.status}`);
  }
  const checked = checkReply(verb, mode, nodes, first.body);
  for (let i = 1; i < budget.warmup; i++) await client.post(path, body);

  const latencies: number[] = [];
  const started = nowMs();
  let responseBytes = 0;
  for (;;) {
    const elapsed = (nowMs() - started) / 1000;
    const enough = latencies.length >= budget.minRequests;
    if (latencies.length >= budget.maxRequests || (enough && elapsed >= budget.maxSeconds)) break;
    const t0 = nowMs();
    const reply = await client.post(path, body);
    latencies.push(nowMs() - t0);
    if (reply.status !== 200) throw new Error(`${path} with ${nodes} ${mode}: ${reply.status}`);
    responseBytes = reply.bytes;
  }
  const seconds = (nowMs() - started) / 1000;
  const summary = summarize(latencies);
  return {
    verb,
    mode,
    nodes,
    requests: latencies.length,
    seconds,
    requestsPerSecond: latencies.length / seconds,
    meanMs: summary.mean,
    p50Ms: summary.p50,
    p99Ms: summary.p99,
    requestBytes: body.length,
    responseBytes,
    ...(verb === 'filter' ? { passed: checked } : {}),
  };
}

export async function runHttpBench(
  server: BenchServer,
  nodeObjects: readonly Record<string, unknown>[],
  options: HttpBenchOptions,
  log: Logger,
): Promise<HttpBenchResult> {
  const names = nodeObjects.map((node) => (node.metadata as { name: string }).name);
  const cases: HttpCase[] = [];
  const ratios: HttpRatio[] = [];

  for (const n of options.sizes) {
    if (n > nodeObjects.length) throw new RangeError(`size ${n} exceeds the cluster's nodes`);
    const bodies = requestBodies(names, nodeObjects, n);
    for (const verb of VERBS) {
      const byMode = {} as Record<NodeMode, HttpCase>;
      for (const mode of ['names', 'objects'] as const) {
        const budget = mode === 'names' ? options.names : options.objects;
        // The previous case's garbage is collected here, not in the middle of this case.
        collect();
        const result = await runCase(server.client, verb, mode, n, bodies[mode], budget);
        log.info(
          {
            verb,
            mode,
            nodes: n,
            requests: result.requests,
            p50Ms: result.p50Ms,
            requestBytes: result.requestBytes,
          },
          'http case done',
        );
        byMode[mode] = result;
        cases.push(result);
      }
      const { names: base, objects: full } = byMode;
      if (verb === 'filter' && base.passed !== full.passed) {
        throw new Error(
          `filter with ${n} nodes: ${base.passed} passed by name, ${full.passed} as objects`,
        );
      }
      ratios.push({
        verb,
        nodes: n,
        requestsPerSecond: full.requestsPerSecond / base.requestsPerSecond,
        p50Ms: full.p50Ms / base.p50Ms,
        p99Ms: full.p99Ms / base.p99Ms,
        requestBytes: full.requestBytes / base.requestBytes,
        responseBytes: full.responseBytes / base.responseBytes,
      });
    }
  }
  return { cases, ratios };
}

/** X02: the extender right after start-up, before any metrics arrived. */
export interface ColdStartResult {
  readonly nodes: number;
  /** The very first filter after start-up: nothing compiled yet, nothing cached. */
  readonly firstFilterMs: number;
  /** The first prioritize, right after that filter. */
  readonly firstPrioritizeMs: number;
  readonly filter: HttpCase;
  readonly prioritize: HttpCase;
}

/**
 * A fresh extender with an empty store and no model, asked about `n` NodeNames. Run before
 * anything else in the process, so the first request pays for cold code as it would after a
 * restart. Every node must pass and score neutrally (5): no data never rejects or ranks.
 */
export async function runColdStart(
  names: readonly string[],
  n: number,
  budget: Budget,
  log: Logger,
): Promise<ColdStartResult> {
  const app = await buildApp({
    config: benchConfig(),
    // The degraded-scoring warning is the expected state here, not news.
    logger: log.child({ component: 'extender-cold' }, { level: 'error' }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new LoopbackClient('127.0.0.1', (app.server.address() as AddressInfo).port);
  try {
    const body = requestBodies(names, [], n).names;
    const timed = async (verb: Verb): Promise<{ ms: number; reply: Buffer }> => {
      const t0 = nowMs();
      const reply = await client.post(`/${verb}`, body, true);
      const ms = nowMs() - t0;
      if (reply.status !== 200 || !reply.body) {
        throw new Error(`cold ${verb} with ${n} NodeNames answered ${reply.status}`);
      }
      return { ms, reply: reply.body };
    };
    const first = await timed('filter');
    const firstPrioritize = await timed('prioritize');
    if (checkReply('filter', 'names', n, first.reply) !== n) {
      throw new Error(`cold filter rejected nodes it has no data about`);
    }
    const scores = JSON.parse(firstPrioritize.reply.toString('utf8')) as { Score: number }[];
    if (scores.length !== n || scores.some((s) => s.Score !== NEUTRAL_SCORE)) {
      throw new Error(`cold prioritize must score every node ${NEUTRAL_SCORE}`);
    }

    const filter = await runCase(client, 'filter', 'names', n, body, budget);
    const prioritize = await runCase(client, 'prioritize', 'names', n, body, budget);
    log.info(
      { nodes: n, firstFilterMs: first.ms, firstPrioritizeMs: firstPrioritize.ms },
      'cold start done',
    );
    return {
      nodes: n,
      firstFilterMs: first.ms,
      firstPrioritizeMs: firstPrioritize.ms,
      filter,
      prioritize,
    };
  } finally {
    client.close();
    await app.close();
  }
}
