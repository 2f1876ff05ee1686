/**
 * Turns node series into training and validation matrices with the shared feature code.
 *
 * Split: per series, the last `validationFraction` of its time span is validation. Training rows
 * whose target lies past the cut are dropped, so no training label looks into validation time.
 * Validation rows may read history from before the cut: at serving time history is always there.
 */
import {
  FEATURE_COUNT,
  HORIZON_SECONDS,
  targetIndex,
  writeFeatures,
  type ModelTarget,
  type NodeSample,
  type TimeRange,
} from '@mlsched/core';

export interface DatasetOptions {
  /** @default 0.2 */
  readonly validationFraction?: number;
  /** Target sample must lie within this many seconds of anchor + horizon. @default 60 */
  readonly targetToleranceSeconds?: number;
  /** @default 'delta' */
  readonly target?: ModelTarget;
}

/** A feature matrix with its targets. `actual*` is the observed level at the target time. */
export interface Split {
  readonly rows: number;
  readonly features: Float32Array;
  readonly cpuLabel: Float32Array;
  readonly memLabel: Float32Array;
  readonly cpuActual: Float32Array;
  readonly memActual: Float32Array;
  /** Anchor times (unix seconds) of the first and last row; undefined when empty. */
  readonly range: TimeRange | undefined;
}

export interface Dataset {
  readonly train: Split;
  readonly validation: Split;
  /** Series that contributed at least one row. */
  readonly seriesUsed: number;
  /** Anchors that gave no row, by reason. */
  readonly skippedAnchors: Readonly<Record<string, number>>;
}

/** Row-major Float32 matrix that grows by doubling, so no pass is needed to count rows first. */
class RowBuffer {
  rows = 0;
  features = new Float32Array(1024 * FEATURE_COUNT);
  labels = [
    new Float32Array(1024),
    new Float32Array(1024),
    new Float32Array(1024),
    new Float32Array(1024),
  ];
  tMin = Infinity;
  tMax = -Infinity;

  /** Space for one more row; returns its feature offset. */
  reserve(): number {
    if (this.rows === this.labels[0]!.length) {
      const cap = this.rows * 2;
      const f = new Float32Array(cap * FEATURE_COUNT);
      f.set(this.features);
      this.features = f;
      this.labels = this.labels.map((old) => {
        const grown = new Float32Array(cap);
        grown.set(old);
        return grown;
      });
    }
    return this.rows * FEATURE_COUNT;
  }

  commit(t: number, cpuLabel: number, memLabel: number, cpu: number, mem: number): void {
    const [a, b, c, d] = this.labels as [Float32Array, Float32Array, Float32Array, Float32Array];
    a[this.rows] = cpuLabel;
    b[this.rows] = memLabel;
    c[this.rows] = cpu;
    d[this.rows] = mem;
    this.rows++;
    if (t < this.tMin) this.tMin = t;
    if (t > this.tMax) this.tMax = t;
  }

  toSplit(): Split {
    const n = this.rows;
    const [a, b, c, d] = this.labels as [Float32Array, Float32Array, Float32Array, Float32Array];
    return {
      rows: n,
      features: this.features.slice(0, n * FEATURE_COUNT),
      cpuLabel: a.slice(0, n),
      memLabel: b.slice(0, n),
      cpuActual: c.slice(0, n),
      memActual: d.slice(0, n),
      range: n > 0 ? { start: this.tMin, end: this.tMax } : undefined,
    };
  }
}

/** Builds the matrices. Each sample of each series is tried as an anchor. */
export function buildDataset(
  series: ReadonlyMap<string, readonly NodeSample[]>,
  options: DatasetOptions = {},
): Dataset {
  const vf = options.validationFraction ?? 0.2;
  const tolerance = options.targetToleranceSeconds ?? 60;
  const delta = (options.target ?? 'delta') === 'delta';
  if (!(vf > 0 && vf < 1)) throw new RangeError(`validationFraction must be in (0, 1), got ${vf}`);
  if (!(tolerance >= 0))
    throw new RangeError(`targetToleranceSeconds must be >= 0, got ${tolerance}`);

  const train = new RowBuffer();
  const validation = new RowBuffer();
  const skipped: Record<string, number> = {};
  const skip = (reason: string): void => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  let seriesUsed = 0;

  for (const samples of series.values()) {
    if (samples.length < 2) {
      skip('series_too_short');
      continue;
    }
    const first = samples[0] as NodeSample;
    const last = samples[samples.length - 1] as NodeSample;
    const cut = first.t + (1 - vf) * (last.t - first.t);
    let hint = 1;
    let used = false;
    for (let i = 0; i < samples.length; i++) {
      const anchor = samples[i] as NodeSample;
      const j = targetIndex(samples, i, HORIZON_SECONDS, tolerance, hint);
      if (j === undefined) {
        skip('no_target_sample');
        continue;
      }
      hint = j;
      const target = samples[j] as NodeSample;
      const isValidation = anchor.t > cut;
      if (!isValidation && target.t > cut) {
        skip('target_crosses_split');
        continue;
      }
      const buf = isValidation ? validation : train;
      const at = buf.reserve();
      if (!writeFeatures(samples, i, anchor.t, buf.features, at)) {
        skip('features_unavailable');
        continue;
      }
      // The base is the sample itself (float64), as at serving time, not its Float32 copy.
      const cpuBase = delta ? anchor.cpu : 0;
      const memBase = delta ? anchor.mem : 0;
      buf.commit(anchor.t, target.cpu - cpuBase, target.mem - memBase, target.cpu, target.mem);
      used = true;
    }
    if (used) seriesUsed++;
  }

  return {
    train: train.toSplit(),
    validation: validation.toSplit(),
    seriesUsed,
    skippedAnchors: skipped,
  };
}

/**
 * Keeps `max` rows spread evenly over the split (every k-th row, k fractional), or the split
 * itself when it is small enough. Even spacing keeps every series and every part of the time
 * range represented, which a prefix would not.
 */
export function subsample(split: Split, max: number): Split {
  if (split.rows <= max) return split;
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`max must be a positive integer, got ${max}`);
  const pick = (k: number): number => Math.floor((k * split.rows) / max);
  const features = new Float32Array(max * FEATURE_COUNT);
  const cols = [split.cpuLabel, split.memLabel, split.cpuActual, split.memActual];
  const out = cols.map(() => new Float32Array(max));
  for (let k = 0; k < max; k++) {
    const i = pick(k);
    features.set(
      split.features.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT),
      k * FEATURE_COUNT,
    );
    for (let c = 0; c < cols.length; c++)
      (out[c] as Float32Array)[k] = (cols[c] as Float32Array)[i] as number;
  }
  const [cpuLabel, memLabel, cpuActual, memActual] = out as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  return { rows: max, features, cpuLabel, memLabel, cpuActual, memActual, range: split.range };
}
