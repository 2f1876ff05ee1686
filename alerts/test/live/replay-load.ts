/**
 * Drives a running extender the way kube-scheduler would during a replay: the in-tree filters
 * (taints, requests), then POST /filter and POST /prioritize over HTTP, then the best-scored node.
 * The simulated cluster's samples feed the extender's store (as its metrics refresher would) and
 * the stand-in exporters (as node-exporter and kube-state-metrics would see the same cluster).
 */
import { setTimeout as sleep } from 'node:timers/promises';

import {
  kubeDefaultFilter,
  nodeRequestViews,
  replay,
  type LoadPredictor,
  type NodeSpec,
  type Placer,
  type Workload,
  type WorkloadPod,
} from '@mlsched/core';
import type { InflightTracker, ManualClock, NodeMetricsStore } from '@mlsched/scheduler';

import type { StandIns } from './stand-ins.js';

export interface ReplayLoadProps {
  readonly extenderUrl: string;
  readonly store: NodeMetricsStore;
  readonly inflight: InflightTracker;
  readonly clock: ManualClock;
  readonly standIns: StandIns;
  readonly workload: Workload;
  readonly nodes: readonly NodeSpec[];
  /** Unix seconds that simulated time 0 stands for. */
  readonly epochSeconds: number;
  /** Wall milliseconds each simulated step lasts, so Prometheus scrapes during the replay. */
  readonly stepWallMs: number;
  /** Idle history fed before the first pod, simulated seconds. */
  readonly prefillSeconds: number;
}

export interface ReplayLoadResult {
  /** HTTP calls made, by verb, and those not answered 200. */
  readonly calls: { readonly filter: number; readonly prioritize: number; readonly failed: number };
  readonly placed: number;
}

const NAMESPACE = 'replay';

function podJson(pod: WorkloadPod) {
  return {
    metadata: { name: pod.name, namespace: NAMESPACE, uid: `uid-${pod.name}` },
    spec: {
      containers: [
        {
          name: 'main',
          resources: { requests: { cpu: `${pod.cpuMilli}m`, memory: String(pod.memBytes) } },
        },
      ],
    },
  };
}

export async function replayLoad(p: ReplayLoadProps): Promise<ReplayLoadResult> {
  const calls = { filter: 0, prioritize: 0, failed: 0 };

  async function call<T>(verb: 'filter' | 'prioritize', body: unknown): Promise<T | undefined> {
    calls[verb]++;
    const res = await fetch(`${p.extenderUrl}/${verb}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) {
      calls.failed++;
      return undefined;
    }
    return (await res.json()) as T;
  }

  // kube-scheduler's side, with the extender marked ignorable: a failed call is skipped.
  const place: Placer = async (pod, cluster) => {
    const started = performance.now();
    const done = (result: 'scheduled' | 'unschedulable', node?: string) => {
      p.standIns.scheduler.attempt(result, (performance.now() - started) / 1000);
      return node;
    };
    const feasible = kubeDefaultFilter(pod, nodeRequestViews(cluster)).feasible;
    if (feasible.length === 0) return done('unschedulable');

    const Pod = podJson(pod);
    const filtered = await call<{ NodeNames?: string[] | null }>('filter', {
      Pod,
      NodeNames: feasible,
    });
    const passed = filtered ? (filtered.NodeNames ?? []) : feasible;
    if (passed.length === 0) return done('unschedulable');
    const scores = await call<Array<{ Host: string; Score: number }>>('prioritize', {
      Pod,
      NodeNames: passed,
    });
    let best = passed[0];
    let bestScore = -1;
    for (const s of scores ?? []) {
      if (s.Score > bestScore) {
        best = s.Host;
        bestScore = s.Score;
      }
    }
    return done('scheduled', best);
  };

  const result = await replay({
    workload: p.workload,
    nodes: p.nodes,
    place,
    epochSeconds: p.epochSeconds,
    prefillSeconds: p.prefillSeconds,
    onSamples: async (samples) => {
      // Pods placed in this step stay in flight (not yet in a sample) during the pause, as they
      // do between two metric refreshes in a cluster.
      await sleep(p.stepWallMs);
      for (const [node, s] of samples) {
        p.clock.set(s.t);
        p.store.ingest(node, { t: s.t, cpu: s.cpu, mem: s.mem });
        p.standIns.nodes.get(node)?.setLoad({ cpu: s.cpu, mem: s.mem });
      }
    },
    onBound: (bound) => {
      p.inflight.place({
        uid: `uid-${bound.pod.name}`,
        node: bound.node,
        cpuMillicores: bound.pod.cpuMilli,
        memoryBytes: bound.pod.memBytes,
        placedAt: p.clock.now(),
      });
      p.standIns.kubeState.pods.set(bound.pod.name, {
        namespace: NAMESPACE,
        name: bound.pod.name,
        node: bound.node,
        cpuMilli: bound.pod.cpuMilli,
        memBytes: bound.pod.memBytes,
      });
    },
    onRemoved: (bound) => {
      p.inflight.remove(`uid-${bound.pod.name}`);
      p.standIns.kubeState.pods.delete(bound.pod.name);
    },
    onStep: (now) => {
      p.standIns.kubeState.desired = p.workload.pods.filter(
        (pod) => pod.arrivalSeconds <= now && now < pod.arrivalSeconds + pod.runSeconds,
      ).length;
    },
  });
  return { calls, placed: result.placements.size };
}

/**
 * Forecasts that a node's load stays where it is: the `last_value` baseline the trainer measures
 * every model against. The live test is about the metrics pipeline, not forecast quality, and
 * this keeps it independent of training (seconds of CPU on a shared machine).
 */
export function persistencePredictor(version: string): LoadPredictor {
  return {
    version,
    horizonSeconds: 300,
    historySeconds: 600,
    predict(history, now) {
      const last = history[history.length - 1];
      if (!last || now - last.t > 600) return undefined;
      return { cpu: last.cpu, mem: last.mem };
    },
    close() {},
  };
}
