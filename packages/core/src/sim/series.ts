import type { NodeSample } from '../types.js';

/**
 * A regularly sampled pair of CPU and memory series. What the values are relative to depends on
 * the user: a pod's usage series holds usage/request ratios, a node's background series holds
 * fractions of the node's capacity.
 *
 * Lookups wrap around at the end, so a series shorter than the replay repeats; the replays here
 * use series of days and horizons of hours, so a wrap is rare and harmless.
 */
export interface RatioSeries {
  /** Seconds between two values. */
  readonly stepSeconds: number;
  readonly cpu: Float32Array;
  readonly mem: Float32Array;
}

/** The value pair at `seconds` after the series' start (a step function, wrapping). */
export function seriesAt(series: RatioSeries, seconds: number): { cpu: number; mem: number } {
  const n = series.cpu.length;
  const raw = Math.floor(seconds / series.stepSeconds) % n;
  const i = raw < 0 ? raw + n : raw;
  return { cpu: series.cpu[i] ?? 0, mem: series.mem[i] ?? 0 };
}

export interface GridProps {
  /** Seconds between two values of the output. */
  readonly stepSeconds: number;
  /** CPU values above this are clipped (measurement artefacts). */
  readonly maxCpu: number;
  /** Memory values above this are clipped (e.g. memory "used" above what was provisioned). */
  readonly maxMem: number;
  /** Maps each input value before clipping (e.g. scale a machine's load down to daemon load). */
  readonly map?: (value: number) => number;
}

/** The result of putting irregular samples on a grid, with how much had to be repaired. */
export interface GridResult {
  readonly series: RatioSeries;
  /** Values above `maxCpu` / `maxMem` that were clipped. */
  readonly clipped: number;
  /** Grid slots with no sample of their own, filled by holding the previous value. */
  readonly held: number;
}

/**
 * Puts time-sorted samples on a regular grid: each slot takes the newest sample at or before its
 * time, so gaps hold the last value rather than inventing a trend. Samples with a non-finite or
 * negative value are dropped (never turned into zero load).
 */
export function toGrid(samples: readonly NodeSample[], props: GridProps): GridResult {
  if (!(props.stepSeconds > 0)) {
    throw new Error(`stepSeconds must be positive, got ${String(props.stepSeconds)}`);
  }
  const valid = samples.filter(
    (s) => Number.isFinite(s.t) && Number.isFinite(s.cpu) && Number.isFinite(s.mem),
  );
  const usable = valid.filter((s) => s.cpu >= 0 && s.mem >= 0);
  const first = usable[0];
  const last = usable[usable.length - 1];
  if (!first || !last) {
    throw new Error('samples holds no finite, non-negative value to put on a grid');
  }

  const slots = Math.floor((last.t - first.t) / props.stepSeconds) + 1;
  const cpu = new Float32Array(slots);
  const mem = new Float32Array(slots);
  const map = props.map ?? ((v: number) => v);
  let clipped = 0;
  let held = 0;
  let j = 0;
  for (let k = 0; k < slots; k++) {
    const slotT = first.t + k * props.stepSeconds;
    const before = j;
    while (j + 1 < usable.length && (usable[j + 1] as NodeSample).t <= slotT) j++;
    if (j === before && k > 0) held++;
    const s = usable[j] as NodeSample;
    const c = map(s.cpu);
    const m = map(s.mem);
    if (c > props.maxCpu) clipped++;
    if (m > props.maxMem) clipped++;
    cpu[k] = Math.min(c, props.maxCpu);
    mem[k] = Math.min(m, props.maxMem);
  }
  return { series: { stepSeconds: props.stepSeconds, cpu, mem }, clipped, held };
}
