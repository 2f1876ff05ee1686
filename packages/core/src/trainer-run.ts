/**
 * The trainer's run record: one small JSON file per training run, whatever its result, written
 * into the model's reports directory. A CronJob's pod is gone before Prometheus could scrape it,
 * so the trainer leaves this record on the model store and the extender, which mounts the store
 * read-only, turns the records into the `mlsched_trainer_*` series. Writer and reader share this
 * module so the two cannot drift; the parser is strict and names the field it refuses.
 */

export const TRAINER_RUN_FORMAT = 'mlsched.trainer-run/v1';

/**
 * How a run ended:
 * - `published`: an artifact was written and it is the run's output: with a serving model path it
 *   beat the model there and replaced it; without one (the cluster's CronJob, where a release file
 *   pins the version to serve) the new version is in the store, ready to be pinned.
 * - `rejected`: an artifact was written, but it did not beat the serving model, which stays.
 * - `failed`: the run stopped on an error (data, training, I/O); `error` says which.
 */
export const TRAINER_RUN_RESULTS = ['published', 'rejected', 'failed'] as const;
export type TrainerRunResult = (typeof TRAINER_RUN_RESULTS)[number];

/** Validation MAE of the model and of the two baselines, as the trainer measured it. */
export interface RunValidationMae {
  readonly model: number;
  readonly lastValue: number;
  readonly movingAverage: number;
}

export interface TrainerRunRecord {
  readonly format: typeof TRAINER_RUN_FORMAT;
  readonly result: TrainerRunResult;
  /** ISO 8601, UTC. */
  readonly startedAt: string;
  /** ISO 8601, UTC. */
  readonly endedAt: string;
  readonly durationSeconds: number;
  /** Data source kind (`prometheus` in the cluster). */
  readonly source: string;
  /** Version of the artifact written; absent when the run failed before writing one. */
  readonly version?: string;
  /** Why it was published or not, or the error. */
  readonly reason: string;
  /** The error message, for `failed` runs. */
  readonly error?: string;
  /** Absent when the run failed before evaluating. */
  readonly validationMae?: { readonly cpu: RunValidationMae; readonly memory: RunValidationMae };
}

/** Run records are `run-<endedAt, ':' → '-'>.json`; anything else in the directory is not one. */
export const TRAINER_RUN_FILE = /^run-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(\.\d{3})?Z\.json$/;

/** File name of the record of a run that ended at `endedAt`. */
export function trainerRunFileName(endedAt: Date): string {
  return `run-${endedAt.toISOString().replace(/:/g, '-')}.json`;
}

/** Refused record; the message names the file and the field. */
export class TrainerRunFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainerRunFormatError';
  }
}

type Json = Record<string, unknown>;

function field(obj: Json, name: string, where: string): unknown {
  if (!(name in obj)) throw new TrainerRunFormatError(`${where}: ${name} is missing`);
  return obj[name];
}

function isoTime(obj: Json, name: string, where: string): string {
  const value = field(obj, name, where);
  if (typeof value !== 'string' || !Number.isFinite(Date.parse(value))) {
    throw new TrainerRunFormatError(`${where}: ${name} must be an ISO time, got ${show(value)}`);
  }
  return value;
}

function nonNegative(obj: Json, name: string, where: string): number {
  const value = field(obj, name, where);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TrainerRunFormatError(
      `${where}: ${name} must be a finite number >= 0, got ${show(value)}`,
    );
  }
  return value;
}

function text(obj: Json, name: string, where: string, optional = false): string | undefined {
  if (optional && obj[name] === undefined) return undefined;
  const value = field(obj, name, where);
  if (typeof value !== 'string') {
    throw new TrainerRunFormatError(`${where}: ${name} must be a string, got ${show(value)}`);
  }
  return value;
}

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TrainerRunFormatError(`${where} must be an object, got ${show(value)}`);
  }
  return value as Json;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
}

function maes(value: unknown, where: string): RunValidationMae {
  const obj = object(value, where);
  return {
    model: nonNegative(obj, 'model', where),
    lastValue: nonNegative(obj, 'lastValue', where),
    movingAverage: nonNegative(obj, 'movingAverage', where),
  };
}

/** Parses and checks a record; `file` names it in every error. */
export function parseTrainerRunRecord(json: string, file: string): TrainerRunRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new TrainerRunFormatError(`${file}: not JSON (${(err as Error).message})`);
  }
  const obj = object(raw, file);
  const format = field(obj, 'format', file);
  if (format !== TRAINER_RUN_FORMAT) {
    throw new TrainerRunFormatError(
      `${file}: format must be ${TRAINER_RUN_FORMAT}, got ${show(format)}`,
    );
  }
  const result = field(obj, 'result', file);
  if (!TRAINER_RUN_RESULTS.includes(result as TrainerRunResult)) {
    throw new TrainerRunFormatError(
      `${file}: result must be one of ${TRAINER_RUN_RESULTS.join(', ')}, got ${show(result)}`,
    );
  }
  const startedAt = isoTime(obj, 'startedAt', file);
  const endedAt = isoTime(obj, 'endedAt', file);
  if (Date.parse(endedAt) < Date.parse(startedAt)) {
    throw new TrainerRunFormatError(`${file}: endedAt (${endedAt}) is before startedAt`);
  }
  let validationMae: TrainerRunRecord['validationMae'];
  if (obj.validationMae !== undefined) {
    const v = object(obj.validationMae, `${file}: validationMae`);
    validationMae = {
      cpu: maes(field(v, 'cpu', `${file}: validationMae`), `${file}: validationMae.cpu`),
      memory: maes(field(v, 'memory', `${file}: validationMae`), `${file}: validationMae.memory`),
    };
  }
  const version = text(obj, 'version', file, true);
  const error = text(obj, 'error', file, true);
  return {
    format: TRAINER_RUN_FORMAT,
    result: result as TrainerRunResult,
    startedAt,
    endedAt,
    durationSeconds: nonNegative(obj, 'durationSeconds', file),
    source: text(obj, 'source', file) as string,
    ...(version === undefined ? {} : { version }),
    reason: text(obj, 'reason', file) as string,
    ...(error === undefined ? {} : { error }),
    ...(validationMae ? { validationMae } : {}),
  };
}
