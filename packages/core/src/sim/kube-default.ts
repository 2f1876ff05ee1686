/**
 * kube-scheduler's default placement on REQUESTS, as the baseline the extender is compared with
 * and as the in-tree half of the combined score when the extender is on.
 *
 * Formulas follow kube-scheduler (read from kubernetes `pkg/scheduler/framework/plugins/
 * noderesources/` and `pkg/scheduler/schedule_one.go`, v1.26 and later):
 *
 * - Filter `NodeResourcesFit`: the pod's requests must fit allocatable minus what the pods already
 *   on the node request (plain requests, no defaults for zero), and the node's pod count must stay
 *   within `maxPods`.
 * - Filter `TaintToleration`: control-plane nodes carry `node-role.kubernetes.io/control-plane:
 *   NoSchedule`; only pods that tolerate it may land there.
 * - Score `NodeResourcesFit` (strategy `LeastAllocated`, cpu and memory weight 1): per resource
 *   `(allocatable - requested) * 100 / allocatable` in integer arithmetic (0 when over), averaged
 *   by weight with integer division. `requested` counts every pod's request with the scheduler's
 *   non-zero defaults (100 millicores, 200 MiB) for a pod that requests nothing.
 * - Score `NodeResourcesBalancedAllocation`: `(1 - std) * 100` truncated, where std is the
 *   standard deviation of the requested/allocatable fractions (each capped at 1); with two
 *   resources that is `|cpuFraction - memFraction| / 2`. Plain requests, no defaults.
 * - Both plugins have weight 1 in the default profile. The other default score plugins
 *   (TaintToleration, NodeAffinity, PodTopologySpread, InterPodAffinity, ImageLocality) give every
 *   node the same score for the pods simulated here (no PreferNoSchedule taints, affinities,
 *   spread constraints or images), so they add a constant and are left out.
 * - An extender's score (0..MaxExtenderPriority = 10) is multiplied by
 *   MaxNodeScore / MaxExtenderPriority = 10 and by the extender's `weight`, then added to the sum
 *   of the plugins' weighted scores. The highest total wins; ties are broken at random.
 *
 * Newer kube-scheduler releases may refine BalancedAllocation; this module pins the ≥1.26 form.
 */
import type { Rng } from './rng.js';
import type { SimCluster } from './cluster-state.js';

/** kube-scheduler's `framework.MaxNodeScore`. */
export const MAX_NODE_SCORE = 100;
/** kube-scheduler's `extenderv1.MaxExtenderPriority`. */
export const MAX_EXTENDER_PRIORITY = 10;
/** What LeastAllocated counts for a pod that requests no CPU (`DefaultMilliCPURequest`). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** What LeastAllocated counts for a pod that requests no memory (`DefaultMemoryRequest`). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;
/** Default score-plugin weights in kube-scheduler's default profile. */
export const PLUGIN_WEIGHTS = { leastAllocated: 1, balancedAllocation: 1 } as const;

/**
 * The extender weight this project ships (in the KubeSchedulerConfiguration's `extenders[]`).
 *
 * Why 2: the extender's score reaches kube-scheduler as `score * 10 * weight`, so its full range
 * (0 vs 10) is worth `100 * weight` points, while the two in-tree resource plugins together span
 * 0..200. With weight 1 the extender cannot overturn an in-tree gap above 100 points — it is an
 * advisor the scheduler may ignore (field case X07: a 150-point gap). Weight 2 gives the extender
 * the same 200-point range as the in-tree resource scoring, so a strong load signal (e.g. 10 vs
 * 0) wins over a moderate request imbalance, while request-based scoring still keeps a pod off a
 * node that is nearly full by requests unless the extender sees a large difference in real load
 * (field case X12). A larger weight would let the forecast override request packing entirely,
 * and with it the protection requests give against pods that have not started using their share.
 */
export const RECOMMENDED_EXTENDER_WEIGHT = 2;

/** What a pod asks for, as the request-based plugins read it. */
export interface PodRequests {
  readonly name: string;
  /** CPU request, millicores. */
  readonly cpuMilli: number;
  /** Memory request, bytes. */
  readonly memBytes: number;
  readonly toleratesControlPlane: boolean;
}

