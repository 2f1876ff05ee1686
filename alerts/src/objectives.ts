/**
 * The numbers the rules compare against, in one place so that recording rules, alerts, dashboards
 * and runbooks cannot disagree. Each states where it comes from.
 */
export const OBJECTIVES = {
  /** Worker CPU utilisation the scheduler aims for (the extender's default target, 70 %). */
  cpuUtilisationTarget: 0.7,
  /**
   * A worker above this CPU utilisation is "hot". 80 % is the line the demo reports node-minutes
   * above, so the dashboards and the demo's figures speak of the same thing.
   */
  hotNodeCpuRatio: 0.8,
  /** How long a node may stay hot before `MlschedNodeHot` fires. */
  hotNodeFor: '15m',
  /** The extender treats a node's metrics as stale after 3 minutes (case X04). */
  nodeMetricsStaleSeconds: 180,
  /**
   * p99 of one extender call. kube-scheduler waits for filter and then prioritize on every pod,
   * and drops the extender's answer once its `httpTimeout` (well under a second here) passes, so
   * the objective sits an order of magnitude below that timeout.
   */
  extenderLatencyP99Seconds: 0.1,
  /** Share of extender calls that may fail (any non-2xx answer is ignored by kube-scheduler). */
  extenderErrorRatio: 0.05,
  /**
   * Scheduling attempts that complete within `schedulingLatencyBucket` seconds. 0.256 s is a
   * bucket boundary of kube-scheduler's histogram (exponential from 1 ms, factor 2), so the ratio
   * is read from a real bucket instead of being interpolated.
   */
  schedulingLatencyRatio: 0.99,
  schedulingLatencyBucket: '0.256',
  /** Share of the Deployment replicas asked for that are available. */
  workloadAvailabilityRatio: 0.995,
  /** The trainer CronJob retrains every 6 hours (infra's NODE_LOAD_MODEL): keep both in step. */
  retrainIntervalSeconds: 6 * 3600,
  /**
   * A live prediction error this many times the validation error the trainer reported means the
   * model no longer fits the cluster. The floor keeps a very good validation score from turning
   * ordinary noise into pages.
   */
  predictionErrorDriftFactor: 1.5,
  predictionErrorFloor: 0.05,
} as const;

/** The served model is stale once it missed two retraining runs. */
export const MODEL_STALE_SECONDS = 2 * OBJECTIVES.retrainIntervalSeconds;

/** `0.05` → `5%`, for annotation text that states an objective. */
export function percent(ratio: number): string {
  return `${Math.round(ratio * 10000) / 100}%`;
}

/** `0.1` → `100ms`, `180` → `3m`: the way Prometheus writes durations. */
export function duration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
