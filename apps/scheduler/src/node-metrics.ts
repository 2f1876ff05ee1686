/**
 * In-memory load data per node: recent samples, the state of each resource's data, and the
 * model's forecast. Forecasts are computed when samples arrive (or the model changes), never on
 * the request path: a filter or prioritize call only reads fields prepared here.
 */
import type { LoadPredictor, NodeSample, NodeSpec } from '@mlsched/core';
import { systemClock, type Clock } from './clock.js';
import { LogLimiter, silentLog, type Log } from './log.js';

/** Quality of a node's data for one resource, or for the node as a whole (the worst of both). */
export type MetricsState = 'fresh' | 'stale' | 'missing' | 'invalid';
export const METRICS_STATES: readonly MetricsState[] = ['fresh', 'stale', 'missing', 'invalid'];

export type ResourceName = 'cpu' | 'memory';

/** Why a node has no model forecast even though its data is fresh. */
export type ForecastStatus = 'ok' | 'no_model' | 'no_forecast' | 'incomplete';

/**
 * Highest utilisation accepted as a real reading. Traces report slightly above 1; a value of 2
 * or more is a unit mistake (a query returning percent instead of a fraction) and is treated as
 * invalid rather than as a node on fire.
 */
export const MAX_PLAUSIBLE_UTILISATION = 2;

/** One reading of a node. A resource left out was not reported; NaN, Inf or < 0 is invalid. */
export interface MetricsReading {
  /** Unix seconds. */
  readonly t: number;
  readonly cpu?: number;
  readonly mem?: number;
}

/** Static facts about a node, from Node objects (requests or a watch) or the cluster model. */
export interface NodeIdentity {
  readonly name: string;
  readonly internalIPs?: readonly string[];
  /** Allocatable CPU in millicores. */
  readonly cpuMillicores?: number;
  /** Allocatable memory in bytes. */
  readonly memoryBytes?: number;
  /** The Node object's resourceVersion, so unchanged objects are not re-read. */
  readonly resourceVersion?: string;
  /**
   * Learnt from a Node object in a request, not from the cluster (watch, cluster model). Such
   * a node is forgotten once neither a request nor the metrics mentioned it for
   * METRICS_HISTORY_SECONDS: anyone can put a name in a request, and only a watch delete would
   * otherwise ever remove it.
   */
  readonly fromRequest?: boolean;
}

/** Newest report of one resource of one node. */
export class ResourceTrack {
  /** Time of the newest report, valid or not; NaN when never reported. */
  lastReportT = NaN;
  /** Time of the newest valid report; NaN when none. */
  lastValidT = NaN;
  /** Newest valid value. */
  lastValue = NaN;
  /** The newest report was NaN, infinite, negative or implausibly large. */
  lastInvalid = false;
}

interface PendingForecast {
  readonly targetT: number;
  readonly cpu: number;
  readonly mem: number;
}

/** Everything the request path reads about a node; written only by the store. */
export class NodeLoadEntry {
  readonly cpu = new ResourceTrack();
  readonly memory = new ResourceTrack();
  /** Samples in time order; a resource that was absent or invalid is NaN. */
  readonly history: NodeSample[] = [];
  forecastCpu = NaN;
  forecastMem = NaN;
  forecastStatus: ForecastStatus = 'incomplete';
  /** Allocatable CPU in millicores; NaN when unknown. */
  cpuMillicores = NaN;
  /** Allocatable memory in bytes; NaN when unknown. */
  memoryBytes = NaN;
  internalIPs: readonly string[] = [];
  /** Known from the cluster (node watch, cluster model), not only from requests or metrics. */
  registered = false;
  /** When a request last carried this node's Node object; NaN when never. */
  requestSeenT = NaN;
  resourceVersion: string | undefined;
  readonly pending: PendingForecast[] = [];
  /**
   * The model's forecast for the sample at `expectedT`, made a horizon before it: the newest
   * pending forecast whose target that sample reached (within FORECAST_MATCH_SECONDS). NaN when
   * no forecast matured at the newest sample.
   */
  expectedT = NaN;
  expectedCpu = NaN;
  expectedMem = NaN;

  constructor(readonly name: string) {}

  /** Time of the newest sample of any kind; NaN when none. */
  get lastSampleT(): number {
    const newest = this.history[this.history.length - 1];
    return newest ? newest.t : NaN;
  }
}

