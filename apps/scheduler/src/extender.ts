/**
 * Filter and prioritize decisions: reads the store and the in-flight tracker, applies the scoring
 * formulas, and builds protocol replies. Nothing here waits on I/O; a request costs a map lookup
 * and a few arithmetic operations per candidate node.
 */
import type { AnomalyDetector } from './anomaly.js';
import {
  DEGRADATION_REASONS,
  nodeReasonMask,
  reasonsOf,
  UNKNOWN_NODE_MASK,
} from './degradation.js';
import type { InflightTracker } from './inflight.js';
import {
  isDaemonSetPod,
  nodeAllocatable,
  nodeInternalIPs,
  podDemand,
  podKey,
  resourceVersion,
  type PodDemand,
} from './kube-objects.js';
import { LogLimiter, type Log } from './log.js';
import { baseUtilisation, type NodeMetricsStore } from './node-metrics.js';
import type {
  ExtenderFilterResult,
  HostPriorityList,
  KubeNode,
  ParsedExtenderArgs,
} from './protocol.js';
import {
  exceedsHot,
  MIN_EXTENDER_PRIORITY,
  nodeScore,
  NEUTRAL_SCORE,
  projectResource,
} from './scoring.js';
import type { ExtenderTelemetry } from './telemetry.js';

/** The settings decisions depend on (a subset of ExtenderConfig). */
export interface ScoringSettings {
  readonly targetUtilization: number;
  readonly hotThreshold: number;
  readonly defaultPodCpuMillicores: number;
  readonly defaultPodMemoryBytes: number;
}

export interface ExtenderServiceProps {
  readonly settings: ScoringSettings;
  readonly store: NodeMetricsStore;
  readonly inflight: InflightTracker;
  readonly telemetry?: ExtenderTelemetry;
  /** Nodes it flags are filtered out (DaemonSet pods excepted) and scored lowest. */
  readonly anomalies?: AnomalyDetector;
  readonly log: Log & { readonly level?: string };
}

/** The assessment of one node for one pod; reused across nodes to avoid allocating. */
export interface NodeAssessment {
  /** Projected CPU utilisation after placing the pod; NaN when unknown. */
  cpu: number;
  /** Projected memory utilisation after placing the pod; NaN when unknown. */
  mem: number;
  /** Degradation reasons (bits of REASON_BIT) that applied. */
  mask: number;
}

// kube-scheduler groups FailedNodes messages into its "0/N nodes are available" event, so the
// messages are fixed strings; the figures go to the debug log.
const HOT_MESSAGE = {
  cpu: 'mlsched: predicted CPU load above the hot-node threshold',
  memory: 'mlsched: predicted memory load above the hot-node threshold',
  both: 'mlsched: predicted CPU and memory load above the hot-node threshold',
} as const;
/** FailedNodes message of a node the anomaly detector flagged. */
export const ANOMALOUS_MESSAGE = 'mlsched: node flagged anomalous (load unlike its forecast)';

export class ExtenderService {
  private readonly limiter = new LogLimiter(300);

  constructor(private readonly props: ExtenderServiceProps) {}

