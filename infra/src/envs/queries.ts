/**
 * The node utilisation series both the extender (serving) and the trainer (training) read, from
 * @mlsched/core. Passed explicitly to both, so a model is always served features computed from
 * the series it was trained on, whatever either program's built-in default becomes.
 */
export { NODE_CPU_QUERY, NODE_MEMORY_QUERY } from '@mlsched/core';
