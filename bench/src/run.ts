/**
 * Runs every benchmark in one process and returns one report. Each figure has its baseline
 * measured here too, on the same nodes, so ratios compare like with like on whatever machine
 * (and whatever neighbours) the run had.
 */
import { arch, cpus, loadavg, platform } from 'node:os';
import type { Logger } from 'pino';
import { buildCluster, kubeletNode } from './fixtures.js';
import {
  requestBodies,
  runColdStart,
  runHttpBench,
  startBenchServer,
  type Budget,
  type ColdStartResult,
  type HttpBenchResult,
} from './http-bench.js';
import { runMemoryBench, type MemoryBenchOptions, type MemoryBenchResult } from './memory-bench.js';
import { obtainModel } from './model.js';
import {
  runRefreshBench,
  type RefreshBenchOptions,
  type RefreshBenchResult,
} from './refresh-bench.js';
import {
  runScoringBench,
  type ScoringBenchOptions,
  type ScoringBenchResult,
} from './scoring-bench.js';
import { nowMs } from './stats.js';
import { warmExtender } from './warm-extender.js';

export interface BenchOptions {
  /** X11 node counts; the largest is also the size of the scoring, refresh and memory runs. */
  readonly sizes: readonly number[];
  readonly http: { readonly names: Budget; readonly objects: Budget };
  /** X02: NodeNames asked of a freshly started extender; at most the largest size. */
  readonly coldStartNodes: number;
  readonly scoring: ScoringBenchOptions;
  readonly refresh: RefreshBenchOptions;
  readonly memory: MemoryBenchOptions;
  /** A model artifact to serve; absent trains one on synthetic load. */
  readonly modelPath?: string;
  /** Boosting rounds when training (the shipped 250 when absent). */
  readonly modelRounds?: number;
  /** Seed of the cluster: nodes, pods and load history. */
  readonly seed: number;
}

/**
 * The full run, about 80–100 s on a shared 2-core machine: X11 bounded at 4 s per full-object
 * case and 1.5 s per NodeNames case, memory at 200 calls per mode.
 */
export const DEFAULT_OPTIONS: BenchOptions = {
  sizes: [100, 500, 1000],
  http: {
    names: { warmup: 50, minRequests: 50, maxRequests: 3000, maxSeconds: 1.5 },
    objects: { warmup: 3, minRequests: 10, maxRequests: 100, maxSeconds: 4 },
  },
  coldStartNodes: 500,
  scoring: { warmupRounds: 5, rounds: 41, callsPerRound: 10 },
  refresh: { warmupRounds: 3, rounds: 21 },
  memory: { calls: 200 },
  seed: 7,
};

/** A handful of iterations of everything: for the smoke test and a quick look. */
export const QUICK_OPTIONS: BenchOptions = {
  sizes: [20, 50],
  http: {
    names: { warmup: 2, minRequests: 3, maxRequests: 5, maxSeconds: 0.5 },
    objects: { warmup: 1, minRequests: 3, maxRequests: 5, maxSeconds: 0.5 },
  },
  coldStartNodes: 20,
  scoring: { warmupRounds: 1, rounds: 3, callsPerRound: 2 },
  refresh: { warmupRounds: 1, rounds: 3 },
  memory: { calls: 5 },
  modelRounds: 5,
  seed: 7,
};

export interface BenchMeta {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
  /** 1-minute load average at start and at end: how busy the neighbours were. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  /** Mean JSON size of one Node object in the X11 requests, bytes. */
  readonly nodeObjectBytes: number;
  readonly options: BenchOptions;
}

export interface BenchReport {
  readonly meta: BenchMeta;
  readonly coldStart: ColdStartResult;
  readonly http: HttpBenchResult;
  readonly memory: MemoryBenchResult;
  readonly scoring: ScoringBenchResult;
  readonly refresh: RefreshBenchResult;
}

function checkOptions(options: BenchOptions): number {
  if (options.sizes.length === 0) throw new RangeError('sizes must name at least one node count');
  for (const n of options.sizes) {
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`sizes must be positive integers, got ${n}`);
    }
  }
  const positive: [string, number][] = [
    ['scoring.rounds', options.scoring.rounds],
    ['scoring.callsPerRound', options.scoring.callsPerRound],
    ['refresh.rounds', options.refresh.rounds],
    ['memory.calls', options.memory.calls],
  ];
  for (const [name, value] of positive) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }
  const largest = Math.max(...options.sizes);
  const cold = options.coldStartNodes;
  if (!Number.isInteger(cold) || cold < 1 || cold > largest) {
    throw new RangeError(`coldStartNodes must be an integer from 1 to ${largest}, got ${cold}`);
  }
  return largest;
}

export async function runBench(options: BenchOptions, log: Logger): Promise<BenchReport> {
  const largest = checkOptions(options);
  const started = nowMs();
  const startedAt = new Date().toISOString();
  const loadStart = loadavg()[0] as number;
  const cluster = buildCluster(largest, options.seed);
  const names = cluster.nodes.map((n) => n.name);
  // First, while no extender code has run in this process: a restart's first request.
  const coldStart = await runColdStart(names, options.coldStartNodes, options.http.names, log);

  const model = await obtainModel({
    ...(options.modelPath ? { path: options.modelPath } : {}),
    ...(options.modelRounds !== undefined ? { rounds: options.modelRounds } : {}),
    log,
  });
  try {
    const objects = cluster.nodes.map((node, i) => kubeletNode(node, i));
    const nodeObjectBytes =
      objects.reduce((sum, o) => sum + Buffer.byteLength(JSON.stringify(o)), 0) / objects.length;
    log.info({ nodes: largest, nodeObjectBytes: Math.round(nodeObjectBytes) }, 'cluster built');

    const warm = warmExtender({ cluster, predictor: model.predictor });
    const server = await startBenchServer(warm, log);
    let http: HttpBenchResult;
    let memory: MemoryBenchResult;
    try {
      http = await runHttpBench(server, objects, { sizes: options.sizes, ...options.http }, log);
      memory = await runMemoryBench(
        server,
        largest,
        requestBodies(names, objects, largest),
        options.memory,
        log,
      );
    } finally {
      await server.close();
    }

    const scoring = runScoringBench(cluster, warm, options.scoring, log);
    const refresh = await runRefreshBench(cluster, model, options.refresh, log);

    const cpuList = cpus();
    return {
      meta: {
        startedAt,
        durationSeconds: (nowMs() - started) / 1000,
        node: process.version,
        platform: `${platform()} ${arch()}`,
        cpus: cpuList.length,
        cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
        loadAverage: { start: loadStart, end: loadavg()[0] as number },
        nodeObjectBytes,
        options,
      },
      coldStart,
      http,
      memory,
      scoring,
      refresh,
    };
  } finally {
    model.predictor.close();
  }
}