  /** Which candidates can take the pod; replies in the request's node mode. */
  filter(args: ParsedExtenderArgs): ExtenderFilterResult {
    const { store, inflight, settings, telemetry, anomalies } = this.props;
    this.learnNodes(args);

    const now = store.clock.now();
    inflight.expire(now);
    const demand = this.demand(args);
    const daemonSet = isDaemonSetPod(args.pod);
    const counts = new Array<number>(DEGRADATION_REASONS.length).fill(0);
    const passed: string[] = [];
    // No prototype: a node named `__proto__` must become a key like any other.
    const failed: Record<string, string> = Object.create(null) as Record<string, string>;
    const a: NodeAssessment = { cpu: NaN, mem: NaN, mask: 0 };
    const detail: object[] | undefined = this.debugEnabled() ? [] : undefined;

    for (const name of args.names) {
      this.assess(name, args.objects?.get(name), demand, now, a);
      countReasons(a.mask, counts);
      // DaemonSet pods are bound to their node by affinity; rejecting one for load or for an
      // anomaly would leave the node without its agent (logging, networking, the metrics
      // exporter itself), which is the last thing a misbehaving node needs.
      const anomalous = !daemonSet && anomalies !== undefined && anomalies.isAnomalous(name, now);
      const cpuHot = !daemonSet && exceedsHot(a.cpu, settings.hotThreshold);
      const memHot = !daemonSet && exceedsHot(a.mem, settings.hotThreshold);
      const rejected = anomalous || cpuHot || memHot;
      if (anomalous) {
        failed[name] = ANOMALOUS_MESSAGE;
      } else if (cpuHot || memHot) {
        failed[name] =
          cpuHot && memHot ? HOT_MESSAGE.both : cpuHot ? HOT_MESSAGE.cpu : HOT_MESSAGE.memory;
      } else {
        passed.push(name);
      }
      telemetry?.countDecision(name, rejected ? 'rejected' : 'passed');
      detail?.push({
        node: name,
        cpu: a.cpu,
        mem: a.mem,
        anomalous,
        passed: !rejected,
        reasons: reasonsOf(a.mask),
      });
    }

    this.reportDegraded(counts, args.names.length);
    this.props.log.debug(
      {
        pod: podKey(args.pod),
        daemonSet,
        demand,
        passed: passed.length,
        failed: Object.keys(failed).length,
        nodes: detail,
      },
      'filtered nodes',
    );
    return this.filterReply(args, passed, failed);
  }

  /** A score 0..10 for every candidate, once each, in request order. */
  prioritize(args: ParsedExtenderArgs): HostPriorityList {
    const { store, inflight, settings, telemetry, anomalies } = this.props;
    this.learnNodes(args);

    const now = store.clock.now();
    inflight.expire(now);
    const demand = this.demand(args);
    const counts = new Array<number>(DEGRADATION_REASONS.length).fill(0);
    const result: HostPriorityList = new Array(args.names.length);
    const a: NodeAssessment = { cpu: NaN, mem: NaN, mask: 0 };
    const detail: object[] | undefined = this.debugEnabled() ? [] : undefined;

    for (let i = 0; i < args.names.length; i++) {
      const name = args.names[i] as string;
      this.assess(name, args.objects?.get(name), demand, now, a);
      countReasons(a.mask, counts);
      // A flagged node ranks last even where the filter let it through (DaemonSet pods).
      const anomalous = anomalies !== undefined && anomalies.isAnomalous(name, now);
      const score = anomalous
        ? MIN_EXTENDER_PRIORITY
        : nodeScore(a.cpu, a.mem, settings.targetUtilization);
      result[i] = { Host: name, Score: score };
      telemetry?.countDecision(name, 'scored');
      detail?.push({
        node: name,
        cpu: a.cpu,
        mem: a.mem,
        anomalous,
        score,
        reasons: reasonsOf(a.mask),
      });
    }

    this.reportDegraded(counts, args.names.length);
    this.props.log.debug({ pod: podKey(args.pod), demand, nodes: detail }, 'scored nodes');
    return result;
  }

  /** The fail-open reply when deciding failed unexpectedly: every candidate passes. */
  filterFailOpen(args: ParsedExtenderArgs): ExtenderFilterResult {
    return this.filterReply(args, [...args.names], {});
  }

  /** The fail-open reply when scoring failed unexpectedly: every candidate neutral. */
  prioritizeFailOpen(args: ParsedExtenderArgs): HostPriorityList {
    return args.names.map((Host) => ({ Host, Score: NEUTRAL_SCORE }));
  }