export interface NodeMetricsStoreProps {
  /** @default systemClock */
  readonly clock?: Clock;
  /** A resource whose newest valid sample is older than this is stale. */
  readonly staleSeconds: number;
  /** Samples older than this are dropped; data older than this counts as missing. */
  readonly historySeconds: number;
  readonly predictor?: LoadPredictor;
  readonly log?: Log;
  /**
   * Bound on samples kept per node, whatever the ingest rate.
   * @default 720 (30 minutes at one sample every 2.5 s)
   */
  readonly maxSamplesPerNode?: number;
  /**
   * Bound on nodes tracked, so label churn cannot grow memory without end.
   * @default 50000
   */
  readonly maxNodes?: number;
}

export type SampleListener = (node: string, t: number) => void;
export type PredictionErrorListener = (resource: ResourceName, absoluteError: number) => void;
/** Pending forecasts kept per node for error measurement; older ones are dropped first. */
const MAX_PENDING_FORECASTS = 64;
/**
 * Largest distance between a forecast's target time and the sample it is compared with, as the
 * trainer's labels allow (a target within ±60 s of anchor + horizon).
 */
export const FORECAST_MATCH_SECONDS = 60;
/** How often request-learned nodes are checked for expiry, at most. */
const PRUNE_INTERVAL_SECONDS = 60;

/** Removes a `:port` suffix and IPv6 brackets from a Prometheus `instance` label. */
export function instanceHost(label: string): string {
  if (label.startsWith('[')) {
    const end = label.indexOf(']');
    return end > 1 ? label.slice(1, end).toLowerCase() : label;
  }
  const first = label.indexOf(':');
  if (first === -1) return label;
  // More than one colon without brackets is a bare IPv6 address, which has no port.
  if (label.indexOf(':', first + 1) !== -1) return label.toLowerCase();
  return label.slice(0, first);
}

/** Time of the node's newest metrics report of either resource; -Infinity when none. */
function newestReport(entry: NodeLoadEntry): number {
  const cpu = entry.cpu.lastReportT;
  const mem = entry.memory.lastReportT;
  return Math.max(Number.isNaN(cpu) ? -Infinity : cpu, Number.isNaN(mem) ? -Infinity : mem);
}

function classify(value: number | undefined): 'absent' | 'invalid' | 'valid' {
  if (value === undefined) return 'absent';
  return Number.isFinite(value) && value >= 0 && value < MAX_PLAUSIBLE_UTILISATION
    ? 'valid'
    : 'invalid';
}

function validForecast(value: number): boolean {
  return Number.isFinite(value) && value >= 0 && value < MAX_PLAUSIBLE_UTILISATION;
}

export class NodeMetricsStore {
  readonly clock: Clock;
  readonly staleSeconds: number;
  readonly historySeconds: number;
  private readonly log: Log;
  private readonly maxSamples: number;
  private readonly maxNodes: number;
  private readonly entries = new Map<string, NodeLoadEntry>();
  /**
   * Entries known only from requests, without any metrics report, least recently seen first:
   * the only ones evicted when the node limit is reached, so names made up in requests can
   * neither push out nodes with data nor keep new real nodes from registering.
   */
  private readonly requestOnly = new Map<string, NodeLoadEntry>();
  private lastPruneT = -Infinity;
  /** InternalIP (lower-case) → node name. */
  private readonly aliases = new Map<string, string>();
  private readonly sampleListeners: SampleListener[] = [];
  private readonly errorListeners: PredictionErrorListener[] = [];
  private readonly limiter = new LogLimiter(600);
  private currentPredictor: LoadPredictor | undefined;

  constructor(props: NodeMetricsStoreProps) {
    if (!(props.staleSeconds > 0)) throw new Error('staleSeconds must be > 0');
    if (!(props.historySeconds >= props.staleSeconds)) {
      throw new Error('historySeconds must be >= staleSeconds');
    }

    this.clock = props.clock ?? systemClock;
    this.staleSeconds = props.staleSeconds;
    this.historySeconds = props.historySeconds;
    this.log = props.log ?? silentLog;
    this.maxSamples = props.maxSamplesPerNode ?? 720;
    this.maxNodes = props.maxNodes ?? 50_000;
    this.currentPredictor = props.predictor;
  }

  get predictor(): LoadPredictor | undefined {
    return this.currentPredictor;
  }

