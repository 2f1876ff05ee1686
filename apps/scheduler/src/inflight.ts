/**
 * Pods bound to nodes, and which of them the metrics cannot show yet.
 *
 * Between a binding and the node's next metrics sample, a new pod's load is invisible to
 * Prometheus; without this record a burst of pods would all pick the same "idle" node. The
 * tracker keeps, per node, running sums of
 *   - requested: every non-terminal pod bound there (request-based fallback scoring), and
 *   - in-flight: pods placed after the node's newest sample (added to the forecast).
 *
 * Each pod is held once, under its UID, so a deletion, a failed binding or a move to another
 * node takes its amounts off the old node in the same event. In-flight entries end when the
 * node's next sample after their placement is ingested, or after `maxAgeSeconds` at the latest.
 *
 * TODO(scheduler): a pod's usage reaches the CPU metric only after it has started and run for a
 * scrape; ending the in-flight estimate at the first later sample undercounts slow starters for
 * a refresh or two.
 */
import { systemClock, type Clock } from './clock.js';
import { objectName, podDemand, type ResourceAmounts } from './kube-objects.js';

/** A pod the extender should count on a node. */
export interface PodPlacement {
  /** Pod UID (or `namespace/name` when the UID is unknown). */
  readonly uid: string;
  readonly node: string;
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
  /** Unix seconds the pod was bound. @default now */
  readonly placedAt?: number;
}

/** Running sums for one node. */
export interface NodePodTotals {
  readonly pods: number;
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
}

export interface InflightTrackerProps {
  /** @default systemClock */
  readonly clock?: Clock;
  /**
   * Longest an in-flight estimate is kept when the node never reports a newer sample.
   * @default 600
   */
  readonly maxAgeSeconds?: number;
  /** Time of a node's newest metrics sample, so pods bound before it are not counted twice. */
  readonly lastSampleAt?: (node: string) => number;
  /** Amounts used for pods that request nothing (event-fed placements). */
  readonly defaults?: ResourceAmounts;
}

/**
 * A pod became in flight on a node (placed after the node's newest sample, or its amounts
 * changed while in flight), or stopped being in flight (a sample showed it, it was removed or
 * moved, or its estimate expired).
 */
export type InflightChange =
  | { readonly kind: 'inflight'; readonly uid: string; readonly placement: Required<PodPlacement> }
  | { readonly kind: 'settled'; readonly uid: string };
export type InflightListener = (change: InflightChange) => void;

interface Tracked {
  readonly uid: string;
  node: string;
  cpu: number;
  mem: number;
  placedAt: number;
  inflight: boolean;
}

class Totals {
  pods = 0;
  cpuMillicores = 0;
  memoryBytes = 0;
}

const ZERO: NodePodTotals = Object.freeze({ pods: 0, cpuMillicores: 0, memoryBytes: 0 });

/** The part of a Pod the tracker reads from watch events. */
export interface PodLike {
  readonly metadata?: {
    readonly uid?: string;
    readonly name?: string;
    readonly namespace?: string;
  };
  readonly spec?: { readonly nodeName?: string };
  readonly status?: {
    readonly phase?: string;
    readonly conditions?: readonly {
      readonly type?: string;
      readonly lastTransitionTime?: unknown;
    }[];
  };
}

export type PodEventKind = 'add' | 'update' | 'delete';

export class InflightTracker {
  private readonly clock: Clock;
  private readonly maxAgeSeconds: number;
  private lastSampleAt: (node: string) => number;
  private readonly defaults: ResourceAmounts;
  private readonly pods = new Map<string, Tracked>();
  private readonly requestedByNode = new Map<string, Totals>();
  private readonly inflightByNode = new Map<string, Totals>();
  /** In-flight pods per node, so a sample settles its node's pods without scanning all pods. */
  private readonly inflightPods = new Map<string, Set<Tracked>>();
  private isSynced = false;
  private readonly listeners: InflightListener[] = [];

  constructor(props: InflightTrackerProps = {}) {
    this.clock = props.clock ?? systemClock;
    this.maxAgeSeconds = props.maxAgeSeconds ?? 600;
    this.lastSampleAt = props.lastSampleAt ?? (() => NaN);
    this.defaults = props.defaults ?? { cpuMillicores: 100, memoryBytes: 200 * 1024 * 1024 };
  }

  /**
   * True once the tracker has seen every bound pod (the watch listed them, or the simulation
   * said so): only then do `requested` sums describe the whole node.
   */
  get synced(): boolean {
    return this.isSynced;
  }

  markSynced(): void {
    this.isSynced = true;
  }

  /** Longest an in-flight estimate is kept, seconds. */
  get maxAge(): number {
    return this.maxAgeSeconds;
  }

  /**
   * Called when a pod enters or leaves the in-flight state; synchronously, so listeners must
   * only record (the request path expires estimates too).
   */
  onInflightChange(listener: InflightListener): void {
    this.listeners.push(listener);
  }

  /** Links the tracker to the metrics store's sample times (when they were built apart). */
  setLastSampleSource(source: (node: string) => number): void {
    this.lastSampleAt = source;
  }

  /** Records a pod bound to a node; a pod already held on another node moves. */
  place(placement: PodPlacement): void {
    const existing = this.pods.get(placement.uid);
    if (existing && existing.node === placement.node) {
      this.adjust(existing, placement.cpuMillicores, placement.memoryBytes);
      return;
    }
    if (existing) this.remove(placement.uid);

    const placedAt = placement.placedAt ?? this.clock.now();
    const sampleT = this.lastSampleAt(placement.node);
    const tracked: Tracked = {
      uid: placement.uid,
      node: placement.node,
      cpu: Math.max(0, placement.cpuMillicores),
      mem: Math.max(0, placement.memoryBytes),
      placedAt,
      // A pod bound before the node's newest sample is already in that sample.
      inflight: !(sampleT > placedAt),
    };
    this.pods.set(placement.uid, tracked);
    this.add(this.requestedByNode, tracked, 1);
    if (tracked.inflight) {
      this.add(this.inflightByNode, tracked, 1);
      let set = this.inflightPods.get(tracked.node);
      if (!set) this.inflightPods.set(tracked.node, (set = new Set()));
      set.add(tracked);
      this.emitInflight(tracked);
    }
  }