  /** Projects one node's utilisation after placing a pod with `demand`; writes into `out`. */
  assess(
    name: string,
    node: KubeNode | undefined,
    demand: PodDemand,
    now: number,
    out: NodeAssessment,
  ): void {
    const { store, inflight } = this.props;
    const entry = store.get(name);
    let capCpu = entry ? entry.cpuMillicores : NaN;
    let capMem = entry ? entry.memoryBytes : NaN;
    if (node && !(capCpu > 0 && capMem > 0)) {
      const allocatable = nodeAllocatable(node);
      if (!(capCpu > 0)) capCpu = allocatable.cpuMillicores;
      if (!(capMem > 0)) capMem = allocatable.memoryBytes;
    }

    const observedCpu = entry ? baseUtilisation(store, entry, 'cpu', now) : NaN;
    const observedMem = entry ? baseUtilisation(store, entry, 'memory', now) : NaN;
    const placed = inflight.inflight(name);
    // Request sums describe the node only once the tracker has seen every bound pod.
    const requested = inflight.synced ? inflight.requested(name) : undefined;

    out.mask = entry ? nodeReasonMask(store, entry, now) : UNKNOWN_NODE_MASK;
    out.cpu = projectResource(
      observedCpu,
      requested ? requested.cpuMillicores : NaN,
      placed.cpuMillicores,
      capCpu,
      demand.cpuMillicores,
    );
    out.mem = projectResource(
      observedMem,
      requested ? requested.memoryBytes : NaN,
      placed.memoryBytes,
      capMem,
      demand.memoryBytes,
    );
  }

  private demand(args: ParsedExtenderArgs): PodDemand {
    const { settings } = this.props;
    return podDemand(args.pod, {
      cpuMillicores: settings.defaultPodCpuMillicores,
      memoryBytes: settings.defaultPodMemoryBytes,
    });
  }

  // Node objects in requests tell the store each node's addresses (to map Prometheus instance
  // labels) and allocatable resources; unchanged objects (same resourceVersion) are skipped.
  private learnNodes(args: ParsedExtenderArgs): void {
    if (!args.objects) return;
    const { store } = this.props;
    for (const [name, node] of args.objects) {
      const rv = resourceVersion(node);
      const entry = store.get(name);
      if (entry && rv !== undefined && entry.resourceVersion === rv) {
        store.markRequestSeen(entry);
        continue;
      }
      const allocatable = nodeAllocatable(node);
      store.registerNode({
        name,
        internalIPs: nodeInternalIPs(node),
        cpuMillicores: allocatable.cpuMillicores,
        memoryBytes: allocatable.memoryBytes,
        resourceVersion: rv,
        fromRequest: true,
      });
    }
  }

  private filterReply(
    args: ParsedExtenderArgs,
    passed: string[],
    failed: Record<string, string>,
  ): ExtenderFilterResult {
    const reply: ExtenderFilterResult = {
      FailedNodes: failed,
      FailedAndUnresolvableNodes: {},
      Error: '',
    };
    if (args.mode !== 'objects') reply.NodeNames = passed;
    if (args.nodeList) {
      // The objects that passed go back exactly as they came: the scheduler uses them as is.
      const items: KubeNode[] = [];
      for (const name of passed) {
        const node = args.objects?.get(name);
        if (node) items.push(node);
      }
      reply.Nodes = { ...args.nodeList, items };
    }
    return reply;
  }

  private reportDegraded(counts: number[], candidates: number): void {
    const { telemetry, store, log } = this.props;
    telemetry?.countDegraded(counts);
    const reasons = DEGRADATION_REASONS.filter((_, i) => (counts[i] ?? 0) > 0);
    if (reasons.length === 0) return;
    const key = reasons.join(',');
    if (this.limiter.allow(key, store.clock.now())) {
      const nodes = Object.fromEntries(
        reasons.map((r) => [r, counts[DEGRADATION_REASONS.indexOf(r)]]),
      );
      log.warn({ reasons, nodes, candidates }, 'scoring without predictions for some nodes');
    }
  }

  private debugEnabled(): boolean {
    const level = this.props.log.level;
    return level === 'debug' || level === 'trace';
  }
}

function countReasons(mask: number, counts: number[]): void {
  if (mask === 0) return;
  for (let i = 0; i < counts.length; i++) {
    if ((mask & (1 << i)) !== 0) counts[i] = (counts[i] ?? 0) + 1;
  }
}