  /** Serves a new model (or none); every node's forecast is recomputed now. */
  setPredictor(predictor: LoadPredictor | undefined): void {
    this.currentPredictor = predictor;
    const now = this.clock.now();
    for (const entry of this.entries.values()) this.computeForecast(entry, now);
  }

  /** Called after each sample is stored, with the node and the sample's time. */
  onSample(listener: SampleListener): void {
    this.sampleListeners.push(listener);
  }

  /** Called when a sample arrives at or after a forecast's target time. */
  onPredictionError(listener: PredictionErrorListener): void {
    this.errorListeners.push(listener);
  }

  /** The node a Prometheus label value names: a node name or InternalIP, with or without port. */
  resolve(label: string): string {
    const host = instanceHost(label);
    return this.aliases.get(host.toLowerCase()) ?? host;
  }

  /** Records what a Node object says about a node: its addresses and allocatable resources. */
  /**
   * Registers nodes described by the cluster model rather than Node objects: where no API server
   * runs (the demo, tests, benchmarks), this is how the store learns addresses and capacities.
   */
  registerNodeSpecs(nodes: readonly NodeSpec[]): void {
    for (const n of nodes) {
      this.registerNode({
        name: n.name,
        internalIPs: [n.internalIP],
        cpuMillicores: n.cpuCores * 1000,
        memoryBytes: n.memoryBytes,
      });
    }
  }

  registerNode(identity: NodeIdentity): void {
    const now = this.clock.now();
    if (identity.fromRequest) this.pruneEvery(PRUNE_INTERVAL_SECONDS, now);
    const entry = this.getOrCreate(identity.name, identity.fromRequest === true);
    if (!entry) return;

    if (identity.fromRequest) {
      this.markRequestSeen(entry, now);
    } else {
      entry.registered = true;
      this.requestOnly.delete(entry.name);
    }
    entry.resourceVersion = identity.resourceVersion;
    if (identity.cpuMillicores !== undefined && identity.cpuMillicores > 0) {
      entry.cpuMillicores = identity.cpuMillicores;
    }
    if (identity.memoryBytes !== undefined && identity.memoryBytes > 0) {
      entry.memoryBytes = identity.memoryBytes;
    }
    // Kubernetes nodes always report addresses; a Node object without any (trimmed by a proxy,
    // written by hand) says nothing about them, so the known ones stay and metrics keep mapping.
    if (identity.internalIPs && identity.internalIPs.length > 0) {
      this.setAddresses(entry, identity.internalIPs);
    }
  }

  /** Notes that a request carried this node's Node object (unchanged, so not re-read). */
  markRequestSeen(entry: NodeLoadEntry, now: number = this.clock.now()): void {
    entry.requestSeenT = now;
    if (this.requestOnly.delete(entry.name)) this.requestOnly.set(entry.name, entry);
  }

  /**
   * True when the node is known to exist now: from the cluster, from a metrics report within
   * METRICS_HISTORY_SECONDS, or from a request within `requestWindowSeconds`.
   */
  isCurrent(entry: NodeLoadEntry, now: number, requestWindowSeconds: number): boolean {
    if (entry.registered) return true;
    if (newestReport(entry) >= now - this.historySeconds) return true;
    return entry.requestSeenT >= now - requestWindowSeconds;
  }

  /** Drops everything known about a node (it left the cluster). */
  forgetNode(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    for (const ip of entry.internalIPs) {
      if (this.aliases.get(ip) === name) this.aliases.delete(ip);
    }
    this.entries.delete(name);
    this.requestOnly.delete(name);
  }

  /** The entry for a node name, if any data or identity is known. */
  get(name: string): NodeLoadEntry | undefined {
    return this.entries.get(name);
  }

  nodes(): IterableIterator<NodeLoadEntry> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Stores one reading for a node (already resolved to its name), updates the forecast and
   * reports prediction errors. Readings older than the node's newest one are ignored.
   */
  ingest(name: string, reading: MetricsReading): void {
    if (!Number.isFinite(reading.t)) {
      this.warnOnce(
        'bad-time',
        { node: name, t: reading.t },
        'metrics sample without a valid time',
      );
      return;
    }
    const entry = this.getOrCreate(name, false);
    if (!entry) return;
    this.requestOnly.delete(name);
    const newestT = entry.lastSampleT;
    if (reading.t < newestT) return;

    const cpuClass = classify(reading.cpu);
    const memClass = classify(reading.mem);
    this.track(entry.cpu, cpuClass, reading.cpu, reading.t);
    this.track(entry.memory, memClass, reading.mem, reading.t);
    const sample: NodeSample = {
      t: reading.t,
      cpu: cpuClass === 'valid' ? (reading.cpu as number) : NaN,
      mem: memClass === 'valid' ? (reading.mem as number) : NaN,
    };
    if (reading.t === newestT) entry.history[entry.history.length - 1] = sample;
    else entry.history.push(sample);
    this.trimHistory(entry, this.clock.now());

    this.scorePending(entry, sample);
    this.computeForecast(entry, this.clock.now());
    for (const listener of this.sampleListeners) listener(entry.name, reading.t);
  }

