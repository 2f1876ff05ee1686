/**
 * What every trace reader hands back: the series, and an account of each row it did not use.
 */
import type { NodeSample } from '../types.js';

export type TraceFormat = 'alibaba2018' | 'bitbrains';

export interface TraceReadProgress {
  readonly rowsRead: number;
  readonly series: number;
}

export interface TraceReadOptions {
  /** Stop after this many distinct series (files are grouped by series, so this reads a prefix). */
  readonly maxSeries?: number;
  /** Keep at most this many samples per series (the earliest ones). */
  readonly maxRowsPerSeries?: number;
  /** Stop after this many data rows. */
  readonly maxRows?: number;
  /** Only these series ids. */
  readonly seriesIds?: readonly string[];
  /** Called every {@link PROGRESS_EVERY_ROWS} data rows and once at the end. */
  readonly onProgress?: (progress: TraceReadProgress) => void;
}

export const PROGRESS_EVERY_ROWS = 100_000;

export interface TraceReadReport {
  readonly format: TraceFormat;
  readonly file: string;
  /** Data rows read (header excluded). */
  readonly rowsRead: number;
  /** Rows that became samples. */
  readonly samples: number;
  readonly series: number;
  /** Rows not used, by reason; every row read is either a sample or counted here. */
  readonly skipped: Readonly<Record<string, number>>;
  /** Rows used whose other fields were flagged, by issue (e.g. an invalid disk value). */
  readonly notes: Readonly<Record<string, number>>;
  /** True when a limit (maxSeries, maxRows) stopped reading before the end of the file. */
  readonly truncated: boolean;
}

export interface TraceReadResult {
  /** Samples per series id, sorted by time, strictly increasing. */
  readonly series: Map<string, NodeSample[]>;
  readonly report: TraceReadReport;
}

/** Counts per reason; `Record` so it serialises as a plain JSON object. */
export class ReasonCounter {
  readonly counts: Record<string, number> = {};

  add(reason: string): void {
    this.counts[reason] = (this.counts[reason] ?? 0) + 1;
  }

  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A decimal number (Java-style `2.0948992E7` included), `undefined` for an empty field and NaN
 * for anything else. `Number()` alone would read an empty field as 0, i.e. as "no load".
 */
export function parseDecimal(field: string | undefined): number | undefined {
  if (field === undefined) return undefined;
  const s = field.trim();
  if (s === '') return undefined;
  return DECIMAL.test(s) ? Number(s) : NaN;
}

/**
 * Applies the series options (`seriesIds`, `maxSeries`, `maxRowsPerSeries`) row by row, the same
 * way for every trace format, and holds the series being collected.
 */
export class SeriesSelector {
  readonly series = new Map<string, NodeSample[]>();
  private readonly wanted: ReadonlySet<string> | undefined;

  constructor(private readonly options: TraceReadOptions) {
    this.wanted = options.seriesIds ? new Set(options.seriesIds) : undefined;
  }

  /**
   * Where a row of series `id` goes: its series' samples, a skip reason, or `'stop'` when the
   * row starts a series past `maxSeries` (files are grouped by series, so nothing after it is
   * wanted).
   */
  take(id: string): NodeSample[] | 'not_selected' | 'series_row_limit' | 'stop' {
    if (this.wanted && !this.wanted.has(id)) return 'not_selected';
    let samples = this.series.get(id);
    if (!samples) {
      const { maxSeries } = this.options;
      if (maxSeries !== undefined && this.series.size >= maxSeries) return 'stop';
      samples = [];
      this.series.set(id, samples);
    }
    const { maxRowsPerSeries } = this.options;
    if (maxRowsPerSeries !== undefined && samples.length >= maxRowsPerSeries) {
      return 'series_row_limit';
    }
    return samples;
  }
}
