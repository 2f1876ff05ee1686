/**
 * The node utilisation series both the extender (serving) and the trainer (training) read.
 * Passed explicitly to both, so a model is always served features computed from the series it
 * was trained on, whatever either program's built-in default becomes.
 *
 * node-exporter series; `instance` (often `IP:port`) names the node, which the extender maps
 * to the Node by name or InternalIP.
 */

/**
 * Share of non-idle CPU time between the last two scrapes, per instance, 0..1. irate, not rate:
 * rate divides by the whole window, so a series younger than two minutes (a new node, every node
 * after a Prometheus restart) reads far busier than it is.
 */
export const NODE_CPU_QUERY =
  '1 - avg by (instance) (irate(node_cpu_seconds_total{mode="idle"}[2m]))';

/** Share of memory not available for new allocations, per instance, 0..1. */
export const NODE_MEMORY_QUERY = '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes';
