/**
 * The node-load model artifact: one JSON document the trainer writes and the extender loads.
 * Documented for people in apps/trainer/MODEL_FORMAT.md; this module is the executable version
 * of that page. The parser is strict on purpose: a model trained for other features would still
 * produce numbers, just wrong ones, so any mismatch is refused with the offending field named.
 */
import { createHash } from 'node:crypto';
import { FEATURE_NAMES, HISTORY_SECONDS } from './features.js';

export const MODEL_FORMAT = 'mlsched.node-load/v1';

/** What the boosters predict: the change from the last sample, or the level itself. */
export type ModelTarget = 'delta' | 'level';

/** Closed interval of unix seconds. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

/** Error of forecasts against observed values, in utilisation (0..1) units. */
export interface ErrorMetrics {
  readonly mae: number;
  readonly rmse: number;
}

/** The model and the two baselines it must beat, on the same validation rows. */
export interface ResourceMetrics {
  readonly model: ErrorMetrics;
  readonly lastValue: ErrorMetrics;
  readonly movingAverage: ErrorMetrics;
}

export interface ArtifactMetrics {
  readonly validationRows: number;
  /** Window of the moving-average baseline, seconds. */
  readonly movingAverageWindowSeconds: number;
  readonly cpu: ResourceMetrics;
  readonly memory: ResourceMetrics;
}

export interface ArtifactTraining {
  /** Data source kind, e.g. `alibaba2018`, `bitbrains`, `synthetic`, `prometheus`. */
  readonly source: string;
  /** Number of node series the rows came from. */
  readonly series: number;
  /** Training rows the boosters saw (after any subsampling). */
  readonly rows: number;
  readonly trainRange: TimeRange;
  readonly validationRange: TimeRange;
  /** XGBoost parameters, as passed to it. */
  readonly params: Readonly<Record<string, string | number>>;
}

export interface ModelArtifact {
  readonly format: typeof MODEL_FORMAT;
  /** Unique, filename-safe: `<createdAt with ':' → '-'>-<6 hex of the boosters' sha256>`. */
  readonly version: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly horizonSeconds: number;
  readonly historySeconds: number;
  readonly featureNames: readonly string[];
  readonly target: ModelTarget;
  /** Base64 of XGBoost 0.72's legacy binary model, one per resource. */
  readonly boosters: { readonly cpu: string; readonly memory: string };
  readonly training: ArtifactTraining;
  readonly metrics: ArtifactMetrics;
}

/** A model artifact that failed validation; `field` is the JSON path of the first problem. */
export class ModelFormatError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`model artifact field "${field}": ${problem}`);
    this.name = 'ModelFormatError';
  }
}

const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

type Json = Record<string, unknown>;

function object(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFormatError(field, `must be an object, got ${describe(value)}`);
  }
  return value as Json;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.slice(0, 60)}"`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function onlyKeys(o: Json, field: string, allowed: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw new ModelFormatError(field ? `${field}.${key}` : key, 'is not a field of this format');
    }
  }
}

function string(o: Json, key: string, field: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) {
    throw new ModelFormatError(`${field}${key}`, `must be a non-empty string, got ${describe(v)}`);
  }
  return v;
}

function finite(o: Json, key: string, field: string, min = -Infinity): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    const bound = min === -Infinity ? '' : ` >= ${min}`;
    throw new ModelFormatError(
      `${field}${key}`,
      `must be a finite number${bound}, got ${describe(v)}`,
    );
  }
  return v;
}

function integer(o: Json, key: string, field: string, min: number): number {
  const v = finite(o, key, field, min);
  if (!Number.isInteger(v))
    throw new ModelFormatError(`${field}${key}`, `must be an integer, got ${v}`);
  return v;
}

function range(o: Json, key: string, field: string): TimeRange {
  const r = object(o[key], `${field}${key}`);
  const start = finite(r, 'start', `${field}${key}.`);
  const end = finite(r, 'end', `${field}${key}.`);
  if (end < start)
    throw new ModelFormatError(`${field}${key}.end`, `is before start (${end} < ${start})`);
  return { start, end };
}

