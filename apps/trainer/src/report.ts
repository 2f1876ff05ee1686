/**
 * The training report: JSON for machines, a table for people.
 */
import type {
  ArtifactMetrics,
  ErrorMetrics,
  ModelTarget,
  TimeRange,
  XgboostParams,
} from '@mlsched/core';
import type { SourceKind, SourceReport } from './sources.js';

export interface ServingComparison {
  readonly path: string;
  /** Version of the serving model, when it could be read. */
  readonly version?: string;
  /** Its error on this run's validation rows, when it could be evaluated. */
  readonly metrics?: { readonly cpu: ErrorMetrics; readonly memory: ErrorMetrics };
  /** Why it could not be read or evaluated. */
  readonly problem?: string;
}

export interface DatasetReport {
  readonly series: number;
  readonly seriesUsed: number;
  /** Share of each series' time span (the latest part) used for validation. */
  readonly validationFraction: number;
  readonly trainRowsAvailable: number;
  readonly trainRows: number;
  /** Why training rows were capped, when they were. */
  readonly trainRowCap?: string;
  readonly validationRowsAvailable: number;
  readonly validationRows: number;
  readonly skippedAnchors: Readonly<Record<string, number>>;
  readonly trainRange: TimeRange;
  readonly validationRange: TimeRange;
}

export interface TrainReport {
  readonly version: string;
  readonly createdAt: string;
  readonly durationSeconds: number;
  readonly source: { readonly kind: SourceKind; readonly read: SourceReport };
  readonly dataset: DatasetReport;
  readonly target: ModelTarget;
  readonly params: XgboostParams;
  readonly trainSeconds: { readonly cpu: number; readonly memory: number };
  readonly metrics: ArtifactMetrics;
  /** Model MAE below both baselines' MAE. */
  readonly beatsBaselines: { readonly cpu: boolean; readonly memory: boolean };
  readonly serving?: ServingComparison;
  readonly published: boolean;
  readonly publishReason: string;
  readonly artifactPath: string;
  readonly reportPath: string;
  /** Where the artifact was published (the serving model path), when it was. */
  readonly publishedPath?: string;
}

const fmt = (v: number): string => v.toFixed(4);
const pct = (model: number, base: number): string =>
  base > 0
    ? `${model <= base ? '−' : '+'}${Math.abs((100 * (model - base)) / base).toFixed(1)} %`
    : 'n/a';

/** Fixed-width table of 5-minute-ahead errors, model first, then the baselines. */
export function formatReportTable(report: TrainReport): string {
  const { metrics: m } = report;
  const rows: Array<[string, ErrorMetrics, ErrorMetrics]> = [
    [`model ${report.version}`, m.cpu.model, m.memory.model],
    ['last value', m.cpu.lastValue, m.memory.lastValue],
    [
      `moving average ${m.movingAverageWindowSeconds / 60} min`,
      m.cpu.movingAverage,
      m.memory.movingAverage,
    ],
  ];
  if (report.serving?.metrics) {
    rows.push([
      `serving ${report.serving.version ?? ''}`.trim(),
      report.serving.metrics.cpu,
      report.serving.metrics.memory,
    ]);
  }
  const width = Math.max(...rows.map((r) => r[0].length), 'predictor'.length);
  const head = `${'predictor'.padEnd(width)}   cpu MAE  cpu RMSE   mem MAE  mem RMSE`;
  const lines = rows.map(
    ([name, c, mem]) =>
      `${name.padEnd(width)}  ${fmt(c.mae).padStart(8)}  ${fmt(c.rmse).padStart(8)}  ` +
      `${fmt(mem.mae).padStart(8)}  ${fmt(mem.rmse).padStart(8)}`,
  );
  const d = report.dataset;
  return [
    `source ${report.source.kind}: ${d.seriesUsed} series, ${d.trainRows} training rows` +
      `${d.trainRows < d.trainRowsAvailable ? ` (of ${d.trainRowsAvailable})` : ''}, ` +
      `${m.validationRows} validation rows (last ${Math.round(d.validationFraction * 100)} % of each series' time)`,
    `5-minute-ahead error, utilisation 0..1 (target: ${report.target})`,
    head,
    ...lines,
    `model vs last value, cpu MAE: ${pct(m.cpu.model.mae, m.cpu.lastValue.mae)}; ` +
      `memory MAE: ${pct(m.memory.model.mae, m.memory.lastValue.mae)}`,
    `published: ${report.published ? 'yes' : 'no'} (${report.publishReason})`,
    `artifact: ${report.artifactPath}`,
    `report:   ${report.reportPath}`,
  ].join('\n');
}
