import {
  kubeDefaultFilter,
  kubeDefaultScores,
  nodeRequestViews,
  selectHost,
} from './kube-default.js';
import type { Placer } from './replay.js';
import type { Rng } from './rng.js';

/**
 * The baseline policy: kube-scheduler's defaults on requests alone (filter, then LeastAllocated +
 * BalancedAllocation), ties broken by `rng`.
 */
export function kubeDefaultPlacer(rng: Rng): Placer {
  return async (pod, cluster) => {
    const views = nodeRequestViews(cluster);
    const { feasible } = kubeDefaultFilter(pod, views);
    if (feasible.length === 0) return undefined;
    const scores = kubeDefaultScores(
      pod,
      views.filter((v) => feasible.includes(v.name)),
    );
    return selectHost(new Map([...scores].map(([n, s]) => [n, s.total])), rng);
  };
}
