/**
 * Stand-ins for the exporters a cluster runs beside the extender, so the cluster-level queries
 * have data in the live test. Each serves the series and labels of the real exporter, with values
 * taken from the replay's simulated cluster:
 *
 * - node-exporter, one endpoint per node (a real one runs per node, so each has its own
 *   `instance`, and `node_uname_info` names the node): CPU seconds and memory of that node;
 * - kube-state-metrics, one endpoint: allocatable, taints, pod requests and phases, and one
 *   Deployment standing for the replayed pods;
 * - kube-scheduler: the replay's placer plays kube-scheduler's part (filter and prioritize over
 *   HTTP, then choose), so it reports its own attempts with kube-scheduler's metric names,
 *   labels and buckets.
 */
import type { NodeSpec } from '@mlsched/core';

import { Histogram, serveMetrics, type Family, type MetricsEndpoint } from './exposition.js';

export interface NodeLoad {
  readonly cpu: number;
  readonly mem: number;
}

export class NodeExporterState {
  private idle = 0;
  private busy = 0;
  private load: NodeLoad = { cpu: 0, mem: 0 };
  private last = Date.now();

  constructor(readonly spec: NodeSpec) {}

  /** Counters grow in wall time at the current load, as a real node's would. */
  private advance(now: number): void {
    const seconds = Math.max(0, (now - this.last) / 1000);
    this.idle += (1 - this.load.cpu) * seconds;
    this.busy += this.load.cpu * seconds;
    this.last = now;
  }

  setLoad(load: NodeLoad): void {
    this.advance(Date.now());
    this.load = {
      cpu: Math.min(Math.max(load.cpu, 0), 1),
      mem: Math.min(Math.max(load.mem, 0), 1),
    };
  }

  families(): Family[] {
    this.advance(Date.now());
    const cpus = Array.from({ length: this.spec.cpuCores }, (_, i) => String(i));
    return [
      {
        name: 'node_cpu_seconds_total',
        type: 'counter',
        help: 'Seconds the CPUs spent in each mode.',
        samples: cpus.flatMap((cpu) => [
          { labels: { cpu, mode: 'idle' }, value: this.idle },
          { labels: { cpu, mode: 'user' }, value: this.busy },
        ]),
      },
      {
        name: 'node_memory_MemTotal_bytes',
        type: 'gauge',
        help: 'Memory information field MemTotal_bytes.',
        samples: [{ labels: {}, value: this.spec.memoryBytes }],
      },
      {
        name: 'node_memory_MemAvailable_bytes',
        type: 'gauge',
        help: 'Memory information field MemAvailable_bytes.',
        samples: [{ labels: {}, value: Math.round(this.spec.memoryBytes * (1 - this.load.mem)) }],
      },
      {
        name: 'node_uname_info',
        type: 'gauge',
        help: 'Labeled system information as provided by the uname system call.',
        samples: [{ labels: { nodename: this.spec.name, sysname: 'Linux' }, value: 1 }],
      },
    ];
  }
}

export interface PodRecord {
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  readonly cpuMilli: number;
  readonly memBytes: number;
}

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
const CONTROL_PLANE_TAINT = 'node-role.kubernetes.io/control-plane';

export class KubeStateState {
  readonly pods = new Map<string, PodRecord>();
  /** Pods of the replay that have arrived and not ended, and how many of them are bound. */
  desired = 0;

  constructor(private readonly nodes: readonly NodeSpec[]) {}

