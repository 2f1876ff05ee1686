/**
 * Every Prometheus series this project exposes, named once. The extender and trainer register
 * them; alerts, recording rules, dashboards and runbooks refer to them through these constants,
 * and a test fails when a runbook or query names a series that is not here.
 *
 * Conventions: `mlsched_` prefix, base units in the name (`_seconds`, `_ratio`), `_total` for
 * counters, `_info` for constant-1 gauges that carry labels.
 */
export const METRICS = {
  /** Histogram, label `verb` (filter|prioritize): time from request received to reply sent. */
  requestDuration: 'mlsched_extender_request_duration_seconds',
  /** Counter, labels `verb`, `code` (HTTP status). */
  requests: 'mlsched_extender_requests_total',
  /** Counter, labels `verb`, `node`, `decision` (filter: passed|rejected; prioritize: scored). */
  decisions: 'mlsched_extender_decisions_total',
  /** Counter, label `reason`: each node scored without its prediction, by why. */
  degraded: 'mlsched_extender_degraded_total',
  /** Gauge, label `reason`: 1 while a degradation applies to at least one node. */
  degradedActive: 'mlsched_extender_degraded_active',
  /** Gauge, label `node`: seconds since the newest usable metrics sample of that node. */
  nodeMetricsAge: 'mlsched_node_metrics_age_seconds',
  /** Gauge, labels `node`, `state` (fresh|stale|missing|invalid): 1 for the node's current state. */
  nodeMetricsState: 'mlsched_node_metrics_state',
  /** Gauge, labels `node`, `resource` (cpu|memory): the model's forecast, 0..1. */
  nodePredictedUtilization: 'mlsched_node_predicted_utilization_ratio',
  /** Gauge, labels `node`, `resource`: latest observed utilisation, 0..1. */
  nodeObservedUtilization: 'mlsched_node_observed_utilization_ratio',
  /** Histogram, label `resource`: |forecast − actual| once the horizon has passed, 0..1. */
  predictionError: 'mlsched_prediction_absolute_error_ratio',
  /** Gauge, labels `node`: 1 while the node is flagged anomalous. */
  nodeAnomalous: 'mlsched_node_anomalous',
  /** Counter, label `node`: anomalies flagged. */
  anomalies: 'mlsched_anomalies_total',
  /** Gauge, label `version`: 1 for the model being served. */
  modelInfo: 'mlsched_model_info',
  /** Gauge: seconds since the served model was trained. */
  modelAge: 'mlsched_model_age_seconds',
  /** Gauge, labels `node`: pods placed by this extender and not yet visible in the node's metrics. */
  inflightPods: 'mlsched_node_inflight_pods',
  /** Counter, labels `model`, `result` (published|rejected|failed): trainer runs. */
  trainingRuns: 'mlsched_trainer_runs_total',
  /** Gauge, label `model`: duration of the last training run, seconds. */
  trainingDuration: 'mlsched_trainer_last_run_duration_seconds',
  /** Gauge, label `model`: unix time of the last successful run. */
  trainingLastSuccess: 'mlsched_trainer_last_success_timestamp_seconds',
  /** Gauge, labels `model`, `resource`, `predictor` (model|last_value|moving_average): validation MAE. */
  trainingValidationMae: 'mlsched_trainer_validation_mae_ratio',
  /**
   * Gauge, label `model`: unix time the last training run ended, whatever its result. Beside
   * `trainingLastSuccess` it tells that the latest run published nothing, which a counter cannot
   * when every CronJob run starts its counters from zero (or pushes them through a Pushgateway).
   */
  trainingLastRun: 'mlsched_trainer_last_run_timestamp_seconds',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];
