/**
 * One training run: read a source, build features, train a CPU and a memory booster in a worker
 * process, score them and the baselines on held-out time, write the artifact and the report, and
 * publish the artifact only when it beats the model being served.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  DEFAULT_XGBOOST_PARAMS,
  FEATURE_COUNT,
  FEATURE_NAMES,
  HISTORY_SECONDS,
  HORIZON_SECONDS,
  MIN_HISTORY_SECONDS,
  MODEL_FORMAT,
  base64ToBytes,
  bytesToBase64,
  makeModelVersion,
  maxTrainingRows,
  parseModelArtifactJson,
  serializeModelArtifact,
  TRAINER_RUN_FORMAT,
  type ModelArtifact,
  type ModelTarget,
  type ResourceMetrics,
  type RunValidationMae,
  type TrainerRunRecord,
  type XgboostParams,
} from '@mlsched/core';
import type { Logger } from 'pino';
import { buildDataset, subsample, type Split } from './dataset.js';
import { evaluate, evaluateModel, MOVING_AVERAGE_WINDOW_SECONDS } from './evaluate.js';
import { createLogger } from './logger.js';
import type { ServingComparison, TrainReport } from './report.js';
import { writeRunRecord } from './run-record.js';
import { readSource, type SourceProgress, type TrainingSource } from './sources.js';
import { TrainingWorker } from './worker-client.js';

export const DEFAULT_MAX_TRAIN_ROWS = 200_000;
export const DEFAULT_MAX_VALIDATION_ROWS = 200_000;
/** Below these a run fails: metrics on a handful of rows would decide publication by chance. */
export const MIN_TRAIN_ROWS = 200;
export const MIN_VALIDATION_ROWS = 50;

export type TrainStage = 'reading' | 'features' | 'training' | 'evaluating' | 'writing' | 'done';

export interface TrainProgress {
  readonly stage: TrainStage;
  /** Stage-specific counters (rows read, chunks fetched, booster being trained…). */
  readonly [field: string]: unknown;
}

export interface TrainOptions {
  readonly source: TrainingSource;
  /** Base directory for `models/` and `reports/`. @default process.cwd() */
  readonly outDir?: string;
  /** @default `<outDir>/models` */
  readonly modelsDir?: string;
  /** @default `<outDir>/reports` */
  readonly reportsDir?: string;
  /**
   * Training rows kept (evenly subsampled beyond this). Also capped by the XGBoost size guard,
   * `maxTrainingRows(FEATURE_COUNT)`. @default 200000
   */
  readonly maxTrainRows?: number;
  /** @default 200000 */
  readonly maxValidationRows?: number;
  /** @default 0.2 */
  readonly validationFraction?: number;
  /** @default 'delta' */
  readonly target?: ModelTarget;
  /** Overrides of {@link DEFAULT_XGBOOST_PARAMS}. */
  readonly params?: Partial<XgboostParams>;
  /**
   * The artifact the scheduler serves, replaced by the new one when that is published (a local
   * set-up where the extender's MODEL_PATH is this file).
   */
  readonly servingModelPath?: string;
  /**
   * The artifact being served, compared against but never written: in the cluster this is the
   * version the environment's release pins, which is immutable. Exclusive with servingModelPath.
   */
  readonly compareWithPath?: string;
  /** Where an artifact that was not published goes. @default `<modelsDir>/../rejected` */
  readonly rejectedDir?: string;
  readonly onProgress?: (progress: TrainProgress) => void;
  readonly logger?: Logger;
  /** Clock for `createdAt`. @default () => new Date() */
  readonly now?: () => Date;
}

export interface TrainResult {
  readonly artifactPath: string;
  readonly artifact: ModelArtifact;
  readonly report: TrainReport;
  /** The run record written into the reports directory. */
  readonly runRecordPath: string;
  readonly runRecord: TrainerRunRecord;
}

function positiveInt(value: number | undefined, name: string, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1)
    throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}

async function writeAtomically(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content);
  // rename() within one directory is atomic: a reader sees the old file or the new, never half.
  await rename(tmp, path);
}