function errorMetrics(o: Json, key: string, field: string): ErrorMetrics {
  const m = object(o[key], `${field}${key}`);
  return {
    mae: finite(m, 'mae', `${field}${key}.`, 0),
    rmse: finite(m, 'rmse', `${field}${key}.`, 0),
  };
}

function resourceMetrics(o: Json, key: string): ResourceMetrics {
  const field = `metrics.${key}.`;
  const m = object(o[key], `metrics.${key}`);
  return {
    model: errorMetrics(m, 'model', field),
    lastValue: errorMetrics(m, 'lastValue', field),
    movingAverage: errorMetrics(m, 'movingAverage', field),
  };
}

/**
 * Reads the header of XGBoost 0.72's legacy binary model: a 136-byte LearnerModelParam
 * (base_score f32, num_feature u32, …), then the objective and booster names as u64-length
 * strings. Checking it before handing bytes to WASM turns garbage into an error, not an abort.
 */
export function inspectBoosterBytes(bytes: Uint8Array): {
  numFeature: number;
  objective: string;
  booster: string;
} {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const readString = (at: number): [string, number] => {
    if (at + 8 > bytes.length) throw new RangeError('truncated');
    const len = Number(view.getBigUint64(at, true));
    if (len > 64 || at + 8 + len > bytes.length) throw new RangeError('bad string length');
    return [Buffer.from(bytes.subarray(at + 8, at + 8 + len)).toString('latin1'), at + 8 + len];
  };
  if (bytes.length < 136) throw new RangeError(`${bytes.length} bytes is shorter than the header`);
  const numFeature = view.getUint32(4, true);
  const [objective, next] = readString(136);
  const [booster] = readString(next);
  return { numFeature, objective, booster };
}

function booster(o: Json, key: string, featureCount: number): string {
  const field = `boosters.${key}`;
  const b64 = o[key];
  if (typeof b64 !== 'string' || b64.length % 4 !== 0 || !BASE64_PATTERN.test(b64)) {
    throw new ModelFormatError(field, `must be a base64 string, got ${describe(b64)}`);
  }
  let header: ReturnType<typeof inspectBoosterBytes>;
  try {
    header = inspectBoosterBytes(base64ToBytes(b64));
  } catch (err) {
    throw new ModelFormatError(field, `is not an XGBoost binary model (${(err as Error).message})`);
  }
  if (header.numFeature !== featureCount) {
    throw new ModelFormatError(
      field,
      `was trained on ${header.numFeature} features, not ${featureCount}`,
    );
  }
  if (header.objective !== 'reg:linear' || header.booster !== 'gbtree') {
    throw new ModelFormatError(
      field,
      `must be a gbtree reg:linear model, got ${header.booster} ${header.objective}`,
    );
  }
  return b64;
}

const TOP_LEVEL = [
  'format',
  'version',
  'createdAt',
  'horizonSeconds',
  'historySeconds',
  'featureNames',
  'target',
  'boosters',
  'training',
  'metrics',
] as const;

/**
 * Validates a parsed JSON value as a v1 artifact that this build's features can serve.
 * Throws {@link ModelFormatError} naming the first bad field.
 */
