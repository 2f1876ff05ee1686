/**
 * PromQL too long for one line, kept apart from the rule lists that name them (house style).
 * Every function returns one expression; the comments explain the joins.
 */
import { METRICS } from '@mlsched/core';

import { MODEL_STALE_SECONDS, OBJECTIVES } from '../objectives.js';
import { RECORDS } from '../records.js';
import type { ObservabilityTargets } from '../targets.js';

/**
 * Turns a node-exporter expression grouped `by (instance)` into one grouped `by (node)`.
 * node-exporter's `instance` is often `IP:9100`, while kube-state-metrics and the extender name
 * nodes by their Node name. `node_uname_info` is 1 per node-exporter with the host name in
 * `nodename`, which is the Node name on kubeadm clusters; joining on `instance` copies it over.
 */
export function byNode(exprByInstance: string): string {
  return `max by (node) (
  label_replace(
    (${exprByInstance})
    * on (instance) group_left (nodename) node_uname_info,
    "node", "$1", "nodename", "(.*)"
  )
)`;
}

/** Removes control-plane nodes (tainted NoSchedule, so no workload is scheduled there). */
export const UNLESS_CONTROL_PLANE = `unless on (node)
  kube_node_spec_taint{key="node-role.kubernetes.io/control-plane", effect="NoSchedule"}`;

export const nodeCpuCores = byNode('count by (instance) (node_cpu_seconds_total{mode="idle"})');

// Idle seconds per second summed over CPUs is the number of idle CPUs; the rest are busy.
export const nodeCpuBusyCores = byNode(`count by (instance) (node_cpu_seconds_total{mode="idle"})
    - sum by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))`);

export const nodeCpuUtilisation = `${RECORDS.nodeCpuBusyCores} / ${RECORDS.nodeCpuCores}`;

export const nodeMemoryUtilisation = byNode(`1 - sum by (instance) (node_memory_MemAvailable_bytes)
    / sum by (instance) (node_memory_MemTotal_bytes)`);

/**
 * Requests of pods bound to a node that hold their resources: kube-state-metrics keeps series for
 * Succeeded and Failed pods too, which no longer use their requests. `max by (namespace, pod)`
 * makes the phase side unique per pod so `group_left` can match many containers to it. The `or`
 * branch gives nodes without pods 0 instead of no series.
 */
export function requestedByNode(resource: 'cpu' | 'memory'): string {
  return `sum by (node) (
  kube_pod_container_resource_requests{resource="${resource}", node!=""}
  * on (namespace, pod) group_left ()
    max by (namespace, pod) (kube_pod_status_phase{phase=~"Pending|Running"} == 1)
)
or sum by (node) (kube_node_status_allocatable{resource="${resource}"}) * 0`;
}

export const nodeCpuRequested = `${RECORDS.nodeCpuRequestedCores}
/ on (node) sum by (node) (kube_node_status_allocatable{resource="cpu"})`;

export const nodeMemoryRequested = `(${requestedByNode('memory')})
/ on (node) sum by (node) (kube_node_status_allocatable{resource="memory"})`;

export const nodeHot = `(${RECORDS.nodeCpuUtilisation} > bool ${OBJECTIVES.hotNodeCpuRatio})
${UNLESS_CONTROL_PLANE}`;

export function workerImbalance(record: string): string {
  return `stddev(${record} ${UNLESS_CONTROL_PLANE})`;
}

// The hot flag is evaluated at every rule interval, so its mean over an hour is the share of
// the hour each worker was hot, whatever the interval.
export const hotNodeSeconds = `sum(avg_over_time(${RECORDS.nodeHot}[1h])) * 3600`;

export function extenderLatencyQuantile(q: number): string {
  return `histogram_quantile(${q},
  sum by (verb, le) (rate(${METRICS.requestDuration}_bucket[5m]))
)`;
}

/**
 * Any non-2xx counts: kube-scheduler drops an extender answer it cannot use, 400 included (X09).
 * The `or ... * 0` branch gives 0 instead of no data while no call has failed: prom-client only
 * creates a `code` series once that code has been answered.
 */
export const extenderErrorRatio = `(
  sum by (verb) (rate(${METRICS.requests}{code!~"2.."}[5m]))
  or sum by (verb) (rate(${METRICS.requests}[5m])) * 0
)
/ sum by (verb) (rate(${METRICS.requests}[5m]))`;

// NaN (0/0) when no forecast matured in the hour: comparisons with NaN are false, so no alert
// acts on it, and dashboards draw a gap.
export const predictionError = `sum by (resource) (rate(${METRICS.predictionError}_sum[1h]))
/ sum by (resource) (rate(${METRICS.predictionError}_count[1h]))`;

export function schedulingLatencyQuantile(t: ObservabilityTargets, q: number): string {
  return `histogram_quantile(${q},
  sum by (profile, le) (
    rate(scheduler_scheduling_attempt_duration_seconds_bucket{profile="${t.schedulerName}"}[5m])
  )
)`;
}

