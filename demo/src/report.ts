/**
 * The demo's result: a JSON document (reports/demo.json) and the table printed to stdout.
 */
import type { PolicyStats, WorkloadSummary } from '@mlsched/core';
import type { ClientStats } from './extender-client.js';
import type { MlPolicyCounters } from './ml-policy.js';

export const ML_POLICY = 'ml-extender';
export const BASELINE_POLICY = 'kube-default';

export interface ModelSummary {
  readonly version: string;
  readonly source: string;
  readonly artifactPath: string;
  readonly horizonSeconds: number;
  /** Validation errors of the model and its baselines, as the trainer reported them. */
  readonly metrics: unknown;
  readonly beatsBaselines: unknown;
  readonly trainSeconds: number;
}

export interface HttpSummary {
  readonly filterCalls: number;
  readonly filterErrors: number;
  readonly prioritizeCalls: number;
  readonly prioritizeErrors: number;
  /**
   * Client-side round trip over loopback HTTP, milliseconds. `p99Warm` leaves out the first
   * {@link WARMUP_CALLS} calls, which pay for JIT compilation and fastify's schema compilation.
   */
  readonly latencyMs: {
    readonly p50: number;
    readonly p99: number;
    readonly p99Warm: number;
    readonly max: number;
  };
}

export const WARMUP_CALLS = 20;

export interface DemoReport {
  readonly generatedAt: string;
  readonly seed: number;
  readonly hours: number;
  readonly stepSeconds: number;
  readonly dataSource: 'traces' | 'synthetic';
  /** True when the traces were absent (or --synthetic): the figures are NOT trace results. */
  readonly syntheticFallback: boolean;
  readonly fallbackReason?: string;
  readonly dataDir: string;
  readonly cluster: readonly { name: string; role: string; cpuCores: number; memoryGiB: number }[];
  readonly workload: WorkloadSummary;
  readonly model: ModelSummary;
  readonly extenderWeight: number;
  readonly policies: { readonly [ML_POLICY]: PolicyStats; readonly [BASELINE_POLICY]: PolicyStats };
  readonly http: HttpSummary;
  readonly mlPolicy: MlPolicyCounters;
  /** Pods placed by both policies that went to different nodes. */
  readonly podsPlacedDifferently: number;
  /** Why the two policies placed different numbers of pods, from the counters above. */
  readonly placementCountDifference: string;
  readonly durationSeconds: number;
}

/** Nearest-rank percentile of `values` (0 for none). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

export function httpSummary(stats: ClientStats): HttpSummary {
  return {
    filterCalls: stats.filter.calls,
    filterErrors: stats.filter.errors,
    prioritizeCalls: stats.prioritize.calls,
    prioritizeErrors: stats.prioritize.errors,
    latencyMs: {
      p50: round(percentile(stats.latenciesMs, 0.5), 3),
      p99: round(percentile(stats.latenciesMs, 0.99), 3),
      p99Warm: round(percentile(stats.latenciesMs.slice(WARMUP_CALLS), 0.99), 3),
      max: round(percentile(stats.latenciesMs, 1), 3),
    },
  };
}

const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;

/**
 * The human-readable table: one row per policy, a line saying which did better per column, then
 * the extender's HTTP figures and what its filter did.
 */
