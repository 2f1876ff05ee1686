/**
 * Per-node anomaly detection. It is fed each sample as the store ingests it (never on the request
 * path) and keeps, per node, a small fixed window of numbers; a request only reads a flag.
 *
 * Method, per resource (CPU and memory), for each new valid sample x_t:
 *
 *   expected_t  the model's forecast for t, made `horizon` earlier, when one matured at this
 *               sample (target within 60 s of t); otherwise the median of the node's last W
 *               observations (its recent level)
 *   r_t         x_t − expected_t, the residual
 *   z_t         |r_t − median(R)| / max(1.4826 · MAD(R), ANOMALY_MIN_DEVIATION)
 *
 * where R is the node's last W residuals before this one. The median and the median absolute
 * deviation (scaled by 1.4826 to match a standard deviation on normal noise) are robust: fewer
 * than half of the window's values cannot move them, so a burst neither hides itself nor
 * widens the band for the next one. Centring on median(R) means a model that is biased for one
 * node (always 5 points low) does not mark that node. The floor on the scale keeps a node whose
 * load is nearly constant from being flagged for a one-point wiggle.
 *
 * A sample is deviant when z exceeds ANOMALY_Z_THRESHOLD for either resource, and saturated
 * when its CPU is at least ANOMALY_CPU_SATURATION. Hysteresis decides the flag:
 *
 *   flag   after ANOMALY_FLAG_SAMPLES (K) deviant samples in a row, or after
 *          ANOMALY_SATURATION_SAMPLES (N) saturated samples in a row;
 *   clear  after ANOMALY_CLEAR_SAMPLES (M) samples in a row that are judged and neither
 *          deviant nor saturated.
 *
 * A single outlier therefore never flags, and a node cannot flap faster than once per K + M
 * samples. A lasting change becomes the node's new normal: once it fills half of the window the
 * medians move to it, and the flag clears M samples later.
 *
 * Saturation: the CPU figure is the non-idle share of every core over the rate window. At 0.99
 * or more for N refreshes in a row (5 minutes by default) no core had idle time for minutes, so
 * the kubelet and the node's own daemons compete with the workload; a node in that state is not
 * a place for one more pod, whatever a model forecasts.
 *
 * What never flags: a resource with no valid value (NaN, absent, out of range) is not judged,
 * and a sample with nothing valid changes no counter; a node is judged only once half of its
 * window is filled (cold start); a gap longer than METRICS_STALE_SECONDS between two samples
 * resets the node (its window describes another time); and a flag is acted on only while the
 * node's newest sample is fresh (`isAnomalous`), so a node whose data stopped is treated as
 * unknown, like everywhere else in the extender.
 *
 * TODO(scheduler): load the extender placed itself is not subtracted from the residual; a pod
 * using more than about Z × ANOMALY_MIN_DEVIATION of a node (0.24 by default) from its first
 * sample counts as a deviation until the forecasts catch up.
 */
import { silentLog, type Log } from './log.js';

/** Thresholds of the detector (ANOMALY_* settings). */
export interface AnomalySettings {
  /** ANOMALY_DETECTION: run the detector at all. @default true */
  readonly enabled: boolean;
  /** ANOMALY_Z_THRESHOLD: robust z-score above which a sample is deviant. @default 6 */
  readonly zThreshold: number;
  /** ANOMALY_FLAG_SAMPLES (K): deviant samples in a row that flag a node. @default 4 */
  readonly flagSamples: number;
  /** ANOMALY_CLEAR_SAMPLES (M): normal samples in a row that clear a flag. @default 8 */
  readonly clearSamples: number;
  /** ANOMALY_WINDOW_SAMPLES (W): observations and residuals kept per resource. @default 40 */
  readonly windowSamples: number;
  /** ANOMALY_MIN_DEVIATION: floor of the residual scale, fraction of capacity. @default 0.04 */
  readonly minDeviation: number;
  /** ANOMALY_CPU_SATURATION: CPU at or above this counts as saturated. @default 0.99 */
  readonly cpuSaturation: number;
  /** ANOMALY_SATURATION_SAMPLES (N): saturated samples in a row that flag a node. @default 20 */
  readonly saturationSamples: number;
}

export const DEFAULT_ANOMALY_SETTINGS: AnomalySettings = Object.freeze({
  enabled: true,
  zThreshold: 6,
  flagSamples: 4,
  clearSamples: 8,
  windowSamples: 40,
  minDeviation: 0.04,
  cpuSaturation: 0.99,
  saturationSamples: 20,
});

/** Why a node was flagged. */
export type AnomalyReason = 'deviation' | 'cpu_saturated';

