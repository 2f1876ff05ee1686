import type { NodeSample, NodeSpec } from '../types.js';
import { type RatioSeries, seriesAt } from './series.js';

const MILLI_PER_CORE = 1000;

/** A pod as the simulator sees it: what it asks for, and how much it really uses over time. */
export interface SimPod {
  readonly name: string;
  /** CPU request, millicores. */
  readonly cpuMilli: number;
  /** Memory request, bytes. */
  readonly memBytes: number;
  /** Whether the pod tolerates the control-plane NoSchedule taint (DaemonSets, system pods). */
  readonly toleratesControlPlane: boolean;
  /** Actual use as a multiple of the request; read from `usageOffsetSeconds` on at bind time. */
  readonly usage: RatioSeries;
  /** Where in `usage` the pod starts, seconds. Different pods sharing a series start apart. */
  readonly usageOffsetSeconds: number;
  /** How long the pod runs once bound, seconds; `Infinity` for pods still running at the end. */
  readonly runSeconds: number;
}

/** A node's own load (OS, kubelet, system daemons), as fractions of its capacity. */
export interface NodeBackground {
  readonly series: RatioSeries;
  /** Sim time 0 reads the series at this many seconds. */
  readonly offsetSeconds: number;
}

export interface SimClusterProps {
  readonly nodes: readonly NodeSpec[];
  /** Every node needs one: a node without a background would look idler than any real node. */
  readonly background: ReadonlyMap<string, NodeBackground>;
  /** Seconds per `step()`. @default 60 */
  readonly stepSeconds?: number;
  /** Sim time when the cluster starts, seconds. @default 0 */
  readonly startSeconds?: number;
  /** kubelet's `maxPods`; the request filter counts it. @default 110 */
  readonly maxPodsPerNode?: number;
}

/** A pod on a node. */
export interface BoundPod {
  readonly pod: SimPod;
  readonly node: string;
  readonly boundAt: number;
  readonly endsAt: number;
}

/** Requests summed over the pods on a node. */
export interface NodeRequests {
  readonly cpuMilli: number;
  readonly memBytes: number;
  readonly pods: number;
}

/** A node's true demand at one instant: may exceed 1 when pods want more than the node has. */
export interface NodeDemand {
  readonly cpu: number;
  readonly mem: number;
}

interface NodeState {
  readonly spec: NodeSpec;
  readonly cpuCapacityMilli: number;
  readonly background: NodeBackground;
  readonly pods: Map<string, BoundPod>;
  cpuRequested: number;
  memRequested: number;
}

/**
 * The simulated cluster: nodes with capacity, the pods bound to them with their requests, and
 * what everything really uses at each instant.
 *
 * Utilisation is demand over capacity: background plus the sum of pod usage. It is not clipped,
 * so a node whose pods want 130 % of its CPU reads 1.3 here; `sample()` clips to what a node's
 * metrics can show (a node cannot report more than all its CPUs busy) and `demand()` keeps the
 * truth, which is how saturation is counted.
 *
 * The cluster never refuses a bind for lack of room: deciding that is the scheduler's job, and a
 * simulator that silently fixed bad placements would hide them.
 */
export class SimCluster {
  readonly stepSeconds: number;
  readonly maxPodsPerNode: number;
  private readonly nodes = new Map<string, NodeState>();
  private readonly podNode = new Map<string, string>();
  private clock: number;

  constructor(props: SimClusterProps) {
    const stepSeconds = props.stepSeconds ?? 60;
    if (!(stepSeconds > 0)) {
      throw new Error(`stepSeconds must be positive, got ${String(props.stepSeconds)}`);
    }
    const maxPods = props.maxPodsPerNode ?? 110;
    if (!Number.isInteger(maxPods) || maxPods <= 0) {
      throw new Error(`maxPodsPerNode must be a positive integer, got ${String(maxPods)}`);
    }
    if (props.nodes.length === 0) throw new Error('nodes must name at least one node');

    this.stepSeconds = stepSeconds;
    this.maxPodsPerNode = maxPods;
    this.clock = props.startSeconds ?? 0;
    for (const spec of props.nodes) {
      if (this.nodes.has(spec.name)) throw new Error(`nodes lists ${spec.name} twice`);
      if (!(spec.cpuCores > 0) || !(spec.memoryBytes > 0)) {
        throw new Error(`node ${spec.name} needs positive cpuCores and memoryBytes`);
      }
      const background = props.background.get(spec.name);
      if (!background) throw new Error(`background has no series for node ${spec.name}`);
      this.nodes.set(spec.name, {
        spec,
        cpuCapacityMilli: spec.cpuCores * MILLI_PER_CORE,
        background,
        pods: new Map(),
        cpuRequested: 0,
        memRequested: 0,
      });
    }
  }