export function formatTable(report: DemoReport): string {
  const rows: [string, string, string, string, string, string, string][] = [
    ['policy', 'peak CPU', 'p95 CPU', 'node-min >80%', 'imbalance σ', 'not placed', 'placed'],
  ];
  for (const [name, s] of Object.entries(report.policies) as [string, PolicyStats][]) {
    rows.push([
      name,
      pct(s.peakCpu),
      pct(s.p95Cpu),
      String(s.nodeMinutesAbove80),
      pct(s.cpuImbalance),
      `${s.podsNotPlaced} of ${s.podsArrived}`,
      String(s.podsPlaced),
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  '),
  );
  const h = report.http;
  const out: string[] = [];
  if (report.syntheticFallback) {
    out.push(`!!! SYNTHETIC WORKLOAD, NOT TRACE DATA (${report.fallbackReason ?? ''}) !!!`);
  }
  out.push(
    `workload: ${report.workload.pods} pods over ${report.hours} h from ${report.dataSource}, ` +
      `seed ${report.seed}; model ${report.model.version} (${report.model.source}); ` +
      `extender weight ${report.extenderWeight}`,
    `pods use on average ${(report.workload.meanCpuUsageRatio * 100).toFixed(0)} % of their CPU ` +
      `request (trace CPU usage × ${report.workload.cpuUsageScale.toFixed(2)}, see workload.ts)`,
    `CPU figures are demand over capacity on the 3 workers (above 100 % = saturated), ` +
      `per ${report.stepSeconds} s step`,
    '',
    ...lines,
    verdict(report.policies[ML_POLICY], report.policies[BASELINE_POLICY]),
    '',
    `extender over HTTP: ${h.filterCalls} filter + ${h.prioritizeCalls} prioritize calls, ` +
      `${h.filterErrors + h.prioritizeErrors} errors; latency p50 ${h.latencyMs.p50.toFixed(2)} ms, ` +
      `p99 ${h.latencyMs.p99.toFixed(2)} ms (${h.latencyMs.p99Warm.toFixed(2)} ms after the first ` +
      `${WARMUP_CALLS} calls)`,
    `extender steered ${report.mlPolicy.changedChoice} placements away from kube-default's first ` +
      `choice; ${report.podsPlacedDifferently} pods landed on a different node than under ` +
      'kube-default',
    turnedAway(report.mlPolicy.filteredOutEverything, report.stepSeconds),
    report.placementCountDifference,
  );
  return out.join('\n');
}

/** What `mlPolicy.filteredOutEverything` counts, in words a newcomer can follow. */
function turnedAway(attempts: number, stepSeconds: number): string {
  if (attempts === 0) {
    return (
      "no scheduling attempt was turned away: the extender's filter never rejected every worker " +
      'that had room for a pod'
    );
  }
  return (
    `${attempts} scheduling ${attempts === 1 ? 'attempt was' : 'attempts were'} turned away: ` +
    "the extender's filter rejected every worker that had room for the pod (predicted load " +
    'plus the pod above the hot threshold, or flagged anomalous), so the pod waited ' +
    `${stepSeconds} s and was tried again (one pod can count several times)`
  );
}

/**
 * The table's columns where lower is better, each with the value it is compared on: the figure
 * as printed (a percentage to 0.1), so the verdict never contradicts the table over a rounding.
 */
const VERDICT_COLUMNS: readonly (readonly [string, (s: PolicyStats) => number])[] = [
  ['peak CPU', (s) => Math.round(s.peakCpu * 1000)],
  ['p95 CPU', (s) => Math.round(s.p95Cpu * 1000)],
  ['node-min >80%', (s) => s.nodeMinutesAbove80],
  ['imbalance σ', (s) => Math.round(s.cpuImbalance * 1000)],
  ['not placed', (s) => s.podsNotPlaced],
];

/** One line naming, per column of the table, which policy did better (lower is better). */
export function verdict(ml: PolicyStats, baseline: PolicyStats): string {
  let mlBetter = 0;
  let baselineBetter = 0;
  const parts = VERDICT_COLUMNS.map(([column, value]) => {
    const a = value(ml);
    const b = value(baseline);
    if (a === b) return `${column} tie`;
    if (a < b) mlBetter++;
    else baselineBetter++;
    return `${column} ${a < b ? ML_POLICY : BASELINE_POLICY}`;
  });
  return (
    `which did better (lower wins): ${parts.join(', ')}; ${ML_POLICY} better on ${mlBetter} ` +
    `of ${VERDICT_COLUMNS.length}, ${BASELINE_POLICY} on ${baselineBetter}`
  );
}

/** A sentence explaining why the policies placed different numbers of pods. */
export function explainPlacementCounts(
  ml: PolicyStats,
  baseline: PolicyStats,
  unplacedBlockedByExtender: number,
): string {
  const d = ml.podsPlaced - baseline.podsPlaced;
  if (d === 0) return 'both policies placed the same number of pods';
  const byRequests = ml.podsNotPlaced - unplacedBlockedByExtender;
  return (
    `${ML_POLICY} placed ${Math.abs(d)} ${d > 0 ? 'more' : 'fewer'} pods than ${BASELINE_POLICY}: ` +
    `of its ${ml.podsNotPlaced} unplaced pods, ${unplacedBlockedByExtender} were held back at least ` +
    `once by the extender's filter and ${byRequests} never found a worker with room by requests ` +
    `(the policies spread requests differently, so later pods met different free space)`
  );
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