  families(): Family[] {
    const pods = [...this.pods.values()];
    const podLabels = (p: PodRecord) => ({ namespace: p.namespace, pod: p.name });
    return [
      {
        name: 'kube_node_status_allocatable',
        type: 'gauge',
        help: 'The allocatable for different resources of a node.',
        samples: this.nodes.flatMap((n) => [
          { labels: { node: n.name, resource: 'cpu', unit: 'core' }, value: n.cpuCores },
          { labels: { node: n.name, resource: 'memory', unit: 'byte' }, value: n.memoryBytes },
        ]),
      },
      {
        name: 'kube_node_spec_taint',
        type: 'gauge',
        help: 'The taint of a cluster node.',
        samples: this.nodes
          .filter((n) => n.tainted)
          .map((n) => ({
            labels: { node: n.name, key: CONTROL_PLANE_TAINT, value: '', effect: 'NoSchedule' },
            value: 1,
          })),
      },
      {
        name: 'kube_pod_container_resource_requests',
        type: 'gauge',
        help: 'The number of requested request resource by a container.',
        samples: pods.flatMap((p) => [
          {
            labels: {
              ...podLabels(p),
              container: 'main',
              node: p.node,
              resource: 'cpu',
              unit: 'core',
            },
            value: p.cpuMilli / 1000,
          },
          {
            labels: {
              ...podLabels(p),
              container: 'main',
              node: p.node,
              resource: 'memory',
              unit: 'byte',
            },
            value: p.memBytes,
          },
        ]),
      },
      {
        name: 'kube_pod_status_phase',
        type: 'gauge',
        help: 'The pods current phase.',
        samples: pods.flatMap((p) =>
          PHASES.map((phase) => ({
            labels: { ...podLabels(p), phase },
            value: phase === 'Running' ? 1 : 0,
          })),
        ),
      },
      {
        name: 'kube_deployment_spec_replicas',
        type: 'gauge',
        help: 'Number of desired pods for a deployment.',
        samples: [{ labels: { namespace: 'replay', deployment: 'replay' }, value: this.desired }],
      },
      {
        name: 'kube_deployment_status_replicas_available',
        type: 'gauge',
        help: 'The number of available replicas per deployment.',
        samples: [{ labels: { namespace: 'replay', deployment: 'replay' }, value: this.pods.size }],
      },
    ];
  }
}

/** kube-scheduler's bucket layout for attempt latency: 1 ms doubling, 15 buckets. */
const SCHEDULER_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);

export class SchedulerStandIn {
  private readonly latency = new Histogram(
    'scheduler_scheduling_attempt_duration_seconds',
    'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
    SCHEDULER_BUCKETS,
  );
  private readonly attempts = new Map<string, number>();

  constructor(private readonly profile: string) {}

  attempt(result: 'scheduled' | 'unschedulable' | 'error', seconds: number): void {
    this.latency.observe({ result, profile: this.profile }, seconds);
    this.attempts.set(result, (this.attempts.get(result) ?? 0) + 1);
  }

  families(): Family[] {
    return [
      this.latency.family(),
      {
        name: 'scheduler_schedule_attempts_total',
        type: 'counter',
        help: 'Number of attempts to schedule pods, by the result.',
        samples: [...this.attempts].map(([result, value]) => ({
          labels: { result, profile: this.profile },
          value,
        })),
      },
    ];
  }
}

export interface StandIns {
  readonly nodes: ReadonlyMap<string, NodeExporterState>;
  readonly kubeState: KubeStateState;
  readonly scheduler: SchedulerStandIn;
  /** Every stand-in endpoint, as Prometheus targets. */
  readonly targets: readonly string[];
  close(): Promise<void>;
}

export async function startStandIns(
  nodes: readonly NodeSpec[],
  profile: string,
): Promise<StandIns> {
  const states = new Map(nodes.map((n) => [n.name, new NodeExporterState(n)]));
  const kubeState = new KubeStateState(nodes);
  const scheduler = new SchedulerStandIn(profile);
  const endpoints: MetricsEndpoint[] = [];
  try {
    for (const state of states.values()) endpoints.push(await serveMetrics(() => state.families()));
    endpoints.push(await serveMetrics(() => kubeState.families()));
    endpoints.push(await serveMetrics(() => scheduler.families()));
  } catch (err) {
    await Promise.all(endpoints.map((e) => e.close()));
    throw err;
  }
  return {
    nodes: states,
    kubeState,
    scheduler,
    targets: endpoints.map((e) => e.target),
    close: async () => {
      await Promise.all(endpoints.map((e) => e.close()));
    },
  };
}
