import { combineScores, MAX_EXTENDER_PRIORITY } from '@mlsched/core';

/**
 * The in-tree gap of field case X07: kube-scheduler's resource plugins prefer node B over node A
 * by this many points while the extender prefers A with its full range (10 vs 0).
 */
export const X07_IN_TREE_GAP = 150;

/**
 * The smallest extender weight with which a full-range extender preference (10 vs 0) overturns
 * an in-tree gap of `gap` points, computed with the same `combineScores` the simulator uses, so
 * the shipped weight and the demo cannot disagree on kube-scheduler's arithmetic.
 */
export function minimumOverturningWeight(gap: number): number {
  const inTree = new Map([
    ['a', 0],
    ['b', gap],
  ]);
  const extender = new Map([
    ['a', MAX_EXTENDER_PRIORITY],
    ['b', 0],
  ]);
  // A weight above 100 would make every other plugin irrelevant: no sane gap needs more.
  for (let weight = 1; weight <= 100; weight++) {
    const total = combineScores({ inTree, extender, extenderWeight: weight });
    if ((total.get('a') ?? 0) > (total.get('b') ?? 0)) return weight;
  }
  throw new Error(`no extender weight up to 100 overturns an in-tree gap of ${gap}`);
}
