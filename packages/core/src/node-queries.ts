/**
 * The Prometheus queries for node utilisation that serving (the extender) and training (the
 * trainer) both read, written once so a model is always served the series it was trained on.
 * All are node-exporter series; `instance` (often `IP:port`) names the node, which the extender
 * maps to the Node by name or InternalIP.
 */

/**
 * Share of non-idle CPU time between the last two scrapes, per instance, 0..1. irate, not rate:
 * rate divides the increase by the whole window, so a series younger than the window (a new
 * node, every node after a Prometheus restart) reads far busier than it is for two minutes. The
 * [2m] window only bounds how far back the last two samples may be, so one missed scrape at the
 * usual 15–30 s interval does not blank a point.
 */
export const NODE_CPU_QUERY =
  '1 - avg by (instance) (irate(node_cpu_seconds_total{mode="idle"}[2m]))';

/** Share of memory not available for new allocations (MemAvailable counts reclaimable cache). */
export const NODE_MEMORY_QUERY = '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes';

/**
 * Time of each node's newest raw CPU sample. An instant selector honours the staleness markers
 * Prometheus writes when a target is lost, so a dead exporter's node drops out within a scrape;
 * the irate window above would keep answering for two more minutes.
 */
export const NODE_FRESHNESS_QUERY =
  'max by (instance) (timestamp(node_cpu_seconds_total{mode="idle"}))';
