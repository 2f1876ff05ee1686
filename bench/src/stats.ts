/** Summaries of timing samples. */

export interface Summary {
  readonly n: number;
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Nearest-rank percentile of ascending `sorted` values (p in 0..100). With fewer than 100
 * samples the 99th percentile is the maximum; reports show `n` next to it for that reason.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summary of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    mean: total / sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}

export function median(samples: readonly number[]): number {
  return summarize(samples).p50;
}

/** Monotonic time in milliseconds, sub-microsecond resolution. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
