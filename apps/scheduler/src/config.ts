/**
 * The extender's settings, read from the environment once at start-up. A setting that cannot
 * work stops the process with a message naming it, rather than failing later under load.
 */
import { NODE_CPU_QUERY, NODE_FRESHNESS_QUERY, NODE_MEMORY_QUERY } from '@mlsched/core';
import { DEFAULT_ANOMALY_SETTINGS, type AnomalySettings } from './anomaly.js';
import { parseMemoryBytes } from './quantity.js';
import type { TrainerReportsDir } from './trainer-runs.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** Defaults of the PROMETHEUS_*_QUERY settings: the series the trainer trains on too. */
export const DEFAULT_CPU_QUERY = NODE_CPU_QUERY;
export const DEFAULT_FRESHNESS_QUERY = NODE_FRESHNESS_QUERY;
export const DEFAULT_MEMORY_QUERY = NODE_MEMORY_QUERY;

export interface ExtenderConfig {
  /** PORT. @default 8888 */
  readonly port: number;
  /** HOST. @default 0.0.0.0 */
  readonly host: string;
  /** LOG_LEVEL. @default info */
  readonly logLevel: LogLevel;
  /** PROMETHEUS_URL. Unset: no metrics, every node scored neutrally. */
  readonly prometheusUrl: string | undefined;
  /** PROMETHEUS_CPU_QUERY: instant vector of CPU utilisation (0..1) per node. */
  readonly cpuQuery: string;
  /** PROMETHEUS_MEMORY_QUERY: instant vector of memory utilisation (0..1) per node. */
  readonly memoryQuery: string;
  /** PROMETHEUS_FRESHNESS_QUERY: instant vector of each node's newest sample time (Unix s). */
  readonly freshnessQuery: string;
  /** METRICS_REFRESH_SECONDS. @default 15 */
  readonly refreshSeconds: number;
  /** METRICS_STALE_SECONDS. @default 180 */
  readonly staleSeconds: number;
  /** METRICS_HISTORY_SECONDS. @default 1800 */
  readonly historySeconds: number;
  /** MODEL_PATH: model artifact; unset serves without a model (newest observed load). */
  readonly modelPath: string | undefined;
  /** TARGET_UTILIZATION: nodes are preferred while they stay under it. @default 0.70 */
  readonly targetUtilization: number;
  /** HOT_THRESHOLD: filter rejects nodes predicted above it. @default 0.85 */
  readonly hotThreshold: number;
  /** REMEDIATION_THRESHOLD: hot-node handling acts above it. @default 0.90 */
  readonly remediationThreshold: number;
  /** DEFAULT_POD_CPU_MILLICORES for pods that request nothing. @default 100 */
  readonly defaultPodCpuMillicores: number;
  /** DEFAULT_POD_MEMORY_BYTES for pods that request nothing (quantity accepted). @default 200Mi */
  readonly defaultPodMemoryBytes: number;
  /** KUBE_WATCH_PODS: watch pods and nodes. @default true in a cluster, false outside */
  readonly kubeWatchPods: boolean;
  /** BODY_LIMIT_BYTES: largest request body accepted. @default 32 MiB */
  readonly bodyLimitBytes: number;
  /** ANOMALY_*: the per-node anomaly detector (see anomaly.ts for the method). */
  readonly anomaly: AnomalySettings;
  /**
   * TRAINER_REPORTS_DIRS: `model=/dir,…`, where each model's trainer writes its run records.
   * Empty: no `mlsched_trainer_*` series.
   */
  readonly trainerReports: readonly TrainerReportsDir[];
  /** TRAINER_REPORTS_REFRESH_SECONDS: how often the directories are read. @default 60 */
  readonly trainerReportsRefreshSeconds: number;
  /** REDIS_URL: shared warm state (`redis://host:port`). Unset: none, every start is cold. */
  readonly redisUrl: string | undefined;
  /** REDIS_PASSWORD: Redis' password; takes precedence over one in REDIS_URL. */
  readonly redisPassword: string | undefined;
}

