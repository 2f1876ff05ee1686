/**
 * Series this project reads but does not expose: node-exporter, kube-state-metrics, kube-scheduler,
 * redis_exporter and Prometheus itself. Queries and runbooks may name only these, `METRICS` and
 * `RECORDS`; a test holds them to it.
 */
export const EXTERNAL_METRICS = {
  'node-exporter': [
    'node_cpu_seconds_total',
    'node_memory_MemAvailable_bytes',
    'node_memory_MemTotal_bytes',
    // Joins node-exporter's `instance` (often IP:port) to the Node name: see groups/queries.ts.
    'node_uname_info',
  ],
  'kube-state-metrics': [
    'kube_pod_container_resource_requests',
    'kube_node_status_allocatable',
    'kube_node_spec_taint',
    'kube_pod_status_phase',
    'kube_deployment_status_replicas_available',
    'kube_deployment_spec_replicas',
    'kube_job_failed',
  ],
  'kube-scheduler': [
    'scheduler_scheduling_attempt_duration_seconds',
    'scheduler_schedule_attempts_total',
  ],
  redis_exporter: ['redis_up'],
  // ALERTS is the series Prometheus writes for each pending or firing alert.
  prometheus: ['up', 'ALERTS'],
} as const;

export type ExternalSource = keyof typeof EXTERNAL_METRICS;

/** Which exporter a series comes from, or undefined when it is not an external series. */
export function externalSource(name: string): ExternalSource | undefined {
  for (const [source, names] of Object.entries(EXTERNAL_METRICS)) {
    if ((names as readonly string[]).includes(name)) return source as ExternalSource;
  }
  return undefined;
}