/** One sample as the detector reads it; NaN marks a value that is absent or invalid. */
export interface AnomalyObservation {
  /** Unix seconds. */
  readonly t: number;
  readonly cpu: number;
  readonly mem: number;
  /** The forecast for `t`, made a horizon earlier; NaN when none matured at this sample. */
  readonly expectedCpu: number;
  readonly expectedMem: number;
}

/** A flag raised or cleared. */
export interface AnomalyChange {
  readonly node: string;
  readonly anomalous: boolean;
  /** Why it was flagged (also set on the clearing change, naming what cleared). */
  readonly reason: AnomalyReason;
  /** Time of the sample that decided it, unix seconds. */
  readonly t: number;
}

/** A flag as kept elsewhere (Redis) and restored at start-up. */
export interface AnomalyFlagRecord {
  readonly node: string;
  readonly reason: AnomalyReason;
  /** When the node was flagged, unix seconds. */
  readonly since: number;
  /** Newest sample the flag was confirmed on, unix seconds. */
  readonly lastT: number;
}

/** What the detector currently holds about one node (for /readyz and tests). */
export interface NodeAnomalyStatus {
  readonly flagged: boolean;
  readonly reason: AnomalyReason | undefined;
  readonly since: number;
  /** Newest judged sample time; NaN before the first. */
  readonly lastT: number;
  readonly deviantRun: number;
  readonly normalRun: number;
  readonly saturatedRun: number;
  /** Times the node was flagged since the detector started. */
  readonly flags: number;
  /** Robust z-scores of the newest sample (NaN when not judged). */
  readonly lastZ: { readonly cpu: number; readonly mem: number };
}

export interface AnomalyDetectorProps {
  readonly settings: AnomalySettings;
  /** A gap between two samples longer than this resets the node; flags older are not acted on. */
  readonly staleSeconds: number;
  readonly log?: Log;
}

export type AnomalyListener = (change: AnomalyChange) => void;

/** 1 / Φ⁻¹(3/4): turns a MAD into a standard deviation for normally distributed noise. */
export const MAD_TO_SIGMA = 1.4826;

/** A fixed-size window of the newest values. */
class Ring {
  readonly values: Float64Array;
  private next = 0;
  length = 0;

  constructor(size: number) {
    this.values = new Float64Array(size);
  }

  push(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.values.length;
    if (this.length < this.values.length) this.length++;
  }

  clear(): void {
    this.next = 0;
    this.length = 0;
  }
}

/** Median of the first `n` values of `scratch`, which it sorts in place. */
function sortedMedian(scratch: Float64Array, n: number): number {
  const part = scratch.subarray(0, n).sort();
  const mid = n >> 1;
  return n % 2 === 1
    ? (part[mid] as number)
    : ((part[mid - 1] as number) + (part[mid] as number)) / 2;
}

/** Median of a ring's values; NaN when empty. */
function median(ring: Ring, scratch: Float64Array): number {
  if (ring.length === 0) return NaN;
  scratch.set(ring.values.subarray(0, ring.length));
  return sortedMedian(scratch, ring.length);
}

/** Median absolute deviation of a ring's values from `centre`. */
function mad(ring: Ring, centre: number, scratch: Float64Array): number {
  for (let i = 0; i < ring.length; i++) scratch[i] = Math.abs((ring.values[i] as number) - centre);
  return sortedMedian(scratch, ring.length);
}

/**
 * Robust z-score of `value` against `values`: |value − median| / max(1.4826 · MAD, floor).
 * Exported for tests and tools; the detector uses the same arithmetic on its windows.
 */
export function robustZ(value: number, values: readonly number[], floor: number): number {
  if (!Number.isFinite(value) || values.length === 0) return NaN;
  const ring = new Ring(values.length);
  for (const v of values) ring.push(v);
  const scratch = new Float64Array(values.length);
  const centre = median(ring, scratch);
  const scale = Math.max(MAD_TO_SIGMA * mad(ring, centre, scratch), floor);
  return Math.abs(value - centre) / scale;
}

class ResourceWindow {
  readonly observed: Ring;
  readonly residuals: Ring;

  constructor(size: number) {
    this.observed = new Ring(size);
    this.residuals = new Ring(size);
  }

  clear(): void {
    this.observed.clear();
    this.residuals.clear();
  }
}

class NodeState {
  readonly cpu: ResourceWindow;
  readonly mem: ResourceWindow;
  flagged = false;
  reason: AnomalyReason | undefined;
  since = NaN;
  lastT = NaN;
  deviantRun = 0;
  normalRun = 0;
  saturatedRun = 0;
  flags = 0;
  /** Flags already handed to the metrics registry. */
  exportedFlags = 0;
  lastZCpu = NaN;
  lastZMem = NaN;