/** A node as the request-based plugins see it. */
export interface NodeRequestView {
  readonly name: string;
  readonly allocatableCpuMilli: number;
  readonly allocatableMemBytes: number;
  /** Sum of the requests of the pods on the node. */
  readonly requestedCpuMilli: number;
  readonly requestedMemBytes: number;
  /** The same sums with the scheduler's defaults for zero requests (LeastAllocated reads these). */
  readonly nonZeroRequestedCpuMilli: number;
  readonly nonZeroRequestedMemBytes: number;
  readonly pods: number;
  readonly maxPods: number;
  /** Carries the control-plane NoSchedule taint. */
  readonly tainted: boolean;
}

/** Why a node failed the filter, in kube-scheduler's words. */
export type FilterReason =
  | 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'
  | 'Too many pods'
  | 'Insufficient cpu'
  | 'Insufficient memory';

export interface FilterResult {
  /** Nodes that pass, in input order. */
  readonly feasible: string[];
  /** Each failed node with every reason it failed. */
  readonly failed: ReadonlyMap<string, readonly FilterReason[]>;
}

/** The in-tree scores of one node, before weights. */
export interface InTreeScore {
  readonly leastAllocated: number;
  readonly balancedAllocation: number;
  /** Σ plugin score × plugin weight. */
  readonly total: number;
}

/** Request-based views of every node in a simulated cluster. */
export function nodeRequestViews(cluster: SimCluster): NodeRequestView[] {
  return cluster.nodeSpecs.map((spec) => {
    const pods = cluster.podsOn(spec.name);
    let cpu = 0;
    let mem = 0;
    let nzCpu = 0;
    let nzMem = 0;
    for (const { pod } of pods) {
      cpu += pod.cpuMilli;
      mem += pod.memBytes;
      nzCpu += nonZeroCpu(pod.cpuMilli);
      nzMem += nonZeroMem(pod.memBytes);
    }
    return {
      name: spec.name,
      allocatableCpuMilli: Math.round(spec.cpuCores * 1000),
      allocatableMemBytes: spec.memoryBytes,
      requestedCpuMilli: cpu,
      requestedMemBytes: mem,
      nonZeroRequestedCpuMilli: nzCpu,
      nonZeroRequestedMemBytes: nzMem,
      pods: pods.length,
      maxPods: cluster.maxPodsPerNode,
      tainted: spec.tainted,
    };
  });
}

/** TaintToleration + NodeResourcesFit filters. */
export function kubeDefaultFilter(
  pod: PodRequests,
  nodes: readonly NodeRequestView[],
): FilterResult {
  const feasible: string[] = [];
  const failed = new Map<string, FilterReason[]>();
  for (const node of nodes) {
    const reasons: FilterReason[] = [];
    if (node.tainted && !pod.toleratesControlPlane) {
      reasons.push('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }');
    }
    if (node.pods + 1 > node.maxPods) reasons.push('Too many pods');
    if (pod.cpuMilli > 0 && pod.cpuMilli > node.allocatableCpuMilli - node.requestedCpuMilli) {
      reasons.push('Insufficient cpu');
    }
    if (pod.memBytes > 0 && pod.memBytes > node.allocatableMemBytes - node.requestedMemBytes) {
      reasons.push('Insufficient memory');
    }
    if (reasons.length === 0) feasible.push(node.name);
    else failed.set(node.name, reasons);
  }
  return { feasible, failed };
}