/** Raised when settings cannot work; the message names every offending setting. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const MiB = 1024 * 1024;

// 1,000 full Node objects (labels, annotations, conditions, image lists) are about 10-13 MB of
// JSON; 32 MiB leaves room for about twice that while bounding what one request can make the
// process hold (JSON.parse needs several times the body size).
const DEFAULT_BODY_LIMIT = 32 * MiB;
const MIN_BODY_LIMIT = 64 * 1024;
const MIN_REFRESH_SECONDS = 1;
const MAX_REFRESH_SECONDS = 3600;
const MAX_BODY_LIMIT = 512 * MiB;

type Env = Readonly<Record<string, string | undefined>>;

class Reader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed.length === 0 ? undefined : trimmed;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  number(name: string, fallback: number, check: (n: number) => string | undefined): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value)) {
      this.problems.push(`${name} must be a number, got '${raw}'`);
      return fallback;
    }
    const problem = check(value);
    if (problem) this.problems.push(`${name} ${problem}, got ${raw}`);
    return value;
  }

  /**
   * A whole number written in decimal digits: Number() would also take `0x10`, `1e3` or `0b1`,
   * which no one means for a port or a count.
   */
  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (!/^[0-9]+$/.test(raw)) {
      this.problems.push(`${name} must be a decimal integer from ${min} to ${max}, got '${raw}'`);
      return fallback;
    }
    const value = Number(raw);
    if (value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}, got ${raw}`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const lower = raw.toLowerCase();
    if (['true', '1', 'yes'].includes(lower)) return true;
    if (['false', '0', 'no'].includes(lower)) return false;
    this.problems.push(`${name} must be true or false, got '${raw}'`);
    return fallback;
  }
}

const positive = (n: number): string | undefined => (n > 0 ? undefined : 'must be > 0');
const ratio = (n: number): string | undefined =>
  n > 0 && n <= 1 ? undefined : 'must be a fraction in (0, 1]';

/** Reads and checks the configuration; throws ConfigError naming each setting that cannot work. */
export function loadConfig(env: Env = process.env): ExtenderConfig {
  const r = new Reader(env);

  const port = r.integer('PORT', 8888, 0, 65535);
  const host = r.string('HOST', '0.0.0.0');
  const logLevel = r.string('LOG_LEVEL', 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    r.problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  }

  const prometheusUrl = r.raw('PROMETHEUS_URL');
  if (prometheusUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(prometheusUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      r.problems.push(
        `PROMETHEUS_URL must be an http(s) URL, got '${maskUserInfo(prometheusUrl)}'`,
      );
    } else if (url.username !== '' || url.password !== '') {
      // fetch() refuses URLs with credentials, so every refresh would fail, and the URL (with
      // its password) is shown in /readyz and in logs.
      r.problems.push(
        `PROMETHEUS_URL must not contain credentials (got '${maskUserInfo(prometheusUrl)}'): ` +
          'put an authenticating proxy in front of Prometheus or read a token from a file',
      );
    }
  }
  const cpuQuery = r.string('PROMETHEUS_CPU_QUERY', DEFAULT_CPU_QUERY);
  const memoryQuery = r.string('PROMETHEUS_MEMORY_QUERY', DEFAULT_MEMORY_QUERY);
  const freshnessQuery = r.string('PROMETHEUS_FRESHNESS_QUERY', DEFAULT_FRESHNESS_QUERY);

  // Below a second the refresher would query Prometheus hundreds of times per scrape; above an
  // hour the data is stale long before the next refresh (and setTimeout overflows past 24.8 days).
  const refreshSeconds = r.number('METRICS_REFRESH_SECONDS', 15, (n) =>
    n >= MIN_REFRESH_SECONDS && n <= MAX_REFRESH_SECONDS
      ? undefined
      : `must be from ${MIN_REFRESH_SECONDS} to ${MAX_REFRESH_SECONDS} seconds`,
  );
  const staleSeconds = r.number('METRICS_STALE_SECONDS', 180, positive);
  const historySeconds = r.number('METRICS_HISTORY_SECONDS', 1800, positive);
  // A limit at or below the refresh period marks every node stale between two refreshes.
  if (staleSeconds <= refreshSeconds) {
    r.problems.push(
      `METRICS_STALE_SECONDS (${staleSeconds}) must be greater than ` +
        `METRICS_REFRESH_SECONDS (${refreshSeconds})`,
    );
  }
  if (historySeconds < staleSeconds) {
    r.problems.push(
      `METRICS_HISTORY_SECONDS (${historySeconds}) must be at least ` +
        `METRICS_STALE_SECONDS (${staleSeconds})`,
    );
  }

  const targetUtilization = r.number('TARGET_UTILIZATION', 0.7, (n) =>
    n > 0 && n < 1 ? undefined : 'must be a fraction in (0, 1)',
  );
  const hotThreshold = r.number('HOT_THRESHOLD', 0.85, ratio);
  const remediationThreshold = r.number('REMEDIATION_THRESHOLD', 0.9, ratio);
  if (targetUtilization >= hotThreshold) {
    r.problems.push(
      `TARGET_UTILIZATION (${targetUtilization}) must be below HOT_THRESHOLD (${hotThreshold}): ` +
        'the scorer would prefer nodes the filter rejects',
    );
  }
  // X08: if remediation moves pods off nodes above a level the filter still accepts, those pods
  // can be scheduled straight back onto the node they were evicted from, in a loop.
  if (hotThreshold > remediationThreshold) {
    r.problems.push(
      `HOT_THRESHOLD (${hotThreshold}) must not exceed ` +
        `REMEDIATION_THRESHOLD (${remediationThreshold}): ` +
        'pods moved off a node above REMEDIATION_THRESHOLD would be scheduled back onto it',
    );
  }

  const defaultPodCpuMillicores = r.integer('DEFAULT_POD_CPU_MILLICORES', 100, 1, 1_000_000);
  const rawMemory = r.raw('DEFAULT_POD_MEMORY_BYTES');
  let defaultPodMemoryBytes = 200 * MiB;
  if (rawMemory !== undefined) {
    const parsed = parseMemoryBytes(rawMemory);
    if (parsed === undefined || parsed <= 0) {
      r.problems.push(
        'DEFAULT_POD_MEMORY_BYTES must be a positive quantity such as 209715200 or 200Mi, ' +
          `got '${rawMemory}'`,
      );
    } else {
      defaultPodMemoryBytes = parsed;
    }
  }

  // In a pod, the API server is reachable and the service account can watch; outside, it
  // usually is not, and the watch would only log connection errors.
  const kubeWatchPods = r.boolean('KUBE_WATCH_PODS', env.KUBERNETES_SERVICE_HOST !== undefined);
  const bodyLimitBytes = r.integer(
    'BODY_LIMIT_BYTES',
    DEFAULT_BODY_LIMIT,
    MIN_BODY_LIMIT,
    MAX_BODY_LIMIT,
  );
  const modelPath = r.raw('MODEL_PATH');
  const anomaly = readAnomalySettings(r, hotThreshold);
  const trainerReports = readTrainerReports(r);
  const redisUrl = r.raw('REDIS_URL');
  // Kept as given: a password may well begin or end with a space.
  const redisPassword = env.REDIS_PASSWORD === '' ? undefined : env.REDIS_PASSWORD;
  if (redisUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(redisUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) {
      r.problems.push(
        `REDIS_URL must be a redis:// or rediss:// URL with a host, got '${redact(redisUrl)}'`,
      );
    }
  } else if (redisPassword !== undefined) {
    r.problems.push('REDIS_PASSWORD is set but REDIS_URL is not: the password would go unused');
  }
  const trainerReportsRefreshSeconds = r.integer('TRAINER_REPORTS_REFRESH_SECONDS', 60, 1, 86_400);

  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return {
    port,
    host,
    logLevel,
    prometheusUrl: prometheusUrl?.replace(/\/+$/, ''),
    cpuQuery,
    memoryQuery,
    freshnessQuery,
    refreshSeconds,
    staleSeconds,
    historySeconds,
    modelPath,
    targetUtilization,
    hotThreshold,
    remediationThreshold,
    defaultPodCpuMillicores,
    defaultPodMemoryBytes,
    kubeWatchPods,
    bodyLimitBytes,
    anomaly,
    trainerReports,
    trainerReportsRefreshSeconds,
    redisUrl,
    redisPassword,
  };
}

