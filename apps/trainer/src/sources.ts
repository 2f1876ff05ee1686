/**
 * Where training data comes from: the two shared traces, the synthetic generator, or Prometheus.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ALIBABA_2018_MACHINE_USAGE_FILE,
  BITBRAINS_RND_FILE,
  generateSyntheticSeries,
  readAlibaba2018MachineUsage,
  readBitbrainsRnd,
  type NodeSample,
  type SyntheticTraceOptions,
  type TraceReadProgress,
  type TraceReadReport,
} from '@mlsched/core';
import {
  readPrometheusSeries,
  type PrometheusReadReport,
  type PrometheusSourceOptions,
} from './prometheus.js';

interface TraceSourceBase {
  /** Directory holding `alibaba-v2018-machines/` and `bitbrains-rnd/`. @default defaultDataDir() */
  readonly dataDir?: string;
  /** A specific file instead of the shared slice. */
  readonly file?: string;
  readonly maxSeries?: number;
  readonly maxRowsPerSeries?: number;
}

export type TrainingSource =
  | ({ readonly kind: 'alibaba2018' } & TraceSourceBase)
  | ({ readonly kind: 'bitbrains' } & TraceSourceBase)
  | ({ readonly kind: 'synthetic' } & SyntheticTraceOptions)
  | ({ readonly kind: 'prometheus' } & Omit<PrometheusSourceOptions, 'onProgress'>);

export type SourceKind = TrainingSource['kind'];
export const SOURCE_KINDS: readonly SourceKind[] = [
  'alibaba2018',
  'bitbrains',
  'synthetic',
  'prometheus',
];

export interface SyntheticReadReport {
  readonly format: 'synthetic';
  readonly options: SyntheticTraceOptions;
  readonly series: number;
  readonly samples: number;
}

export type SourceReport = TraceReadReport | PrometheusReadReport | SyntheticReadReport;

export type SourceProgress =
  | ({ readonly kind: 'trace' } & TraceReadProgress)
  | {
      readonly kind: 'prometheus';
      readonly query: string;
      readonly chunk: number;
      readonly chunks: number;
    };

/**
 * `MLSCHED_DATA_DIR`, else `shared/data` beside the repository root (the checkout lives in
 * /work/main and the data in /work/shared/data). Same depth from `src/` and `lib/`.
 */
export function defaultDataDir(): string {
  return (
    process.env.MLSCHED_DATA_DIR ?? resolve(__dirname, '..', '..', '..', '..', 'shared', 'data')
  );
}

/** The file a trace source reads, checked to exist. */
export function traceFile(
  source: Extract<TrainingSource, { kind: 'alibaba2018' | 'bitbrains' }>,
): string {
  const file =
    source.file ??
    (source.kind === 'alibaba2018'
      ? join(
          source.dataDir ?? defaultDataDir(),
          'alibaba-v2018-machines',
          ALIBABA_2018_MACHINE_USAGE_FILE,
        )
      : join(source.dataDir ?? defaultDataDir(), 'bitbrains-rnd', BITBRAINS_RND_FILE));
  if (!existsSync(file)) {
    throw new Error(
      `source ${source.kind}: data file ${file} not found; pass --data-dir (or MLSCHED_DATA_DIR), ` +
        `or train on --source synthetic`,
    );
  }
  return file;
}

/** Reads the series of a source. */
export async function readSource(
  source: TrainingSource,
  onProgress?: (p: SourceProgress) => void,
): Promise<{ series: Map<string, NodeSample[]>; report: SourceReport }> {
  switch (source.kind) {
    case 'alibaba2018':
    case 'bitbrains': {
      const file = traceFile(source);
      const read = source.kind === 'alibaba2018' ? readAlibaba2018MachineUsage : readBitbrainsRnd;
      return read(file, {
        maxSeries: source.maxSeries,
        maxRowsPerSeries: source.maxRowsPerSeries,
        onProgress: (p) => onProgress?.({ kind: 'trace', ...p }),
      });
    }
    case 'synthetic': {
      const { kind: _kind, ...options } = source;
      const series = generateSyntheticSeries(options);
      let samples = 0;
      for (const s of series.values()) samples += s.length;
      return { series, report: { format: 'synthetic', options, series: series.size, samples } };
    }
    case 'prometheus': {
      const { kind: _kind, ...options } = source;
      return readPrometheusSeries({
        ...options,
        onProgress: (p) => onProgress?.({ kind: 'prometheus', ...p }),
      });
    }
    default: {
      const unknown: { kind?: unknown } = source;
      throw new Error(
        `source.kind must be one of ${SOURCE_KINDS.join(', ')}, got ${String(unknown.kind)}`,
      );
    }
  }
}