/** Reads the serving artifact and scores it on `validation` in the worker. */
async function compareWithServing(
  path: string,
  validation: Split,
  worker: TrainingWorker,
): Promise<ServingComparison> {
  if (!existsSync(path)) return { path, problem: 'no serving model yet' };
  let serving: ModelArtifact;
  try {
    serving = parseModelArtifactJson(await readFile(path, 'utf8'));
  } catch (err) {
    return { path, problem: `serving model unusable by this build: ${(err as Error).message}` };
  }
  const raw = {
    cpu: await worker.predict(
      base64ToBytes(serving.boosters.cpu),
      FEATURE_COUNT,
      validation.features,
      validation.rows,
    ),
    memory: await worker.predict(
      base64ToBytes(serving.boosters.memory),
      FEATURE_COUNT,
      validation.features,
      validation.rows,
    ),
  };
  return {
    path,
    version: serving.version,
    metrics: evaluateModel(validation, raw, serving.target),
  };
}

function reportsDirOf(opts: TrainOptions): string {
  const outDir = resolve(opts.outDir ?? process.cwd());
  return resolve(opts.reportsDir ?? join(outDir, 'reports'));
}

function runMae(m: ResourceMetrics): RunValidationMae {
  return { model: m.model.mae, lastValue: m.lastValue.mae, movingAverage: m.movingAverage.mae };
}

/**
 * Trains, evaluates, writes and (maybe) publishes a node-load model, and records the run in the
 * reports directory whatever its result: a failed run leaves a record with the error before the
 * error is rethrown.
 */
export async function trainNodeLoadModel(opts: TrainOptions): Promise<TrainResult> {
  const started = new Date();
  const log = opts.logger ?? createLogger('trainer');
  const reportsDir = reportsDirOf(opts);
  const base = {
    format: TRAINER_RUN_FORMAT,
    startedAt: started.toISOString(),
    source: opts.source.kind,
  } as const;
  const ended = () => {
    const end = new Date();
    return {
      endedAt: end.toISOString(),
      durationSeconds: (end.getTime() - started.getTime()) / 1000,
    };
  };

  let trained: Omit<TrainResult, 'runRecordPath' | 'runRecord'>;
  try {
    trained = await trainOnce(opts, log, started.getTime());
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const record: TrainerRunRecord = {
      ...base,
      result: 'failed',
      ...ended(),
      reason: 'the run stopped on an error',
      error: message,
    };
    try {
      const path = await writeRunRecord(reportsDir, record, log);
      log.info({ path, result: record.result }, 'run record written');
    } catch (writeErr) {
      // The training error is what the caller must see; the record's loss is only logged.
      log.warn({ err: writeErr, dir: reportsDir }, 'run record could not be written');
    }
    throw err;
  }

  const { report } = trained;
  const result = report.published ? 'published' : 'rejected';
  const record: TrainerRunRecord = {
    ...base,
    result,
    ...ended(),
    version: report.version,
    reason: report.publishReason,
    validationMae: { cpu: runMae(report.metrics.cpu), memory: runMae(report.metrics.memory) },
  };
  const runRecordPath = await writeRunRecord(reportsDir, record, log);
  log.info({ path: runRecordPath, result, version: report.version }, 'run record written');
  return { ...trained, runRecordPath, runRecord: record };
}