  /** State of one resource of a node at time `now`. */
  resourceState(track: ResourceTrack, now: number): MetricsState {
    if (!(track.lastReportT >= now - this.historySeconds)) return 'missing';
    if (track.lastInvalid) return now - track.lastReportT > this.staleSeconds ? 'stale' : 'invalid';
    return now - track.lastValidT > this.staleSeconds ? 'stale' : 'fresh';
  }

  /**
   * State of a node as a whole: the worst of its two resources, ordered
   * invalid > missing > stale > fresh (a value that is wrong is worse than one that is absent,
   * which is worse than one that is old).
   */
  nodeState(entry: NodeLoadEntry | undefined, now: number): MetricsState {
    if (!entry) return 'missing';
    const cpu = this.resourceState(entry.cpu, now);
    const mem = this.resourceState(entry.memory, now);
    if (cpu === 'invalid' || mem === 'invalid') return 'invalid';
    if (cpu === 'missing' || mem === 'missing') return 'missing';
    if (cpu === 'stale' || mem === 'stale') return 'stale';
    return 'fresh';
  }

  /** Seconds since the node's newest valid sample of any resource; NaN when there is none. */
  ageSeconds(entry: NodeLoadEntry, now: number): number {
    const newest = Math.max(
      Number.isNaN(entry.cpu.lastValidT) ? -Infinity : entry.cpu.lastValidT,
      Number.isNaN(entry.memory.lastValidT) ? -Infinity : entry.memory.lastValidT,
    );
    return newest === -Infinity ? NaN : Math.max(0, now - newest);
  }

  /**
   * Drops nodes not known from the cluster that neither metrics nor a request mentioned within
   * the history window (a series that went away, a name a request made up), so churn does not
   * accumulate.
   */
  prune(now: number): void {
    this.lastPruneT = now;
    const cutoff = now - this.historySeconds;
    for (const [name, entry] of this.entries) {
      if (entry.registered) continue;
      if (newestReport(entry) >= cutoff || entry.requestSeenT >= cutoff) continue;
      this.forgetNode(name);
    }
  }

  private pruneEvery(seconds: number, now: number): void {
    if (now - this.lastPruneT >= seconds) this.prune(now);
  }

  private getOrCreate(name: string, fromRequest: boolean): NodeLoadEntry | undefined {
    let entry = this.entries.get(name);
    if (entry) return entry;
    if (this.entries.size >= this.maxNodes) {
      // Room is made only at the expense of request-only names, least recently seen first.
      const victim = this.requestOnly.keys().next();
      if (victim.done) {
        this.warnOnce('max-nodes', { maxNodes: this.maxNodes, node: name }, 'node limit reached');
        return undefined;
      }
      this.warnOnce(
        'evicted',
        { maxNodes: this.maxNodes, evicted: victim.value, node: name },
        'node limit reached; forgot the least recently requested node without metrics',
      );
      this.forgetNode(victim.value);
    }
    entry = new NodeLoadEntry(name);
    this.entries.set(name, entry);
    if (fromRequest) this.requestOnly.set(name, entry);
    return entry;
  }

  private setAddresses(entry: NodeLoadEntry, ips: readonly string[]): void {
    for (const old of entry.internalIPs) {
      if (this.aliases.get(old) === entry.name) this.aliases.delete(old);
    }
    const normalised = ips.map((ip) => ip.toLowerCase());
    entry.internalIPs = normalised;
    for (const ip of normalised) {
      this.aliases.set(ip, entry.name);
      // Samples that arrived before the address was known were stored under the bare IP.
      const orphan = this.entries.get(ip);
      if (orphan && orphan !== entry && !orphan.registered) {
        this.adopt(entry, orphan);
        this.entries.delete(ip);
      }
    }
  }