/** A URL with everything before an `@` in its authority masked (a token may be the user). */
function maskUserInfo(url: string): string {
  return url.replace(/\/\/[^@/?#]*@/, '//***@');
}

/** A URL with any password in it masked, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `node-load=/models/node-load/reports,other=/models/other/reports`. */
function readTrainerReports(r: Reader): TrainerReportsDir[] {
  const raw = r.raw('TRAINER_REPORTS_DIRS');
  if (raw === undefined) return [];
  const dirs: TrainerReportsDir[] = [];
  for (const item of raw.split(',')) {
    const entry = item.trim();
    const eq = entry.indexOf('=');
    const model = eq > 0 ? entry.slice(0, eq).trim() : '';
    const dir = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (eq <= 0 || dir === '') {
      r.problems.push(`TRAINER_REPORTS_DIRS entries must be model=/absolute/dir, got '${entry}'`);
    } else if (!DNS_LABEL.test(model)) {
      r.problems.push(
        `TRAINER_REPORTS_DIRS: model name '${model}' is not a DNS-1123 label ` +
          '(the trainer CronJob and the model store directory are named after it)',
      );
    } else if (!dir.startsWith('/')) {
      r.problems.push(`TRAINER_REPORTS_DIRS: directory of ${model} must be absolute, got '${dir}'`);
    } else if (dirs.some((d) => d.model === model)) {
      r.problems.push(`TRAINER_REPORTS_DIRS: model ${model} is listed twice`);
    } else {
      dirs.push({ model, dir });
    }
  }
  return dirs;
}

function readAnomalySettings(r: Reader, hotThreshold: number): AnomalySettings {
  const d = DEFAULT_ANOMALY_SETTINGS;
  const enabled = r.boolean('ANOMALY_DETECTION', d.enabled);
  // Below 3 a robust z-score flags ordinary noise; above 100 nothing short of a unit error would.
  const zThreshold = r.number('ANOMALY_Z_THRESHOLD', d.zThreshold, (n) =>
    n >= 3 && n <= 100 ? undefined : 'must be from 3 to 100',
  );
  // One deviant sample is an outlier, not a node behaving abnormally.
  const flagSamples = r.integer('ANOMALY_FLAG_SAMPLES', d.flagSamples, 2, 1000);
  const clearSamples = r.integer('ANOMALY_CLEAR_SAMPLES', d.clearSamples, 1, 10_000);
  const windowSamples = r.integer('ANOMALY_WINDOW_SAMPLES', d.windowSamples, 5, 10_000);
  const minDeviation = r.number('ANOMALY_MIN_DEVIATION', d.minDeviation, (n) =>
    n > 0 && n < 1 ? undefined : 'must be a fraction in (0, 1)',
  );
  const cpuSaturation = r.number('ANOMALY_CPU_SATURATION', d.cpuSaturation, ratio);
  const saturationSamples = r.integer('ANOMALY_SATURATION_SAMPLES', d.saturationSamples, 1, 10_000);

  // Hysteresis: a node that cleared faster than it was flagged would move in and out of
  // service with every burst pattern that happens to straddle the two counts.
  if (clearSamples < flagSamples) {
    r.problems.push(
      `ANOMALY_CLEAR_SAMPLES (${clearSamples}) must be at least ANOMALY_FLAG_SAMPLES ` +
        `(${flagSamples}): a flag would clear faster than it is raised, and nodes would flap`,
    );
  }
  // The median absorbs a step once half of the window holds it; a window of 2K samples or fewer
  // would make a sustained step the new normal before it has been seen K times.
  if (windowSamples <= 2 * flagSamples) {
    r.problems.push(
      `ANOMALY_WINDOW_SAMPLES (${windowSamples}) must exceed twice ANOMALY_FLAG_SAMPLES ` +
        `(${flagSamples}): a sustained step would become normal before it could be flagged`,
    );
  }
  // Below the hot threshold the filter accepts the load; calling the same load an anomaly would
  // reject with one rule what the other admits.
  if (cpuSaturation <= hotThreshold) {
    r.problems.push(
      `ANOMALY_CPU_SATURATION (${cpuSaturation}) must exceed HOT_THRESHOLD (${hotThreshold}): ` +
        'load the filter accepts cannot be an anomaly',
    );
  }
  return {
    enabled,
    zThreshold,
    flagSamples,
    clearSamples,
    windowSamples,
    minDeviation,
    cpuSaturation,
    saturationSamples,
  };
}