export function parseModelArtifact(input: unknown): ModelArtifact {
  const doc = object(input, '(document)');
  // Format first: for a document of another format, every other complaint would mislead.
  if (doc.format !== MODEL_FORMAT) {
    throw new ModelFormatError('format', `must be "${MODEL_FORMAT}", got ${describe(doc.format)}`);
  }
  onlyKeys(doc, '', TOP_LEVEL);
  for (const key of TOP_LEVEL) {
    if (!(key in doc)) throw new ModelFormatError(key, 'is missing');
  }
  const version = string(doc, 'version', '');
  if (!VERSION_PATTERN.test(version)) {
    throw new ModelFormatError(
      'version',
      `must match ${VERSION_PATTERN}, got ${describe(version)}`,
    );
  }
  const createdAt = string(doc, 'createdAt', '');
  if (Number.isNaN(Date.parse(createdAt))) {
    throw new ModelFormatError('createdAt', `must be an ISO 8601 time, got ${describe(createdAt)}`);
  }
  const horizonSeconds = integer(doc, 'horizonSeconds', '', 1);
  const historySeconds = integer(doc, 'historySeconds', '', 1);
  if (historySeconds !== HISTORY_SECONDS) {
    throw new ModelFormatError(
      'historySeconds',
      `is ${historySeconds}, but this build's features read ${HISTORY_SECONDS} s`,
    );
  }

  const names = doc.featureNames;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    throw new ModelFormatError(
      'featureNames',
      `must be an array of strings, got ${describe(names)}`,
    );
  }
  const mismatch = FEATURE_NAMES.findIndex((n, i) => names[i] !== n);
  if (mismatch >= 0 || names.length !== FEATURE_NAMES.length) {
    const at = mismatch >= 0 ? mismatch : FEATURE_NAMES.length;
    throw new ModelFormatError(
      `featureNames[${at}]`,
      `is ${describe(names[at])}, this build computes ${describe(FEATURE_NAMES[at])} ` +
        `(${FEATURE_NAMES.length} features); retrain the model`,
    );
  }

  if (doc.target !== 'delta' && doc.target !== 'level') {
    throw new ModelFormatError('target', `must be "delta" or "level", got ${describe(doc.target)}`);
  }

  const boosters = object(doc.boosters, 'boosters');
  onlyKeys(boosters, 'boosters', ['cpu', 'memory']);
  for (const key of ['cpu', 'memory']) {
    if (!(key in boosters)) throw new ModelFormatError(`boosters.${key}`, 'is missing');
  }

  const training = object(doc.training, 'training');
  const params = object(training.params, 'training.params');
  for (const [k, v] of Object.entries(params)) {
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new ModelFormatError(
        `training.params.${k}`,
        `must be a string or number, got ${describe(v)}`,
      );
    }
  }
  const metrics = object(doc.metrics, 'metrics');

  return {
    format: MODEL_FORMAT,
    version,
    createdAt,
    horizonSeconds,
    historySeconds,
    featureNames: [...FEATURE_NAMES],
    target: doc.target,
    boosters: {
      cpu: booster(boosters, 'cpu', FEATURE_NAMES.length),
      memory: booster(boosters, 'memory', FEATURE_NAMES.length),
    },
    training: {
      source: string(training, 'source', 'training.'),
      series: integer(training, 'series', 'training.', 0),
      rows: integer(training, 'rows', 'training.', 1),
      trainRange: range(training, 'trainRange', 'training.'),
      validationRange: range(training, 'validationRange', 'training.'),
      params: params as Record<string, string | number>,
    },
    metrics: {
      validationRows: integer(metrics, 'validationRows', 'metrics.', 0),
      movingAverageWindowSeconds: integer(metrics, 'movingAverageWindowSeconds', 'metrics.', 1),
      cpu: resourceMetrics(metrics, 'cpu'),
      memory: resourceMetrics(metrics, 'memory'),
    },
  };
}

/** Parses artifact text (JSON), reporting a syntax error as a problem of the whole document. */
export function parseModelArtifactJson(text: string): ModelArtifact {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ModelFormatError('(document)', `is not valid JSON: ${(err as Error).message}`);
  }
  return parseModelArtifact(value);
}

/** Pretty JSON with a trailing newline, the on-disk form. */
export function serializeModelArtifact(artifact: ModelArtifact): string {
  return `${JSON.stringify(artifact, null, 2)}\n`;
}

/**
 * Bytes as base64. Accepts the signed bytes (-128..127) that ml-xgboost's `toJSON().model`
 * returns as well as unsigned ones: both map to the same octet.
 */
export function bytesToBase64(bytes: Uint8Array | readonly number[]): string {
  const octets = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes, (b) => b & 0xff);
  return Buffer.from(octets.buffer, octets.byteOffset, octets.byteLength).toString('base64');
}

export function base64ToBytes(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/** `2026-12-03T16-00-00Z-ab12cd`: creation time (to the second) and a content hash. */
export function makeModelVersion(createdAt: Date, boosters: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const b of boosters) hash.update(b);
  const stamp = createdAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  return `${stamp}-${hash.digest('hex').slice(0, 6)}`;
}