  /** Current sim time, seconds. */
  get now(): number {
    return this.clock;
  }

  get nodeSpecs(): NodeSpec[] {
    return [...this.nodes.values()].map((n) => n.spec);
  }

  /** Binds `pod` to `node` now. Throws for an unknown node or a pod that is already bound. */
  bind(pod: SimPod, node: string): BoundPod {
    const state = this.node(node);
    if (this.podNode.has(pod.name)) {
      throw new Error(`pod ${pod.name} is already bound to ${String(this.podNode.get(pod.name))}`);
    }
    if (!(pod.cpuMilli >= 0) || !(pod.memBytes >= 0)) {
      throw new Error(`pod ${pod.name} needs non-negative cpuMilli and memBytes`);
    }
    if (!(pod.runSeconds > 0)) {
      throw new Error(`pod ${pod.name} needs a positive runSeconds, got ${String(pod.runSeconds)}`);
    }
    const bound: BoundPod = { pod, node, boundAt: this.clock, endsAt: this.clock + pod.runSeconds };
    state.pods.set(pod.name, bound);
    state.cpuRequested += pod.cpuMilli;
    state.memRequested += pod.memBytes;
    this.podNode.set(pod.name, node);
    return bound;
  }

  /** Removes a bound pod (its lifetime ended, or it was deleted). Throws for an unknown pod. */
  remove(podName: string): BoundPod {
    const nodeName = this.podNode.get(podName);
    if (nodeName === undefined) throw new Error(`pod ${podName} is not bound`);
    const state = this.node(nodeName);
    const bound = state.pods.get(podName) as BoundPod;
    state.pods.delete(podName);
    state.cpuRequested -= bound.pod.cpuMilli;
    state.memRequested -= bound.pod.memBytes;
    // Sums of many additions and removals drift by float error; an empty node is exactly zero.
    if (state.pods.size === 0) {
      state.cpuRequested = 0;
      state.memRequested = 0;
    }
    this.podNode.delete(podName);
    return bound;
  }

  /**
   * Advances the clock one step and removes the pods whose lifetime ended by then.
   * Returns the removed pods, in the order they ended.
   */
  step(): BoundPod[] {
    this.clock += this.stepSeconds;
    const ended: BoundPod[] = [];
    for (const state of this.nodes.values()) {
      for (const bound of state.pods.values()) {
        if (bound.endsAt <= this.clock) ended.push(bound);
      }
    }
    ended.sort((a, b) => a.endsAt - b.endsAt || (a.pod.name < b.pod.name ? -1 : 1));
    for (const bound of ended) this.remove(bound.pod.name);
    return ended;
  }

  /** Requests summed over the pods bound to `node`. */
  requested(node: string): NodeRequests {
    const state = this.node(node);
    return { cpuMilli: state.cpuRequested, memBytes: state.memRequested, pods: state.pods.size };
  }

  /** The pods on `node`. */
  podsOn(node: string): BoundPod[] {
    return [...this.node(node).pods.values()];
  }

  /** Where `pod` is bound, if anywhere. */
  nodeOf(podName: string): string | undefined {
    return this.podNode.get(podName);
  }

  /** Number of bound pods in the cluster. */
  get boundPods(): number {
    return this.podNode.size;
  }

  /** True demand on `node` at the current time, as fractions of capacity (may exceed 1). */
  demand(node: string): NodeDemand {
    const state = this.node(node);
    const bg = seriesAt(state.background.series, state.background.offsetSeconds + this.clock);
    let cpuMilli = bg.cpu * state.cpuCapacityMilli;
    let memBytes = bg.mem * state.spec.memoryBytes;
    for (const bound of state.pods.values()) {
      const elapsed = this.clock - bound.boundAt;
      const ratio = seriesAt(bound.pod.usage, bound.pod.usageOffsetSeconds + elapsed);
      cpuMilli += ratio.cpu * bound.pod.cpuMilli;
      memBytes += ratio.mem * bound.pod.memBytes;
    }
    return { cpu: cpuMilli / state.cpuCapacityMilli, mem: memBytes / state.spec.memoryBytes };
  }

  /**
   * What the node's metrics would report now: demand clipped to [0, 1], since a node cannot show
   * more than all of its CPU busy or all of its memory in use. `t` is `epochSeconds + now`.
   */
  sample(node: string, epochSeconds: number): NodeSample {
    const d = this.demand(node);
    return { t: epochSeconds + this.clock, cpu: Math.min(d.cpu, 1), mem: Math.min(d.mem, 1) };
  }

  private node(name: string): NodeState {
    const state = this.nodes.get(name);
    if (!state) throw new Error(`node ${name} is not in the cluster`);
    return state;
  }
}
