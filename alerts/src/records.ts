/**
 * Names of the recording rules, `level:metric:operations` as Prometheus' naming guide describes.
 * Dashboards and alerts read these instead of repeating the PromQL behind them.
 */
export const RECORDS = {
  /** CPUs node-exporter sees on the node. */
  nodeCpuCores: 'node:mlsched_node_cpu_cores:count',
  /** CPUs busy (not idle), averaged over 5 minutes. */
  nodeCpuBusyCores: 'node:mlsched_node_cpu_busy_cores:rate5m',
  /** Actual CPU utilisation, 0..1. */
  nodeCpuUtilisation: 'node:mlsched_node_cpu_utilisation:ratio_rate5m',
  /** Actual memory utilisation (1 − available/total), 0..1. */
  nodeMemoryUtilisation: 'node:mlsched_node_memory_utilisation:ratio',
  /** CPU requested by the node's pending and running pods, in cores. */
  nodeCpuRequestedCores: 'node:mlsched_node_cpu_requested:cores',
  /** CPU requested over allocatable, 0..1 (can exceed 1 only through a kubelet bug). */
  nodeCpuRequested: 'node:mlsched_node_cpu_requested:ratio',
  /** Memory requested over allocatable, 0..1. */
  nodeMemoryRequested: 'node:mlsched_node_memory_requested:ratio',
  /** 1 while a worker's CPU is above the hot-node line, else 0. */
  nodeHot: 'node:mlsched_node_cpu_hot:bool',
  /** Standard deviation of CPU utilisation across workers: 0 is perfectly even. */
  workerCpuImbalance: 'cluster:mlsched_worker_cpu_utilisation:stddev',
  workerMemoryImbalance: 'cluster:mlsched_worker_memory_utilisation:stddev',
  /** Seconds any worker spent hot in the last hour, summed over workers. */
  hotNodeSeconds: 'cluster:mlsched_hot_node_seconds:sum1h',

  /** Extender call latency quantiles by verb; label `quantile`. */
  extenderLatency: 'verb_quantile:mlsched_extender_request_duration_seconds:histogram_quantile5m',
  /** Share of extender calls answered with a non-2xx status, by verb. */
  extenderErrorRatio: 'verb:mlsched_extender_request_errors:ratio_rate5m',
  /** Mean |forecast − actual| over the last hour, by resource, 0..1. */
  predictionError: 'resource:mlsched_prediction_absolute_error_ratio:mean1h',

  /** kube-scheduler attempt latency quantiles of this project's profile; label `quantile`. */
  schedulingLatency:
    'profile_quantile:scheduler_scheduling_attempt_duration_seconds:histogram_quantile5m',
  /** Share of scheduled attempts that finished within the objective's bucket, over an hour. */
  schedulingWithinObjective: 'profile:mlsched_scheduling_attempts_within_objective:ratio_rate1h',
  /** The objective itself, recorded so dashboards draw it from the same constant. */
  schedulingObjective: 'cluster:mlsched_scheduling_latency_objective:ratio',
  /** Busy CPUs over all CPUs, workers only. */
  clusterCpuUtilisation: 'cluster:mlsched_worker_cpu_utilisation:ratio',
  clusterCpuTarget: 'cluster:mlsched_cpu_utilisation_target:ratio',
  /** Available Deployment replicas over the replicas asked for. */
  workloadAvailability: 'cluster:mlsched_workload_availability:ratio',
  workloadAvailabilityObjective: 'cluster:mlsched_workload_availability_objective:ratio',
  /** Estimated CPU capacity saved, in cores; formula in `groups/queries.ts` and the runbooks. */
  capacitySavedCores: 'cluster:mlsched_capacity_saved:cores',
  /** The same, as a share of the workers' allocatable CPU. */
  capacitySavedRatio: 'cluster:mlsched_capacity_saved:ratio',
} as const;

export type RecordName = (typeof RECORDS)[keyof typeof RECORDS];
