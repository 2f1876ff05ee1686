/**
 * The scoring formulas, free of I/O so they can be tested by value and run on the request path
 * without allocating. Utilisation figures are fractions of a node's allocatable capacity; NaN
 * means "not known" and is handled explicitly by every function here, so it never reaches a score.
 *
 * Projection, per resource r (cpu, memory):
 *
 *   projected_r = base_r + (pod_r + inflight_r) / capacity_r
 *
 *   base_r      the model's forecast for the node, or its newest observed utilisation when no
 *               forecast exists; when the node has no usable metric for r, the request-based
 *               estimate requested_r / capacity_r stands in (inflight is then already inside
 *               requested_r), and when that is unknown too, r is unknown.
 *   pod_r       the pod's requests, else limits, else the configured default.
 *   inflight_r  pods bound to the node since its newest metrics sample (InflightTracker).
 *   capacity_r  allocatable; when unknown the pod and in-flight terms cannot be expressed as a
 *               fraction and are left out.
 *
 * Fitness of one resource at utilisation u, with target T (TARGET_UTILIZATION):
 *
 *   u ≤ T      f = 1 − 0.4 · u / T            falls from 1.0 (idle) to 0.6 (at target)
 *   T < u < 1  f = 0.5 · (1 − u) / (1 − T)      falls from 0.5 to 0 (full)
 *   u ≥ 1      f = 0
 *   unknown    f = 0.5                          neutral
 *
 * Under the target the score spreads load: the node predicted to stay emptiest wins. The cluster
 * this serves has a fixed set of workers, so headroom on every node is what keeps peaks, p95 and
 * hot-node time down; packing pods up to the target would concentrate the very bursts the model
 * cannot foresee. The drop at T is deliberate: every node that stays under the target outranks
 * every node that would cross it, and a node we know nothing about (0.5) ranks between the two.
 *
 * Node score:
 *
 *   fitness = min(f_cpu, f_mem) − 0.2 · |u_cpu − u_mem|     (penalty only when both are known)
 *   score   = round(10 · clamp(fitness, 0, 1))               integer 0..10
 *
 * The minimum makes the scarcer resource decide; the penalty prefers nodes whose CPU and memory
 * fill evenly, so one resource is not stranded while the other runs out.
 */

/** kube-scheduler's `MaxExtenderPriority`: it multiplies extender scores by 10 to reach 0..100. */
export const MAX_EXTENDER_PRIORITY = 10;
/** kube-scheduler's `MinExtenderPriority`. */
export const MIN_EXTENDER_PRIORITY = 0;
/** Score of a node about which nothing is known: the middle, neither preferred nor avoided. */
export const NEUTRAL_SCORE = 5;

/** Fitness of a resource exactly at the target; above 0.5 so nodes under it beat unknown ones. */
export const AT_TARGET_FITNESS = 0.6;
/** Fitness just above the target; also the value given to an unknown resource. */
export const NEUTRAL_FITNESS = 0.5;
/** Weight of the CPU/memory imbalance penalty. */
export const IMBALANCE_WEIGHT = 0.2;

/**
 * Projected utilisation of one resource after placing the pod, or NaN when unknown.
 *
 * @param observed  forecast or newest observed utilisation (0..1), NaN when no usable metric
 * @param requested sum of requests of pods bound to the node, NaN when not known
 * @param inflight  amount placed on the node since its newest sample
 * @param capacity  allocatable amount, NaN when not known
 * @param pod       the pod's estimated amount
 */
export function projectResource(
  observed: number,
  requested: number,
  inflight: number,
  capacity: number,
  pod: number,
): number {
  const hasCapacity = capacity > 0 && Number.isFinite(capacity);
  if (Number.isFinite(observed)) {
    const base = observed > 0 ? observed : 0;
    if (!hasCapacity) return base;
    const extra = (pod > 0 ? pod : 0) + (inflight > 0 ? inflight : 0);
    return base + extra / capacity;
  }
  if (hasCapacity && Number.isFinite(requested) && requested >= 0) {
    return (requested + (pod > 0 ? pod : 0)) / capacity;
  }
  return NaN;
}

/** Fitness of one resource (0..1) at projected utilisation `u`; see the module comment. */
export function resourceFitness(u: number, target: number): number {
  if (Number.isNaN(u)) return NEUTRAL_FITNESS;
  if (u <= 0) return 1;
  if (u <= target) return 1 - ((1 - AT_TARGET_FITNESS) * u) / target;
  if (u >= 1) return 0;
  return (NEUTRAL_FITNESS * (1 - u)) / (1 - target);
}

/** Integer score 0..10 for a node with projected CPU and memory utilisation (NaN = unknown). */
export function nodeScore(cpu: number, mem: number, target: number): number {
  let fitness = Math.min(resourceFitness(cpu, target), resourceFitness(mem, target));
  if (!Number.isNaN(cpu) && !Number.isNaN(mem)) {
    const c = cpu < 0 ? 0 : cpu > 1 ? 1 : cpu;
    const m = mem < 0 ? 0 : mem > 1 ? 1 : mem;
    fitness -= IMBALANCE_WEIGHT * Math.abs(c - m);
  }
  if (!(fitness > 0)) return MIN_EXTENDER_PRIORITY;
  if (fitness >= 1) return MAX_EXTENDER_PRIORITY;
  return Math.round(MAX_EXTENDER_PRIORITY * fitness);
}

/** True when a known projection exceeds the hot threshold. Unknown (NaN) is never hot. */
export function exceedsHot(u: number, hotThreshold: number): boolean {
  return u > hotThreshold;
}