  private adopt(entry: NodeLoadEntry, orphan: NodeLoadEntry): void {
    if (entry.history.length > 0) return;
    entry.history.push(...orphan.history);
    Object.assign(entry.cpu, orphan.cpu);
    Object.assign(entry.memory, orphan.memory);
    entry.pending.push(...orphan.pending);
    this.computeForecast(entry, this.clock.now());
  }

  private track(
    track: ResourceTrack,
    cls: 'absent' | 'invalid' | 'valid',
    value: number | undefined,
    t: number,
  ): void {
    if (cls === 'absent') return;
    track.lastReportT = t;
    track.lastInvalid = cls === 'invalid';
    if (cls === 'valid') {
      track.lastValidT = t;
      track.lastValue = value as number;
    }
  }

  private trimHistory(entry: NodeLoadEntry, now: number): void {
    const cutoff = now - this.historySeconds;
    let drop = 0;
    while (drop < entry.history.length && (entry.history[drop] as NodeSample).t < cutoff) drop++;
    const excess = entry.history.length - drop - this.maxSamples;
    if (excess > 0) drop += excess;
    if (drop > 0) entry.history.splice(0, drop);
  }

  private scorePending(entry: NodeLoadEntry, sample: NodeSample): void {
    while (entry.pending.length > 0 && (entry.pending[0] as PendingForecast).targetT <= sample.t) {
      const due = entry.pending.shift() as PendingForecast;
      // Forecasts are popped oldest first, so the last match is the one made most recently.
      if (sample.t - due.targetT <= FORECAST_MATCH_SECONDS) {
        entry.expectedT = sample.t;
        entry.expectedCpu = due.cpu;
        entry.expectedMem = due.mem;
      }
      for (const listener of this.errorListeners) {
        if (Number.isFinite(sample.cpu)) listener('cpu', Math.abs(due.cpu - sample.cpu));
        if (Number.isFinite(sample.mem)) listener('memory', Math.abs(due.mem - sample.mem));
      }
    }
  }

  private computeForecast(entry: NodeLoadEntry, now: number): void {
    entry.forecastCpu = NaN;
    entry.forecastMem = NaN;
    if (
      this.resourceState(entry.cpu, now) !== 'fresh' ||
      this.resourceState(entry.memory, now) !== 'fresh'
    ) {
      entry.forecastStatus = 'incomplete';
      return;
    }
    const predictor = this.currentPredictor;
    if (!predictor) {
      entry.forecastStatus = 'no_model';
      return;
    }

    const from = now - predictor.historySeconds;
    const history = entry.history.filter(
      (s) => s.t >= from && Number.isFinite(s.cpu) && Number.isFinite(s.mem),
    );
    let forecast: { cpu: number; mem: number } | undefined;
    try {
      forecast = predictor.predict(history, now);
    } catch (err) {
      this.warnOnce(
        'predict-threw',
        { err, node: entry.name, version: predictor.version },
        'model prediction failed',
      );
    }
    if (!forecast || !validForecast(forecast.cpu) || !validForecast(forecast.mem)) {
      entry.forecastStatus = 'no_forecast';
      return;
    }

    entry.forecastCpu = forecast.cpu;
    entry.forecastMem = forecast.mem;
    entry.forecastStatus = 'ok';
    entry.pending.push({
      targetT: entry.lastSampleT + predictor.horizonSeconds,
      cpu: forecast.cpu,
      mem: forecast.mem,
    });
    if (entry.pending.length > MAX_PENDING_FORECASTS) entry.pending.shift();
  }

  private warnOnce(key: string, fields: object, message: string): void {
    if (this.limiter.allow(key, this.clock.now())) this.log.warn(fields, message);
  }
}

/**
 * The utilisation the scorer should start from for one resource: the forecast when the model
 * gave one, else the newest observed value; NaN when the resource's data is not fresh.
 */
export function baseUtilisation(
  store: NodeMetricsStore,
  entry: NodeLoadEntry,
  resource: ResourceName,
  now: number,
): number {
  const track = resource === 'cpu' ? entry.cpu : entry.memory;
  if (store.resourceState(track, now) !== 'fresh') return NaN;
  if (entry.forecastStatus === 'ok') {
    return resource === 'cpu' ? entry.forecastCpu : entry.forecastMem;
  }
  return track.lastValue;
}