export function schedulingWithinObjective(t: ObservabilityTargets): string {
  const sel = `profile="${t.schedulerName}", result="scheduled"`;
  const le = `le="${OBJECTIVES.schedulingLatencyBucket}"`;
  return `sum by (profile) (
  rate(scheduler_scheduling_attempt_duration_seconds_bucket{${sel}, ${le}}[1h])
)
/ sum by (profile) (rate(scheduler_scheduling_attempt_duration_seconds_count{${sel}}[1h]))`;
}

// Weighted by CPU count, so a 16-core worker counts four times a 4-core one.
export const clusterCpuUtilisation = `sum(${RECORDS.nodeCpuBusyCores} ${UNLESS_CONTROL_PLANE})
/ sum(${RECORDS.nodeCpuCores} ${UNLESS_CONTROL_PLANE})`;

export const workloadAvailability = `sum(kube_deployment_status_replicas_available)
/ sum(kube_deployment_spec_replicas)`;

/**
 * Capacity saved, in cores, over the workers:
 *
 *   saved = max(0, Σ CPU requested − Σ CPU busy / target)
 *
 * A request-based scheduler needs as many cores as pods request; a load-aware one needs enough
 * cores that the load actually running stays at the target utilisation (70 %). The difference is
 * capacity the requests reserve but the load does not need. It is an estimate: realising it means
 * lowering requests or overcommitting, which the extender makes safe by steering on load.
 */
export const capacitySavedCores = `clamp_min(
  sum(${RECORDS.nodeCpuRequestedCores} ${UNLESS_CONTROL_PLANE})
  - sum(${RECORDS.nodeCpuBusyCores} ${UNLESS_CONTROL_PLANE}) / ${OBJECTIVES.cpuUtilisationTarget},
  0
)`;

export const capacitySavedRatio = `${RECORDS.capacitySavedCores}
/ sum(kube_node_status_allocatable{resource="cpu"} ${UNLESS_CONTROL_PLANE})`;

// --- alerts ---

/**
 * Fires when no extender target answers a scrape, with the job as its label. Value: how many
 * extender targets Prometheus still discovers; 0 means none (no endpoints or no ServiceMonitor).
 * The `label_replace(vector(0), ...)` branch stands for the job when it has no target at all.
 */
export function extenderAbsent(t: ObservabilityTargets): string {
  return `(
  count by (job) (up{job="${t.extenderJob}"})
  or label_replace(vector(0), "job", "${t.extenderJob}", "", "")
)
unless on (job) (up{job="${t.extenderJob}"} == 1)`;
}

/**
 * Value: node scores per minute that fell back to request-based scoring for that reason. The
 * `or ... * 0` branch keeps the alert when the gauge says degraded but no request came in (so
 * the counter did not move, or never existed).
 */
export const extenderDegraded = `(
  sum by (reason) (rate(${METRICS.degraded}[5m])) * 60
  or max by (reason) (${METRICS.degradedActive}) * 0
)
and on (reason) (max by (reason) (${METRICS.degradedActive}) == 1)`;

export const nodeMetricsStale = `max by (node) (${METRICS.nodeMetricsAge})
> ${OBJECTIVES.nodeMetricsStaleSeconds}`;

// Value: the node's observed CPU utilisation, which is what an operator looks at first.
export const nodeAnomalous = `max by (node) (${METRICS.nodeObservedUtilization}{resource="cpu"})
and on (node) (max by (node) (${METRICS.nodeAnomalous}) == 1)`;

export const nodeHotAlert = `${RECORDS.nodeCpuUtilisation} > ${OBJECTIVES.hotNodeCpuRatio}
${UNLESS_CONTROL_PLANE}`;

// The version label comes from the info gauge; only the served version (value 1) is joined.
export const modelStale = `max by (version) (
  ${METRICS.modelAge}
  * on (instance, job) group_left (version) (${METRICS.modelInfo} == 1)
)
> ${MODEL_STALE_SECONDS}`;

/** Value: how much older the last success is than the last run, in seconds. */
export const trainingFailed = `max by (model) (${METRICS.trainingLastRun})
- on (model) max by (model) (${METRICS.trainingLastSuccess})
> 0`;

/**
 * The Job's Failed condition (backoff limit or deadline reached). A pod that failed and was then
 * retried successfully does not count, unlike `kube_job_status_failed`.
 */
export function trainerJobFailed(t: ObservabilityTargets): string {
  return `max by (namespace, job_name) (
  kube_job_failed{namespace="${t.namespace}", job_name=~"${t.trainerCronJob}-.*", condition="true"}
) == 1`;
}

export const predictionErrorDrift = `(
  ${RECORDS.predictionError}
  > on (resource)
  ${OBJECTIVES.predictionErrorDriftFactor}
    * max by (resource) (${METRICS.trainingValidationMae}{predictor="model"})
)
and ${RECORDS.predictionError} > ${OBJECTIVES.predictionErrorFloor}`;

export function schedulingLatency(t: ObservabilityTargets): string {
  return `${RECORDS.schedulingWithinObjective}{profile="${t.schedulerName}"}
< ${OBJECTIVES.schedulingLatencyRatio}`;
}

export function redisDown(t: ObservabilityTargets): string {
  return `redis_up{job="${t.redisJob}"} == 0`;
}