/** One resource's LeastAllocated score: integer share of allocatable left after the pod, 0..100. */
export function leastRequestedScore(requested: number, allocatable: number): number {
  if (allocatable === 0 || requested > allocatable) return 0;
  return Math.floor(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

/** NodeResourcesFit's LeastAllocated score for `pod` on `node`, 0..100. */
export function leastAllocatedScore(pod: PodRequests, node: NodeRequestView): number {
  const cpu = leastRequestedScore(
    node.nonZeroRequestedCpuMilli + nonZeroCpu(pod.cpuMilli),
    node.allocatableCpuMilli,
  );
  const mem = leastRequestedScore(
    node.nonZeroRequestedMemBytes + nonZeroMem(pod.memBytes),
    node.allocatableMemBytes,
  );
  // Resources with zero allocatable drop out of the weighted average, as in kube-scheduler.
  let sum = 0;
  let weights = 0;
  if (node.allocatableCpuMilli > 0) {
    sum += cpu;
    weights += 1;
  }
  if (node.allocatableMemBytes > 0) {
    sum += mem;
    weights += 1;
  }
  return weights === 0 ? 0 : Math.floor(sum / weights);
}

/** NodeResourcesBalancedAllocation's score for `pod` on `node`, 0..100. */
export function balancedAllocationScore(pod: PodRequests, node: NodeRequestView): number {
  const fractions: number[] = [];
  if (node.allocatableCpuMilli > 0) {
    fractions.push(Math.min(1, (node.requestedCpuMilli + pod.cpuMilli) / node.allocatableCpuMilli));
  }
  if (node.allocatableMemBytes > 0) {
    fractions.push(Math.min(1, (node.requestedMemBytes + pod.memBytes) / node.allocatableMemBytes));
  }
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs(((fractions[0] as number) - (fractions[1] as number)) / 2);
  } else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/** The in-tree scores for each of `nodes` (normally the feasible ones). */
export function kubeDefaultScores(
  pod: PodRequests,
  nodes: readonly NodeRequestView[],
): Map<string, InTreeScore> {
  const out = new Map<string, InTreeScore>();
  for (const node of nodes) {
    const leastAllocated = leastAllocatedScore(pod, node);
    const balancedAllocation = balancedAllocationScore(pod, node);
    out.set(node.name, {
      leastAllocated,
      balancedAllocation,
      total:
        leastAllocated * PLUGIN_WEIGHTS.leastAllocated +
        balancedAllocation * PLUGIN_WEIGHTS.balancedAllocation,
    });
  }
  return out;
}

export interface CombineScoresProps {
  /** Σ in-tree plugin score × weight per node (the nodes that passed every filter). */
  readonly inTree: ReadonlyMap<string, number>;
  /** The extender's prioritize reply, 0..10 per node; nodes it left out get no extender points. */
  readonly extender?: ReadonlyMap<string, number>;
  /** The extender's `weight` in the scheduler configuration: a positive integer. */
  readonly extenderWeight: number;
}

/** kube-scheduler's total per node: in-tree sum plus `extenderScore × 10 × weight`. */
export function combineScores(props: CombineScoresProps): Map<string, number> {
  if (!Number.isInteger(props.extenderWeight) || props.extenderWeight <= 0) {
    throw new Error(
      `extenderWeight must be a positive integer (kube-scheduler rejects others), got ${String(
        props.extenderWeight,
      )}`,
    );
  }
  const scale = MAX_NODE_SCORE / MAX_EXTENDER_PRIORITY;
  const out = new Map<string, number>();
  for (const [node, score] of props.inTree) {
    if (!Number.isFinite(score)) throw new Error(`inTree score of ${node} is not finite`);
    out.set(node, score);
  }
  for (const [node, score] of props.extender ?? []) {
    // kube-scheduler decodes Score as int64: a non-integer makes it drop the whole reply.
    if (!Number.isInteger(score)) {
      throw new Error(`extender score of ${node} must be an integer, got ${String(score)}`);
    }
    const base = out.get(node);
    // Scores for nodes that did not pass the filters are never looked up by kube-scheduler.
    if (base === undefined) continue;
    out.set(node, base + score * scale * props.extenderWeight);
  }
  return out;
}

/**
 * The node with the highest total; among equal totals one is picked uniformly at random (as
 * kube-scheduler does), from `rng` so a replay is repeatable. `undefined` for no nodes.
 */
export function selectHost(scores: ReadonlyMap<string, number>, rng: Rng): string | undefined {
  let best: string | undefined;
  let bestScore = -Infinity;
  let ties = 0;
  for (const [node, score] of scores) {
    if (score > bestScore) {
      best = node;
      bestScore = score;
      ties = 1;
    } else if (score === bestScore) {
      ties++;
      if (rng.int(ties) === 0) best = node;
    }
  }
  return best;
}

function nonZeroCpu(milli: number): number {
  return milli === 0 ? DEFAULT_MILLI_CPU_REQUEST : milli;
}

function nonZeroMem(bytes: number): number {
  return bytes === 0 ? DEFAULT_MEMORY_REQUEST : bytes;
}