async function trainOnce(
  opts: TrainOptions,
  log: Logger,
  started: number,
): Promise<Omit<TrainResult, 'runRecordPath' | 'runRecord'>> {
  const outDir = resolve(opts.outDir ?? process.cwd());
  const modelsDir = resolve(opts.modelsDir ?? join(outDir, 'models'));
  const rejectedDir = resolve(opts.rejectedDir ?? join(dirname(modelsDir), 'rejected'));
  const reportsDir = reportsDirOf(opts);
  if (opts.servingModelPath !== undefined && opts.compareWithPath !== undefined) {
    throw new Error('servingModelPath and compareWithPath are exclusive: give one serving model');
  }
  const servingPath = opts.servingModelPath ?? opts.compareWithPath;
  const requestedRows = positiveInt(opts.maxTrainRows, 'maxTrainRows', DEFAULT_MAX_TRAIN_ROWS);
  const maxValidationRows = positiveInt(
    opts.maxValidationRows,
    'maxValidationRows',
    DEFAULT_MAX_VALIDATION_ROWS,
  );
  const target = opts.target ?? 'delta';
  if (target !== 'delta' && target !== 'level')
    throw new RangeError(`target must be delta or level, got ${target}`);
  const validationFraction = opts.validationFraction ?? 0.2;
  const params: XgboostParams = {
    ...DEFAULT_XGBOOST_PARAMS,
    ...(target === 'level' ? { base_score: 0.5 } : {}),
    ...opts.params,
  } as XgboostParams;
  const progress = (p: TrainProgress): void => {
    log.info(p, 'training progress');
    opts.onProgress?.(p);
  };

  progress({ stage: 'reading', source: opts.source.kind });
  const { series, report: read } = await readSource(opts.source, (p: SourceProgress) =>
    progress({ stage: 'reading', ...p }),
  );

  progress({ stage: 'features', series: series.size });
  const dataset = buildDataset(series, { validationFraction, target });
  if (dataset.train.rows < MIN_TRAIN_ROWS || dataset.validation.rows < MIN_VALIDATION_ROWS) {
    throw new Error(
      `not enough data from ${opts.source.kind}: ${dataset.train.rows} training and ` +
        `${dataset.validation.rows} validation rows from ${series.size} series ` +
        `(need ${MIN_TRAIN_ROWS} and ${MIN_VALIDATION_ROWS}; a row needs ${MIN_HISTORY_SECONDS / 60} min ` +
        `of history and a sample ${HORIZON_SECONDS / 60} min ahead)`,
    );
  }
  const guardRows = maxTrainingRows(FEATURE_COUNT);
  const maxTrainRows = Math.min(requestedRows, guardRows);
  let trainRowCap: string | undefined;
  if (dataset.train.rows > maxTrainRows) {
    trainRowCap =
      requestedRows > guardRows
        ? `xgboost size guard: at most ${guardRows} rows × ${FEATURE_COUNT} features per booster`
        : `maxTrainRows ${requestedRows}`;
    log.warn(
      { available: dataset.train.rows, kept: maxTrainRows, reason: trainRowCap },
      'training rows subsampled',
    );
  }
  const train = subsample(dataset.train, maxTrainRows);
  const validation = subsample(dataset.validation, maxValidationRows);

  const worker = TrainingWorker.start(log);
  let trained: {
    cpu: Awaited<ReturnType<TrainingWorker['train']>>;
    memory: Awaited<ReturnType<TrainingWorker['train']>>;
  };
  let serving: ServingComparison | undefined;
  try {
    progress({ stage: 'training', booster: 'cpu', rows: train.rows });
    const cpu = await worker.train(
      train.features,
      train.cpuLabel,
      FEATURE_COUNT,
      params,
      validation.features,
      validation.rows,
    );
    progress({
      stage: 'training',
      booster: 'memory',
      rows: train.rows,
      cpuSeconds: cpu.trainSeconds,
    });
    const memory = await worker.train(
      train.features,
      train.memLabel,
      FEATURE_COUNT,
      params,
      validation.features,
      validation.rows,
    );
    trained = { cpu, memory };

    progress({ stage: 'evaluating', validationRows: validation.rows });
    // Round trip through base64, as the artifact stores it: the reloaded booster must reproduce
    // the worker's predictions exactly, or the artifact would not serve what was measured.
    const check = Math.min(validation.rows, 500);
    const reloaded = await worker.predict(
      base64ToBytes(bytesToBase64(cpu.model)),
      FEATURE_COUNT,
      validation.features,
      check,
    );
    for (let i = 0; i < check; i++) {
      if (reloaded[i] !== cpu.predictions[i]) {
        throw new Error(`artifact self-check: reloaded cpu booster differs at validation row ${i}`);
      }
    }
    if (servingPath) serving = await compareWithServing(resolve(servingPath), validation, worker);
  } finally {
    await worker.close();
  }

  const scores = evaluate(
    validation,
    { cpu: trained.cpu.predictions, memory: trained.memory.predictions },
    target,
  );
  const createdAt = (opts.now?.() ?? new Date()).toISOString();
  const version = makeModelVersion(new Date(createdAt), [trained.cpu.model, trained.memory.model]);
  const trainRange = train.range as NonNullable<Split['range']>;
  const validationRange = validation.range as NonNullable<Split['range']>;
  const artifact: ModelArtifact = {
    format: MODEL_FORMAT,
    version,
    createdAt,
    horizonSeconds: HORIZON_SECONDS,
    historySeconds: HISTORY_SECONDS,
    featureNames: [...FEATURE_NAMES],
    target,
    boosters: {
      cpu: bytesToBase64(trained.cpu.model),
      memory: bytesToBase64(trained.memory.model),
    },
    training: {
      source: opts.source.kind,
      series: dataset.seriesUsed,
      rows: train.rows,
      trainRange,
      validationRange,
      params: { ...params },
    },
    metrics: {
      validationRows: validation.rows,
      movingAverageWindowSeconds: MOVING_AVERAGE_WINDOW_SECONDS,
      cpu: scores.cpu,
      memory: scores.memory,
    },
  };

  // Publish only what beats what is served. With no usable model served, the extender scores
  // from each node's newest observed load, which is exactly the last-value baseline: a model
  // has to beat that to be worth serving.
  const newCpuMae = scores.cpu.model.mae;
  let published: boolean;
  let publishReason: string;
  if (serving?.metrics) {
    published = newCpuMae < serving.metrics.cpu.mae;
    publishReason =
      `validation cpu MAE ${newCpuMae.toFixed(5)} ${published ? '<' : 'does not beat'} ` +
      `serving ${serving.version} ${serving.metrics.cpu.mae.toFixed(5)}`;
  } else {
    const fallback = scores.cpu.lastValue.mae;
    const why = serving?.problem ?? 'no serving model given';
    published = newCpuMae < fallback;
    publishReason =
      `${why}; validation cpu MAE ${newCpuMae.toFixed(5)} ` +
      `${published ? '<' : 'does not beat'} last value ${fallback.toFixed(5)}, ` +
      'what the extender serves without a model';
  }

  progress({ stage: 'writing', version });
  const artifactPath = join(published ? modelsDir : rejectedDir, `${version}.json`);
  const reportPath = join(reportsDir, `trainer-${opts.source.kind}.json`);
  const text = serializeModelArtifact(artifact);
  await writeAtomically(artifactPath, text);
  const publishedPath =
    published && opts.servingModelPath ? resolve(opts.servingModelPath) : undefined;
  if (publishedPath) await writeAtomically(publishedPath, text);

  const report: TrainReport = {
    version,
    createdAt,
    durationSeconds: (Date.now() - started) / 1000,
    source: { kind: opts.source.kind, read },
    dataset: {
      series: series.size,
      seriesUsed: dataset.seriesUsed,
      validationFraction,
      trainRowsAvailable: dataset.train.rows,
      trainRows: train.rows,
      ...(trainRowCap ? { trainRowCap } : {}),
      validationRowsAvailable: dataset.validation.rows,
      validationRows: validation.rows,
      skippedAnchors: dataset.skippedAnchors,
      trainRange,
      validationRange,
    },
    target,
    params,
    trainSeconds: { cpu: trained.cpu.trainSeconds, memory: trained.memory.trainSeconds },
    metrics: artifact.metrics,
    beatsBaselines: {
      cpu: newCpuMae < Math.min(scores.cpu.lastValue.mae, scores.cpu.movingAverage.mae),
      memory:
        scores.memory.model.mae <
        Math.min(scores.memory.lastValue.mae, scores.memory.movingAverage.mae),
    },
    ...(serving ? { serving } : {}),
    published,
    publishReason,
    artifactPath,
    reportPath,
    ...(publishedPath ? { publishedPath } : {}),
  };
  await writeAtomically(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  progress({ stage: 'done', version, published, durationSeconds: report.durationSeconds });
  return { artifactPath, artifact, report };
}
