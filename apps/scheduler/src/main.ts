/**
 * Process entry point: configuration, model, background refresh and watch, the listening
 * server, and a graceful stop on SIGTERM/SIGINT. `startExtender` is exported so the whole wiring
 * can be started in-process (tests, the demo).
 */
import { loadPredictor, type NodeLoadPredictor } from '@mlsched/core';
import { stat } from 'node:fs/promises';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { AnomalyDetector } from './anomaly.js';
import { buildApp } from './app.js';
import { systemClock } from './clock.js';
import { ConfigError, loadConfig, type ExtenderConfig } from './config.js';
import { InflightTracker } from './inflight.js';
import { NodeMetricsStore } from './node-metrics.js';
import type { KubeWatch } from './pod-watch.js';
import { PrometheusRefresher } from './prometheus-refresher.js';
import { RedisSharedState } from './shared-state.js';
import { TrainerRunReader } from './trainer-runs.js';

export interface RunningExtender {
  readonly app: FastifyInstance;
  readonly config: ExtenderConfig;
  /** The address the server listens on, e.g. `http://127.0.0.1:8888`. */
  readonly url: string;
  readonly store: NodeMetricsStore;
  readonly inflight: InflightTracker;
  /** Undefined when ANOMALY_DETECTION is false. */
  readonly anomalies: AnomalyDetector | undefined;
  /** Undefined when REDIS_URL is unset. */
  readonly sharedState: RedisSharedState | undefined;
  stop(): Promise<void>;
}

/** What became of MODEL_PATH at start-up. */
export interface LoadedModel {
  /** The model to serve; undefined when MODEL_PATH is unset or could not be loaded. */
  readonly predictor: NodeLoadPredictor | undefined;
  /** Why MODEL_PATH could not be loaded; undefined when it loaded or is unset. */
  readonly error: string | undefined;
}

/**
 * Loads the model artifact at MODEL_PATH with @mlsched/core's loader (the format the trainer
 * writes), and checks that the store keeps enough history for the model's features.
 *
 * A file that is missing, unreadable or not a model does not stop the extender: without a model
 * it scores from the newest observed load, which is safe, while refusing to start would take
 * load-aware scheduling away entirely (and stall a rollout on a file a trainer may write later).
 * The failure is logged at error level, not warn: the extender still serves, but a model someone
 * configured is not being used, and that needs someone to act. A history window shorter than
 * the model reads is different: that configuration could never forecast, so it stays a
 * ConfigError.
 */
export async function loadModel(
  config: ExtenderConfig,
  logger?: pino.Logger,
): Promise<LoadedModel> {
  const path = config.modelPath;
  if (path === undefined) return { predictor: undefined, error: undefined };
  let predictor: NodeLoadPredictor;
  try {
    await checkModelFile(path);
    predictor = await loadPredictor(path, { logger });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    logger?.error({ path, reason }, 'model not loaded; scoring from the newest observed load');
    return { predictor: undefined, error: reason };
  }
  if (predictor.historySeconds > config.historySeconds) {
    predictor.close();
    throw new ConfigError([
      `METRICS_HISTORY_SECONDS (${config.historySeconds}) is shorter than the history the model ` +
        `at MODEL_PATH reads (${predictor.historySeconds} s): it could never forecast`,
    ]);
  }
  return { predictor, error: undefined };
}

/** The server could not listen; the message names PORT or HOST and what is wrong with it. */
export class ListenError extends Error {
  readonly code: string | undefined;