  constructor(window: number) {
    this.cpu = new ResourceWindow(window);
    this.mem = new ResourceWindow(window);
  }

  resetWindows(): void {
    this.cpu.clear();
    this.mem.clear();
    this.deviantRun = 0;
    this.normalRun = 0;
    this.saturatedRun = 0;
  }
}

/** Sweep node states at most this often (observations), so departed nodes do not pile up. */
const SWEEP_EVERY = 4096;

export class AnomalyDetector {
  readonly settings: AnomalySettings;
  readonly staleSeconds: number;
  private readonly log: Log;
  private readonly states = new Map<string, NodeState>();
  private readonly listeners: AnomalyListener[] = [];
  private readonly scratch: Float64Array;
  private readonly warm: number;
  private observations = 0;

  constructor(props: AnomalyDetectorProps) {
    const s = props.settings;
    if (!(Number.isInteger(s.flagSamples) && s.flagSamples >= 2)) {
      throw new RangeError(`flagSamples must be an integer >= 2, got ${s.flagSamples}`);
    }
    if (!(Number.isInteger(s.windowSamples) && s.windowSamples > 2 * s.flagSamples)) {
      throw new RangeError(
        `windowSamples must be an integer above 2 × flagSamples, got ${s.windowSamples}`,
      );
    }
    if (!(props.staleSeconds > 0)) throw new RangeError('staleSeconds must be > 0');

    this.settings = s;
    this.staleSeconds = props.staleSeconds;
    this.log = props.log ?? silentLog;
    this.scratch = new Float64Array(s.windowSamples);
    // Judged once half the window is filled: the median of fewer values says little.
    this.warm = Math.ceil(s.windowSamples / 2);
  }

  /** Called on every flag raised or cleared (after it is logged). */
  onChange(listener: AnomalyListener): void {
    this.listeners.push(listener);
  }

  /**
   * Takes the node's newest sample. Samples not newer than the last one judged are ignored (the
   * store re-delivers a sample that replaced one with the same time).
   */
  observe(node: string, obs: AnomalyObservation): void {
    if (!Number.isFinite(obs.t)) return;
    const cpuValid = Number.isFinite(obs.cpu);
    const memValid = Number.isFinite(obs.mem);
    if (!cpuValid && !memValid) return;
    let state = this.states.get(node);
    if (state && obs.t <= state.lastT) return;
    if (!state) {
      state = new NodeState(this.settings.windowSamples);
      this.states.set(node, state);
    }
    if (++this.observations % SWEEP_EVERY === 0) this.sweep(obs.t);

    if (obs.t - state.lastT > this.staleSeconds) {
      // The window describes a time before the gap: start again, and drop a flag nobody saw
      // confirmed since.
      state.resetWindows();
      if (state.flagged) this.change(node, state, false, obs.t, 'data gap');
    }
    state.lastT = obs.t;

    const zCpu = this.judge(state.cpu, obs.cpu, obs.expectedCpu);
    const zMem = this.judge(state.mem, obs.mem, obs.expectedMem);
    state.lastZCpu = zCpu;
    state.lastZMem = zMem;
    const { zThreshold, flagSamples, clearSamples, cpuSaturation, saturationSamples } =
      this.settings;
    const deviant = zCpu > zThreshold || zMem > zThreshold;
    const judged = Number.isFinite(zCpu) || Number.isFinite(zMem);
    const saturated = cpuValid && obs.cpu >= cpuSaturation;

    if (cpuValid) state.saturatedRun = saturated ? state.saturatedRun + 1 : 0;
    if (deviant) {
      state.deviantRun++;
      state.normalRun = 0;
    } else if (judged) {
      state.deviantRun = 0;
      state.normalRun = saturated ? 0 : state.normalRun + 1;
    } else if (saturated) {
      state.normalRun = 0;
    }

    if (!state.flagged) {
      if (state.deviantRun >= flagSamples) {
        this.change(node, state, true, obs.t, 'deviation', zCpu, zMem, obs);
      } else if (state.saturatedRun >= saturationSamples) {
        this.change(node, state, true, obs.t, 'cpu_saturated', zCpu, zMem, obs);
      }
    } else if (state.normalRun >= clearSamples) {
      this.change(node, state, false, obs.t, 'back to normal');
    }
  }

  /** True while the node is flagged and its newest sample is at most METRICS_STALE old. */
  isAnomalous(node: string, now: number): boolean {
    const state = this.states.get(node);
    return state !== undefined && state.flagged && now - state.lastT <= this.staleSeconds;
  }

