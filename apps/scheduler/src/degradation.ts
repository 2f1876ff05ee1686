import type { NodeLoadEntry, NodeMetricsStore } from './node-metrics.js';

/**
 * Why a node was scored without its prediction. Each reason is a `reason` label value of the
 * degraded metrics, so dashboards and alerts can tell which part of load-awareness is off.
 */
export const DEGRADATION_REASONS = [
  /** No CPU series for the node (never, or not within METRICS_HISTORY_SECONDS). */
  'cpu_missing',
  /** Newest CPU sample older than METRICS_STALE_SECONDS. */
  'cpu_stale',
  /** Newest CPU sample NaN, infinite, negative or implausible. */
  'cpu_invalid',
  'memory_missing',
  'memory_stale',
  'memory_invalid',
  /** Fresh data but no model loaded: the newest observation stands in for the forecast. */
  'no_model',
  /** Fresh data but the model gave no forecast (history too short, or it failed). */
  'no_forecast',
  /** An unexpected error while deciding: the request was answered fail-open (all pass, neutral). */
  'internal_error',
] as const;

export type DegradationReason = (typeof DEGRADATION_REASONS)[number];

/** Bit of each reason in a per-node mask, so the request path counts without allocating. */
export const REASON_BIT: Readonly<Record<DegradationReason, number>> = Object.fromEntries(
  DEGRADATION_REASONS.map((reason, i) => [reason, 1 << i]),
) as Record<DegradationReason, number>;

/** Reasons whose bits are set in `mask`. */
export function reasonsOf(mask: number): DegradationReason[] {
  return DEGRADATION_REASONS.filter((reason) => (mask & REASON_BIT[reason]) !== 0);
}

/**
 * Conditions of the extender's sources as a whole, shown on the `degraded_active` gauge
 * alongside per-node reasons: no metrics source configured, the last refresh failed, or the
 * shared state (Redis, REDIS_URL) is unreachable or refuses the password. The last one degrades
 * no decision; it means a new leader would start cold.
 */
export const SOURCE_CONDITIONS = [
  'no_metrics_source',
  'metrics_refresh_failed',
  'redis_unavailable',
] as const;
export type SourceCondition = (typeof SOURCE_CONDITIONS)[number];

/** Degradation reasons that apply to a node the store knows, at time `now`. */
export function nodeReasonMask(store: NodeMetricsStore, entry: NodeLoadEntry, now: number): number {
  const cpu = store.resourceState(entry.cpu, now);
  const mem = store.resourceState(entry.memory, now);
  let mask = 0;
  if (cpu !== 'fresh') mask |= REASON_BIT[`cpu_${cpu}`];
  if (mem !== 'fresh') mask |= REASON_BIT[`memory_${mem}`];
  if (mask === 0 && entry.forecastStatus === 'no_model') mask |= REASON_BIT.no_model;
  if (mask === 0 && entry.forecastStatus === 'no_forecast') mask |= REASON_BIT.no_forecast;
  return mask;
}

/** Mask of a node the store does not know at all. */
export const UNKNOWN_NODE_MASK = REASON_BIT.cpu_missing | REASON_BIT.memory_missing;
