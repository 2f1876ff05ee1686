/**
 * Replays a workload over a simulated cluster with one placement policy.
 *
 * Each step (default 60 s):
 *   1. pods whose arrival time has come join the pending queue (arrival order);
 *   2. every pending pod is offered to the policy; a pod the policy cannot place stays pending and
 *      is retried next step, as kube-scheduler retries unschedulable pods; a pod still pending
 *      when its running time has passed since arrival is given up (it would have been deleted);
 *   3. the clock advances, pods whose lifetime ended are removed;
 *   4. the workers' demand is recorded, and every node's sample is handed to `onSamples` (what the
 *      metrics pipeline would scrape).
 *
 * Before the replay, `prefillSeconds` of samples of the idle cluster (background only) go to
 * `onSamples`, so a forecaster starts with the history it needs instead of a cold cache.
 */
import type { NodeSample, NodeSpec } from '../types.js';
import { type BoundPod, SimCluster } from './cluster-state.js';
import { StatsRecorder, type PolicyStats } from './stats.js';
import type { Workload, WorkloadPod } from './workload.js';

/** Chooses a node for `pod`, or `undefined` when none will do. */
export type Placer = (pod: WorkloadPod, cluster: SimCluster) => Promise<string | undefined>;

export interface ReplayProps {
  readonly workload: Workload;
  readonly nodes: readonly NodeSpec[];
  readonly place: Placer;
  /** Unix seconds that sim time 0 stands for (what samples carry in `t`). */
  readonly epochSeconds: number;
  /** @default 60 */
  readonly stepSeconds?: number;
  /** Idle history handed to `onSamples` before the replay. @default 0 */
  readonly prefillSeconds?: number;
  /** Every node's sample after each step (and during prefill). */
  readonly onSamples?: (samples: ReadonlyMap<string, NodeSample>) => void | Promise<void>;
  readonly onBound?: (bound: BoundPod) => void | Promise<void>;
  readonly onRemoved?: (bound: BoundPod) => void | Promise<void>;
  /** Progress: called after each step with the sim time. */
  readonly onStep?: (now: number, cluster: SimCluster) => void;
}

export interface ReplayResult {
  readonly stats: PolicyStats;
  /** Where each placed pod went. */
  readonly placements: ReadonlyMap<string, string>;
}

export async function replay(props: ReplayProps): Promise<ReplayResult> {
  const stepSeconds = props.stepSeconds ?? 60;
  const prefill = props.prefillSeconds ?? 0;
  if (!(prefill >= 0)) throw new Error(`prefillSeconds must be >= 0, got ${String(prefill)}`);
  const horizon = props.workload.summary.horizonSeconds;
  const cluster = new SimCluster({
    nodes: props.nodes,
    background: props.workload.background,
    stepSeconds,
    startSeconds: -Math.floor(prefill / stepSeconds) * stepSeconds,
  });
  const workers = props.nodes.filter((n) => !n.tainted);
  const maxCpu = Math.max(...workers.map((n) => n.cpuCores * 1000));
  const maxMem = Math.max(...workers.map((n) => n.memoryBytes));
  const stats = new StatsRecorder(
    workers.map((n) => n.name),
    stepSeconds,
  );
  const placements = new Map<string, string>();

  const emitSamples = async (): Promise<void> => {
    if (!props.onSamples) return;
    const samples = new Map<string, NodeSample>();
    for (const n of props.nodes) samples.set(n.name, cluster.sample(n.name, props.epochSeconds));
    await props.onSamples(samples);
  };

  await emitSamples();
  while (cluster.now < 0) {
    cluster.step();
    await emitSamples();
  }

  const pods = props.workload.pods;
  let next = 0;
  let pending: WorkloadPod[] = [];
  while (cluster.now < horizon) {
    const now = cluster.now;
    // A pod arriving during this step is scheduled at its start: the replay's resolution is one
    // step, and counting the rounding as waiting would make every pod look late.
    while (next < pods.length && (pods[next] as WorkloadPod).arrivalSeconds < now + stepSeconds) {
      pending.push(pods[next] as WorkloadPod);
      stats.arrival();
      next++;
    }

    const still: WorkloadPod[] = [];
    for (const pod of pending) {
      if (now >= pod.arrivalSeconds + pod.runSeconds) {
        stats.notPlacedPod(pod.cpuMilli > maxCpu || pod.memBytes > maxMem);
        continue;
      }
      stats.attempt();
      const node = await props.place(pod, cluster);
      if (node === undefined) {
        still.push(pod);
        continue;
      }
      // The pod's lifetime counts from arrival, so a late placement runs for less time.
      const waited = Math.max(0, now - pod.arrivalSeconds);
      const bound = cluster.bind({ ...pod, runSeconds: pod.runSeconds - waited }, node);
      placements.set(pod.name, node);
      stats.placement(node, waited);
      await props.onBound?.(bound);
    }
    pending = still;

    for (const ended of cluster.step()) await props.onRemoved?.(ended);
    const demand = new Map(workers.map((n) => [n.name, cluster.demand(n.name)]));
    stats.recordStep(demand);
    await emitSamples();
    props.onStep?.(cluster.now, cluster);
  }
  // Pods that arrived but were still waiting when the horizon ended.
  for (const pod of pending) stats.notPlacedPod(pod.cpuMilli > maxCpu || pod.memBytes > maxMem);

  return { stats: stats.summary(), placements };
}
