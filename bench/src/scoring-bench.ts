/**
 * The decision path in-process: ExtenderService's filter and prioritize on a warm store, against
 * kube-scheduler's request-based filter and scoring (kube-default in @mlsched/core) on the same
 * nodes and the same pod. Cases run in alternating rounds, so load from other processes on a
 * shared machine falls on both sides alike; the median round is reported.
 */
import {
  kubeDefaultFilter,
  kubeDefaultScores,
  type NodeRequestView,
  type PodRequests,
} from '@mlsched/core';
import { ExtenderService, parseExtenderArgs, type ParsedExtenderArgs } from '@mlsched/scheduler';
import pino from 'pino';
import type { Logger } from 'pino';
import { benchPod, benchPodRequests, requestViews, type BenchCluster } from './fixtures.js';
import { median, nowMs } from './stats.js';
import type { WarmExtender } from './warm-extender.js';

export interface ScoringBenchOptions {
  readonly warmupRounds: number;
  readonly rounds: number;
  /** Calls per side per round; a round's time is divided by calls × nodes. */
  readonly callsPerRound: number;
}

export interface ScoringRow {
  readonly case: string;
  /** Nodes each extender call decides about. */
  readonly nodes: number;
  /** Nodes each kube-default call decides about (its feasible set may differ). */
  readonly baselineNodes: number;
  readonly extenderNsPerNode: number;
  readonly baselineNsPerNode: number;
  /** extender ÷ kube-default. */
  readonly ratio: number;
}

export interface ScoringBenchResult {
  readonly nodes: number;
  readonly rounds: number;
  /** Nodes the extender's filter passes; prioritize is asked about these, as the scheduler does. */
  readonly extenderPassed: number;
  readonly baselineFeasible: number;
  readonly rows: readonly ScoringRow[];
}

interface Pair {
  readonly name: string;
  /** Nodes each side's call decides about. */
  readonly nodes: { readonly extender: number; readonly baseline: number };
  readonly extender: () => number;
  readonly baseline: () => number;
}

function timeBatch(run: () => number, calls: number, nodes: number): { ns: number; sink: number } {
  let sink = 0;
  const t0 = nowMs();
  for (let i = 0; i < calls; i++) sink += run();
  return { ns: ((nowMs() - t0) * 1e6) / (calls * nodes), sink };
}

function baselineCalls(pod: PodRequests, views: readonly NodeRequestView[]) {
  const byName = new Map(views.map((v) => [v.name, v]));
  const filter = (): string[] => kubeDefaultFilter(pod, views).feasible;
  const feasibleViews = (names: readonly string[]): NodeRequestView[] =>
    names.map((name) => byName.get(name) as NodeRequestView);
  return { filter, feasibleViews };
}

export function runScoringBench(
  cluster: BenchCluster,
  warm: WarmExtender,
  options: ScoringBenchOptions,
  log: Logger,
): ScoringBenchResult {
  const quiet = pino({ level: 'silent' });
  const served = new ExtenderService({
    settings: warm.config,
    store: warm.store,
    inflight: warm.inflight,
    telemetry: warm.telemetry,
    log: quiet,
  });
  const bare = new ExtenderService({
    settings: warm.config,
    store: warm.store,
    inflight: warm.inflight,
    log: quiet,
  });

  const names = cluster.nodes.map((n) => n.name);
  const args = parseExtenderArgs({ Pod: benchPod(), Nodes: null, NodeNames: names });
  const passed = served.filter(args).NodeNames ?? [];
  const passedArgs: ParsedExtenderArgs = parseExtenderArgs({
    Pod: benchPod(),
    Nodes: null,
    NodeNames: passed,
  });

  const pod = benchPodRequests();
  const views = requestViews(cluster.nodes);
  const base = baselineCalls(pod, views);
  const feasible = base.filter();
  const feasibleViews = base.feasibleViews(feasible);
  const n = names.length;

  const pairs: Pair[] = [
    {
      name: 'filter',
      nodes: { extender: n, baseline: n },
      extender: () => (served.filter(args).NodeNames ?? []).length,
      baseline: () => base.filter().length,
    },
    {
      name: 'prioritize (nodes that passed)',
      nodes: { extender: passed.length, baseline: feasible.length },
      extender: () => served.prioritize(passedArgs).length,
      baseline: () => kubeDefaultScores(pod, feasibleViews).size,
    },
    {
      name: 'filter + prioritize',
      nodes: { extender: n, baseline: n },
      extender: () =>
        (served.filter(args).NodeNames?.length ?? 0) + served.prioritize(passedArgs).length,
      baseline: () => kubeDefaultScores(pod, base.feasibleViews(base.filter())).size,
    },
    {
      name: 'filter + prioritize, no telemetry',
      nodes: { extender: n, baseline: n },
      extender: () =>
        (bare.filter(args).NodeNames?.length ?? 0) + bare.prioritize(passedArgs).length,
      baseline: () => kubeDefaultScores(pod, base.feasibleViews(base.filter())).size,
    },
  ];

  const samples = pairs.map(() => ({ extender: [] as number[], baseline: [] as number[] }));
  let sink = 0;
  for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
    const keep = round >= options.warmupRounds;
    pairs.forEach((pair, i) => {
      // Alternate which side goes first, so neither always runs on a warmer cache.
      const order =
        round % 2 === 0 ? (['extender', 'baseline'] as const) : (['baseline', 'extender'] as const);
      for (const side of order) {
        const { ns, sink: s } = timeBatch(pair[side], options.callsPerRound, pair.nodes[side]);
        sink += s;
        if (keep) samples[i]?.[side].push(ns);
      }
    });
  }
  if (!(sink > 0)) throw new Error('scoring bench: the calls returned no nodes');

  const rows = pairs.map((pair, i): ScoringRow => {
    const s = samples[i] as { extender: number[]; baseline: number[] };
    const extenderNsPerNode = median(s.extender);
    const baselineNsPerNode = median(s.baseline);
    return {
      case: pair.name,
      nodes: pair.nodes.extender,
      baselineNodes: pair.nodes.baseline,
      extenderNsPerNode,
      baselineNsPerNode,
      ratio: extenderNsPerNode / baselineNsPerNode,
    };
  });
  log.info({ nodes: n, passed: passed.length, feasible: feasible.length }, 'scoring bench done');
  return {
    nodes: n,
    rounds: options.rounds,
    extenderPassed: passed.length,
    baselineFeasible: feasible.length,
    rows,
  };
}
