/**
 * The ML policy: what kube-scheduler does with this project's extender configured.
 *
 *   in-tree filters (requests, taints) → POST /filter with the feasible nodes
 *   → in-tree scores on the nodes the extender kept → POST /prioritize
 *   → in-tree + extender score × 10 × weight → highest total (random among ties).
 *
 * Failure handling follows kube-scheduler with a non-ignorable extender: a failed filter call
 * fails this scheduling attempt (the pod stays pending and is retried next step); a failed
 * prioritize call is dropped and the in-tree scores decide alone.
 */
import {
  type Placer,
  type Rng,
  combineScores,
  kubeDefaultFilter,
  kubeDefaultScores,
  nodeRequestViews,
  selectHost,
} from '@mlsched/core';
import type { Logger } from 'pino';
import { ExtenderCallError, type ExtenderClient, podJson } from './extender-client.js';

export interface MlPlacerProps {
  readonly client: ExtenderClient;
  readonly extenderWeight: number;
  readonly rng: Rng;
  readonly log: Logger;
}

/** What happened over a replay, beyond the extender's own call counts. */
export interface MlPolicyCounters {
  /** Attempts where the extender's filter removed every feasible node. */
  filteredOutEverything: number;
  /** Placements where the chosen node was not among kube-default's top-scored nodes. */
  changedChoice: number;
  /** Attempts decided by in-tree scores alone because prioritize failed. */
  prioritizeDropped: number;
  /** Attempts failed because filter failed. */
  filterFailed: number;
}

export interface MlPlacer {
  readonly place: Placer;
  readonly counters: MlPolicyCounters;
  /** Pods that at least one attempt lost to the extender's filter (hot nodes or a failed call). */
  readonly blockedByExtender: ReadonlySet<string>;
}

export function mlPlacer(props: MlPlacerProps): MlPlacer {
  const blockedByExtender = new Set<string>();
  const counters: MlPolicyCounters = {
    filteredOutEverything: 0,
    changedChoice: 0,
    prioritizeDropped: 0,
    filterFailed: 0,
  };

  const place: Placer = async (pod, cluster) => {
    const views = nodeRequestViews(cluster);
    const { feasible } = kubeDefaultFilter(pod, views);
    // kube-scheduler does not call extenders when no node passed its own filters.
    if (feasible.length === 0) return undefined;

    const json = podJson(pod);
    let passed: string[];
    try {
      passed = await props.client.filter(json, feasible);
    } catch (err) {
      if (!(err instanceof ExtenderCallError)) throw err;
      counters.filterFailed++;
      blockedByExtender.add(pod.name);
      props.log.warn({ pod: pod.name, err: err.message }, 'extender filter failed');
      return undefined;
    }
    if (passed.length === 0) {
      counters.filteredOutEverything++;
      blockedByExtender.add(pod.name);
      return undefined;
    }

    const inTree = kubeDefaultScores(
      pod,
      views.filter((v) => passed.includes(v.name)),
    );
    const inTreeTotals = new Map([...inTree].map(([n, s]) => [n, s.total]));
    let extender: Map<string, number> | undefined;
    try {
      extender = await props.client.prioritize(json, passed);
    } catch (err) {
      if (!(err instanceof ExtenderCallError)) throw err;
      counters.prioritizeDropped++;
      props.log.warn({ pod: pod.name, err: err.message }, 'extender prioritize dropped');
    }

    const total = combineScores({
      inTree: inTreeTotals,
      extender,
      extenderWeight: props.extenderWeight,
    });
    const chosen = selectHost(total, props.rng);
    const bestInTree = Math.max(...inTreeTotals.values());
    if (chosen !== undefined && inTreeTotals.get(chosen) !== bestInTree) counters.changedChoice++;
    props.log.debug(
      {
        pod: pod.name,
        node: chosen,
        inTree: Object.fromEntries(inTreeTotals),
        extender: extender && Object.fromEntries(extender),
      },
      'pod placed',
    );
    return chosen;
  };

  return { place, counters, blockedByExtender };
}