  /** Nodes flagged and acted on at `now`, by name. */
  anomalousNodes(now: number): string[] {
    const nodes: string[] = [];
    for (const [node, state] of this.states) {
      if (state.flagged && now - state.lastT <= this.staleSeconds) nodes.push(node);
    }
    return nodes;
  }

  status(node: string): NodeAnomalyStatus | undefined {
    const s = this.states.get(node);
    if (!s) return undefined;
    return {
      flagged: s.flagged,
      reason: s.reason,
      since: s.since,
      lastT: s.lastT,
      deviantRun: s.deviantRun,
      normalRun: s.normalRun,
      saturatedRun: s.saturatedRun,
      flags: s.flags,
      lastZ: { cpu: s.lastZCpu, mem: s.lastZMem },
    };
  }

  /** The flags to keep elsewhere: every node flagged now, fresh or not. */
  flagRecords(): AnomalyFlagRecord[] {
    const records: AnomalyFlagRecord[] = [];
    for (const [node, s] of this.states) {
      if (s.flagged && s.reason) {
        records.push({ node, reason: s.reason, since: s.since, lastT: s.lastT });
      }
    }
    return records;
  }

  /**
   * Takes over a flag another extender raised (read from shared state at start-up). The node
   * stays flagged until this detector has seen enough of it to judge it normal M times in a
   * row; a node already known here is left as this detector sees it.
   */
  restore(record: AnomalyFlagRecord): boolean {
    if (this.states.has(record.node)) return false;
    if (!Number.isFinite(record.lastT) || !Number.isFinite(record.since)) return false;
    const state = new NodeState(this.settings.windowSamples);
    state.flagged = true;
    state.reason = record.reason;
    state.since = record.since;
    state.lastT = record.lastT;
    this.states.set(record.node, state);
    this.log.info(
      { node: record.node, reason: record.reason, since: record.since },
      'node anomaly flag restored',
    );
    return true;
  }

  /**
   * Flags raised per node not yet exported, and resets them; every known node is listed (with
   * 0) so its counter series exists before the first flag.
   */
  takeFlagCounts(visit: (node: string, newFlags: number) => void): void {
    for (const [node, s] of this.states) {
      visit(node, s.flags - s.exportedFlags);
      s.exportedFlags = s.flags;
    }
  }

  private judge(window: ResourceWindow, x: number, expected: number): number {
    if (!Number.isFinite(x)) return NaN;
    const ref = Number.isFinite(expected)
      ? expected
      : window.observed.length >= this.warm
        ? median(window.observed, this.scratch)
        : NaN;
    window.observed.push(x);
    if (!Number.isFinite(ref)) return NaN;

    const residual = x - ref;
    let z = NaN;
    if (window.residuals.length >= this.warm) {
      const centre = median(window.residuals, this.scratch);
      const spread = mad(window.residuals, centre, this.scratch);
      const scale = Math.max(MAD_TO_SIGMA * spread, this.settings.minDeviation);
      z = Math.abs(residual - centre) / scale;
    }
    window.residuals.push(residual);
    return z;
  }

  private change(
    node: string,
    state: NodeState,
    anomalous: boolean,
    t: number,
    why: AnomalyReason | 'back to normal' | 'data gap',
    zCpu = NaN,
    zMem = NaN,
    obs?: AnomalyObservation,
  ): void {
    const reason = (anomalous ? why : state.reason) as AnomalyReason;
    state.flagged = anomalous;
    if (anomalous) {
      state.reason = reason;
      state.since = t;
      state.flags++;
      state.normalRun = 0;
      this.log.info(
        {
          node,
          reason,
          cpu: obs?.cpu,
          mem: obs?.mem,
          zCpu: round(zCpu),
          zMem: round(zMem),
          samples: reason === 'deviation' ? state.deviantRun : state.saturatedRun,
        },
        'node flagged anomalous',
      );
    } else {
      this.log.info(
        { node, reason, cause: why, flaggedSeconds: t - state.since },
        'node anomaly cleared',
      );
      state.reason = undefined;
      state.deviantRun = 0;
      state.saturatedRun = 0;
    }
    const change: AnomalyChange = { node, anomalous, reason, t };
    for (const listener of this.listeners) listener(change);
  }

  private sweep(now: number): void {
    // Nodes silent for longer than the stale limit have nothing to act on, and a later sample
    // would reset them anyway; dropping them keeps departed nodes from piling up.
    for (const [node, state] of this.states) {
      if (!(now - state.lastT > this.staleSeconds)) continue;
      if (state.flagged) this.change(node, state, false, now, 'data gap');
      this.states.delete(node);
    }
  }
}

function round(z: number): number | null {
  return Number.isFinite(z) ? Math.round(z * 100) / 100 : null;
}