  /** Forgets a pod: deleted, finished, or its binding failed. */
  remove(uid: string): void {
    const tracked = this.pods.get(uid);
    if (!tracked) return;
    this.pods.delete(uid);
    this.add(this.requestedByNode, tracked, -1);
    if (tracked.inflight) this.settle(tracked);
  }

  /** A sample of `node` taken at `t` was stored: pods placed before `t` are now visible in it. */
  sampleIngested(node: string, t: number): void {
    const set = this.inflightPods.get(node);
    if (!set) return;
    for (const tracked of set) {
      if (tracked.placedAt < t) this.settle(tracked);
    }
  }

  /** Ends in-flight estimates older than `maxAgeSeconds` (nodes that stopped reporting). */
  expire(now = this.clock.now()): void {
    for (const set of this.inflightPods.values()) {
      for (const tracked of set) {
        if (now - tracked.placedAt > this.maxAgeSeconds) this.settle(tracked);
      }
    }
  }

  /** Pods placed on `node` and not yet visible in its metrics. */
  inflight(node: string): NodePodTotals {
    return this.inflightByNode.get(node) ?? ZERO;
  }

  /** All non-terminal pods bound to `node`. */
  requested(node: string): NodePodTotals {
    return this.requestedByNode.get(node) ?? ZERO;
  }

  /** Nodes with at least one in-flight pod, with their totals. */
  inflightNodes(): IterableIterator<[string, NodePodTotals]> {
    return this.inflightByNode.entries();
  }

  /** Number of pods held. */
  get size(): number {
    return this.pods.size;
  }

  /**
   * Applies a pod watch event: a bound, running pod is placed (or moved); a deleted, finished
   * or unbound pod is forgotten.
   */
  handlePodEvent(kind: PodEventKind, pod: PodLike): void {
    const uid = podUid(pod);
    if (!uid) return;
    const node = pod.spec?.nodeName;
    const phase = pod.status?.phase;
    if (kind === 'delete' || !node || phase === 'Succeeded' || phase === 'Failed') {
      this.remove(uid);
      return;
    }
    const demand = podDemand(pod, this.defaults);
    this.place({
      uid,
      node,
      cpuMillicores: demand.cpuMillicores,
      memoryBytes: demand.memoryBytes,
      placedAt: scheduledAt(pod),
    });
  }

  private emitInflight(tracked: Tracked): void {
    if (this.listeners.length === 0) return;
    const change: InflightChange = {
      kind: 'inflight',
      uid: tracked.uid,
      placement: {
        uid: tracked.uid,
        node: tracked.node,
        cpuMillicores: tracked.cpu,
        memoryBytes: tracked.mem,
        placedAt: tracked.placedAt,
      },
    };
    for (const listener of this.listeners) listener(change);
  }

  private settle(tracked: Tracked): void {
    for (const listener of this.listeners) listener({ kind: 'settled', uid: tracked.uid });
    tracked.inflight = false;
    this.add(this.inflightByNode, tracked, -1);
    const set = this.inflightPods.get(tracked.node);
    if (set) {
      set.delete(tracked);
      if (set.size === 0) this.inflightPods.delete(tracked.node);
    }
  }

  private adjust(tracked: Tracked, cpu: number, mem: number): void {
    // Watch updates repeat a pod's amounts with every status change; only a change is news.
    if (tracked.cpu === Math.max(0, cpu) && tracked.mem === Math.max(0, mem)) return;
    this.add(this.requestedByNode, tracked, -1);
    if (tracked.inflight) this.add(this.inflightByNode, tracked, -1);
    tracked.cpu = Math.max(0, cpu);
    tracked.mem = Math.max(0, mem);
    this.add(this.requestedByNode, tracked, 1);
    if (tracked.inflight) {
      this.add(this.inflightByNode, tracked, 1);
      this.emitInflight(tracked);
    }
  }

  // Sums are integers (millicores, bytes), so adding and removing returns exactly to zero;
  // a node whose count reaches zero is dropped so the map holds only busy nodes.
  private add(map: Map<string, Totals>, tracked: Tracked, sign: 1 | -1): void {
    let totals = map.get(tracked.node);
    if (!totals) {
      if (sign < 0) return;
      totals = new Totals();
      map.set(tracked.node, totals);
    }
    totals.pods += sign;
    totals.cpuMillicores += sign * tracked.cpu;
    totals.memoryBytes += sign * tracked.mem;
    if (totals.pods <= 0) map.delete(tracked.node);
  }
}

function podUid(pod: PodLike): string | undefined {
  const uid = pod.metadata?.uid;
  if (typeof uid === 'string' && uid.length > 0) return uid;
  const name = objectName(pod);
  return name ? `${pod.metadata?.namespace ?? ''}/${name}` : undefined;
}

// When the pod was bound: the PodScheduled condition's transition time. Pods listed at start-up
// were mostly bound long ago, and must not count as in-flight.
function scheduledAt(pod: PodLike): number | undefined {
  const condition = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const raw = condition?.lastTransitionTime;
  const ms = raw instanceof Date ? raw.getTime() : typeof raw === 'string' ? Date.parse(raw) : NaN;
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}