  constructor(config: Pick<ExtenderConfig, 'port' | 'host'>, cause: unknown) {
    const code = (cause as { code?: unknown } | undefined)?.code;
    const { port, host } = config;
    let message: string;
    if (code === 'EADDRINUSE') {
      message = `PORT (${port}) is already in use on HOST (${host})`;
    } else if (code === 'EACCES') {
      message = `PORT (${port}) on HOST (${host}) needs privileges this process lacks`;
    } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
      message = `HOST (${host}) could not be resolved`;
    } else if (code === 'EADDRNOTAVAIL') {
      message = `HOST (${host}) is not an address of this machine`;
    } else {
      const reason = cause instanceof Error ? cause.message : String(cause);
      message = `could not listen on HOST (${host}) PORT (${port}): ${reason}`;
    }
    super(message, { cause });
    this.name = 'ListenError';
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/**
 * Largest model file read. The trainer's artifacts are a few MiB; the cap keeps a wrong path
 * (a log, an image, a dataset) from being read whole into memory.
 */
export const MAX_MODEL_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Throws unless `path` is a regular file of at most MAX_MODEL_FILE_BYTES: a device such as
 * /dev/zero or a FIFO would be read until memory runs out.
 */
async function checkModelFile(path: string): Promise<void> {
  const info = await stat(path);
  if (!info.isFile()) {
    const kind = info.isDirectory() ? 'a directory' : 'a device, socket or pipe';
    throw new Error(`${path} is not a regular file (${kind})`);
  }
  if (info.size > MAX_MODEL_FILE_BYTES) {
    const mib = (info.size / (1024 * 1024)).toFixed(0);
    throw new Error(`${path} is ${mib} MiB, above the 256 MiB a model file may have`);
  }
}

/** Starts the extender from environment variables; resolves once it listens. */
export async function startExtender(
  env: Readonly<Record<string, string | undefined>> = process.env,
  logger?: pino.Logger,
): Promise<RunningExtender> {
  const config = loadConfig(env);
  const log = logger ?? pino({ level: config.logLevel, base: { component: 'mlsched-extender' } });

  const { predictor, error: modelError } = await loadModel(config, log);
  if (predictor) log.info({ version: predictor.version, path: config.modelPath }, 'serving model');
  else if (modelError === undefined) {
    log.warn({}, 'no model configured; scoring from the newest observed load');
  }

  const clock = systemClock;
  const store = new NodeMetricsStore({
    clock,
    staleSeconds: config.staleSeconds,
    historySeconds: config.historySeconds,
    predictor,
    log,
  });
  const inflight = new InflightTracker({
    clock,
    defaults: {
      cpuMillicores: config.defaultPodCpuMillicores,
      memoryBytes: config.defaultPodMemoryBytes,
    },
  });
  const refresher = config.prometheusUrl
    ? new PrometheusRefresher({
        url: config.prometheusUrl,
        cpuQuery: config.cpuQuery,
        memoryQuery: config.memoryQuery,
        freshnessQuery: config.freshnessQuery,
        refreshSeconds: config.refreshSeconds,
        store,
        clock,
        log,
      })
    : undefined;
  if (!refresher) {
    log.warn({}, 'PROMETHEUS_URL is not set: no load metrics, every node scored neutrally');
  }

  const trainerRuns =
    config.trainerReports.length > 0
      ? new TrainerRunReader({
          dirs: config.trainerReports,
          refreshSeconds: config.trainerReportsRefreshSeconds,
          log,
          clock,
        })
      : undefined;

  const anomalies = config.anomaly.enabled
    ? new AnomalyDetector({ settings: config.anomaly, staleSeconds: config.staleSeconds, log })
    : undefined;
  // Read once, before the first sample or watch event, so what it restores is the start point.
  const sharedState = config.redisUrl
    ? new RedisSharedState({ url: config.redisUrl, password: config.redisPassword, log, clock })
    : undefined;
  if (sharedState && (await sharedState.start())) {
    await sharedState.restore({ inflight, anomalies });
  }

  const modelTrainedAt = predictor ? Date.parse(predictor.artifact.createdAt) / 1000 : undefined;
  const app = await buildApp({
    config,
    store,
    inflight,
    refresher,
    logger: log,
    clock,
    modelTrainedAt,
    modelLoadError: modelError,
    trainerRuns,
    anomalies,
    sharedState,
  });
  // Listen before any background loop starts: a process that cannot serve must exit, and a
  // running refresher or watch timer would keep it alive, querying for nobody.
  let url: string;
  try {
    url = await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await app.close().catch(() => undefined);
    await sharedState?.stop();
    store.predictor?.close();
    throw new ListenError(config, err);
  }

  let watch: KubeWatch | undefined;
  if (config.kubeWatchPods) {
    // Loaded only when enabled: the Kubernetes client is large and needs a kubeconfig.
    const { startKubeWatch } = await import('./pod-watch.js');
    watch = startKubeWatch({ inflight, store, log });
  }
  refresher?.start();
  trainerRuns?.start();

  log.info(
    {
      url,
      prometheus: config.prometheusUrl ?? null,
      watch: config.kubeWatchPods,
      sharedState: sharedState?.available ?? null,
    },
    'extender listening',
  );

  let stopping: Promise<void> | undefined;
  return {
    app,
    config,
    url,
    store,
    inflight,
    anomalies,
    sharedState,
    stop() {
      stopping ??= (async () => {
        await refresher?.stop();
        await trainerRuns?.stop();
        await watch?.stop();
        await app.close();
        await sharedState?.stop();
        store.predictor?.close();
        log.info({}, 'extender stopped');
      })();
      return stopping;
    },
  };
}

async function main(): Promise<void> {
  let running: RunningExtender;
  try {
    running = await startExtender();
  } catch (err) {
    // The message names the setting; stderr so it shows even when logs are shipped elsewhere.
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    // Exit rather than wait for the event loop to drain: a client library's reconnect timer
    // must not keep a process that serves nothing alive.
    process.exit(1);
  }
  const shutdown = (signal: string): void => {
    running.app.log.info({ signal }, 'shutting down');
    void running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        running.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) void main();
