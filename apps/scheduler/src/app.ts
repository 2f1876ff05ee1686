/**
 * The extender's HTTP application, separate from the process entry point (main.ts) so tests and
 * the demo can run it in-process through `inject()` or on a port of their own.
 *
 * Routes: POST /filter, POST /prioritize (the extender protocol), GET /healthz (the process is
 * alive), GET /readyz (ready to serve), GET /metrics (Prometheus).
 *
 * Readiness is unconditional once listening: with no metrics or stale ones the extender still
 * answers correctly (every node passes the load filter and scores neutrally), and without a
 * model (none configured, or MODEL_PATH could not be loaded) it scores from the newest observed
 * load; either is safer for scheduling than taking the extender out of service. /readyz reports
 * the degraded state in its body instead, and `mlsched_extender_degraded_active` exports it.
 */
import type { LoadPredictor } from '@mlsched/core';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import { AnomalyDetector } from './anomaly.js';
import { clientErrorHandler } from './client-errors.js';
import { systemClock, type Clock } from './clock.js';
import type { ExtenderConfig } from './config.js';
import {
  DEGRADATION_REASONS,
  nodeReasonMask,
  REASON_BIT,
  type SourceCondition,
} from './degradation.js';
import { ExtenderService } from './extender.js';
import { InflightTracker } from './inflight.js';
import { NodeMetricsStore, type MetricsState, type NodeLoadEntry } from './node-metrics.js';
import type { PrometheusRefresher } from './prometheus-refresher.js';
import {
  errorResultSchema,
  filterResultSchema,
  hostPriorityListSchema,
  parseExtenderArgs,
  ProtocolError,
  type ParsedExtenderArgs,
} from './protocol.js';
import { ExtenderTelemetry, type Verb } from './telemetry.js';
import { writeThrough, type RedisSharedState } from './shared-state.js';
import type { TrainerRunReader } from './trainer-runs.js';

export interface ExtenderAppProps {
  readonly config: ExtenderConfig;
  /** Metrics store; a new one is made from `config` when absent. */
  readonly store?: NodeMetricsStore;
  /** In-flight tracker; a new one is made when absent. */
  readonly inflight?: InflightTracker;
  /** Model to serve; when absent the store's current predictor (if any) stays. */
  readonly predictor?: LoadPredictor;
  /** Unix seconds the model was trained (model-age metric); defaults to its version's time. */
  readonly modelTrainedAt?: number;
  /**
   * Why the model at MODEL_PATH could not be loaded, when it could not: /readyz shows it, and
   * `degraded_active{reason="no_model"}` stays 1 even before any node has data.
   */
  readonly modelLoadError?: string;
  /** @default the store's clock, else the wall clock */
  readonly clock?: Clock;
  /** A pino logger; when absent one is made at `config.logLevel` writing to stdout. */
  readonly logger?: FastifyBaseLogger;
  /** Telemetry to record into; a new one (own registry) is made when absent. */
  readonly telemetry?: ExtenderTelemetry;
  /** The background refresher, when there is one: its health shows in /readyz and metrics. */
  readonly refresher?: PrometheusRefresher;
  /**
   * The anomaly detector; made from `config.anomaly` when absent (none when
   * ANOMALY_DETECTION is false). It is fed from the store's samples here.
   */
  readonly anomalies?: AnomalyDetector;
  /** The trainer's run records (TRAINER_REPORTS_DIRS), read in the background by their owner. */
  readonly trainerRuns?: TrainerRunReader;
  /**
   * Redis (REDIS_URL), started by its owner: in-flight placements and anomaly flags are written
   * through to it, and its health shows in /readyz and `degraded_active`.
   */
  readonly sharedState?: RedisSharedState;
}

const VERBS: Readonly<Record<string, Verb>> = { '/filter': 'filter', '/prioritize': 'prioritize' };

// Slow or stalled uploads must not hold a connection for ever; kube-scheduler itself gives up
// after its httpTimeout (5 s by default).
const REQUEST_TIMEOUT_MS = 30_000;

/** Builds the extender application (not listening yet). */
export async function buildApp(props: ExtenderAppProps): Promise<FastifyInstance> {
  const { config } = props;
  const clock = props.clock ?? props.store?.clock ?? systemClock;

  const app = Fastify({
    ...(props.logger ? { loggerInstance: props.logger } : { logger: { level: config.logLevel } }),
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: REQUEST_TIMEOUT_MS,
    clientErrorHandler: clientErrorHandler(REQUEST_TIMEOUT_MS),
    // Per-request lines are written at debug level by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  const log = app.log;

  const store =
    props.store ??
    new NodeMetricsStore({
      clock,
      staleSeconds: config.staleSeconds,
      historySeconds: config.historySeconds,
      log,
    });
  const inflight =
    props.inflight ??
    new InflightTracker({
      clock,
      defaults: {
        cpuMillicores: config.defaultPodCpuMillicores,
        memoryBytes: config.defaultPodMemoryBytes,
      },
    });
  const refresher = props.refresher;
  const sharedState = props.sharedState;
  const sourceConditions = (): SourceCondition[] => {
    const conditions: SourceCondition[] = [];
    if (!config.prometheusUrl && !refresher) conditions.push('no_metrics_source');
    else if (refresher?.failing) conditions.push('metrics_refresh_failed');
    if (sharedState && !sharedState.available) conditions.push('redis_unavailable');
    return conditions;
  };
  const anomalies =
    props.anomalies ??
    (config.anomaly.enabled
      ? new AnomalyDetector({ settings: config.anomaly, staleSeconds: config.staleSeconds, log })
      : undefined);
  const telemetry =
    props.telemetry ??
    new ExtenderTelemetry({
      store,
      inflight,
      clock,
      sourceConditions,
      anomalies,
      trainerRuns: props.trainerRuns,
    });
  const service = new ExtenderService({
    settings: config,
    store,
    inflight,
    telemetry,
    anomalies,
    log,
  });

  store.onSample((node, t) => inflight.sampleIngested(node, t));
  if (anomalies) {
    // On ingest, after the store matched the sample with its forecast; never per request.
    store.onSample((node) => {
      const entry = store.get(node);
      if (entry) feedAnomalies(anomalies, entry);
    });
  }
  store.onPredictionError((resource, error) => telemetry.observePredictionError(resource, error));
  inflight.setLastSampleSource((node) => store.get(node)?.lastSampleT ?? NaN);
  if (sharedState) {
    writeThrough({ sharedState, inflight, store, anomalies, staleSeconds: config.staleSeconds });
  }
  if (props.predictor) store.setPredictor(props.predictor);
  telemetry.setModel(store.predictor?.version, props.modelTrainedAt);
  telemetry.setModelLoadFailed(!store.predictor && props.modelLoadError !== undefined);

  // kube-scheduler always sends application/json; anything else (a missing header from a
  // hand-written client) is read as JSON too, so the error, if any, is about the body.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, json);
  app.addContentTypeParser('*', { parseAs: 'string' }, json);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, message, clientFault } = describeError(error, config.bodyLimitBytes);
    const fields = {
      verb: VERBS[request.routeOptions.url ?? ''],
      status,
      error: message,
      code: error.code,
    };
    // A body the client got wrong is the client's problem: warn, so error stays for what we
    // caused. An error we cannot attribute to the request is logged as ours.
    if (clientFault && status < 500) request.log.warn(fields, 'request rejected');
    else request.log.error({ ...fields, err: error }, 'request failed');
    return reply.code(status).send({ Error: message });
  });
  app.setNotFoundHandler((request, reply) => {
    return reply.code(404).send({
      Error:
        `no route ${request.method} ${request.url}: ` +
        'the extender serves POST /filter and POST /prioritize',
    });
  });

  app.addHook('onResponse', async (request, reply) => {
    const verb = VERBS[request.routeOptions.url ?? ''];
    if (!verb) return;
    telemetry.observeRequest(verb, reply.statusCode, reply.elapsedTime / 1000);
    request.log.debug({ verb, status: reply.statusCode, ms: reply.elapsedTime }, 'request served');
  });

  app.post(
    '/filter',
    { schema: { response: { 200: filterResultSchema, '4xx': errorResultSchema } } },
    async (request) => {
      const args = parseExtenderArgs(request.body);
      try {
        return service.filter(args);
      } catch (err) {
        return failOpen(args, err, 'filter', () => service.filterFailOpen(args));
      }
    },
  );

  app.post(
    '/prioritize',
    { schema: { response: { 200: hostPriorityListSchema, '4xx': errorResultSchema } } },
    async (request) => {
      const args = parseExtenderArgs(request.body);
      try {
        return service.prioritize(args);
      } catch (err) {
        return failOpen(args, err, 'prioritize', () => service.prioritizeFailOpen(args));
      }
    },
  );

  // A bug in deciding must not block scheduling: the pod is placed as if the extender were
  // absent (every node passes, every score neutral), and the error is logged and counted.
  function failOpen<T>(args: ParsedExtenderArgs, err: unknown, verb: Verb, reply: () => T): T {
    log.error({ err, verb, nodes: args.names.length }, 'deciding failed; answering fail-open');
    telemetry.countReason('internal_error', args.names.length || 1);
    return reply();
  }

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async () => {
    const now = clock.now();
    const nodes: Record<MetricsState, number> = { fresh: 0, stale: 0, missing: 0, invalid: 0 };
    let mask = 0;
    for (const entry of store.nodes()) {
      nodes[store.nodeState(entry, now)]++;
      mask |= nodeReasonMask(store, entry, now);
    }
    if (!store.predictor && props.modelLoadError !== undefined) mask |= REASON_BIT.no_model;
    const degraded: string[] = [
      ...sourceConditions(),
      ...DEGRADATION_REASONS.filter((_, i) => (mask & (1 << i)) !== 0),
    ];
    return {
      ready: true,
      degraded,
      nodes,
      model: modelState(store.predictor, config.modelPath, props.modelLoadError),
      metricsSource: {
        prometheus: config.prometheusUrl ?? null,
        failedRefreshes: refresher?.failedRefreshes ?? 0,
        lastRefreshOk: refresher?.lastOutcome?.ok ?? null,
        emptyQueries: refresher ? [...refresher.emptyQueries] : [],
      },
      inflightPods: [...inflight.inflightNodes()].reduce((n, [, t]) => n + t.pods, 0),
      anomalousNodes: anomalies ? anomalies.anomalousNodes(now).sort() : null,
      trainerRuns: props.trainerRuns
        ? props.trainerRuns.summaries().map((s) => ({
            model: s.model,
            runs: s.runs,
            lastResult: s.last?.result ?? null,
            lastEndedAt: s.last?.endedAt ?? null,
            refusedRecords: s.refused,
          }))
        : [],
      sharedState: sharedState
        ? {
            available: sharedState.available,
            error: sharedState.available ? null : (sharedState.lastError ?? null),
            queuedWrites: sharedState.queued,
            droppedWrites: sharedState.droppedWrites,
          }
        : null,
    };
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await telemetry.metrics();
    return reply.type(telemetry.contentType).send(body);
  });

  return app;
}

/** The model part of /readyz: null when none is configured or given. */
function modelState(
  predictor: LoadPredictor | undefined,
  path: string | undefined,
  loadError: string | undefined,
): object | null {
  if (predictor) return { loaded: true, version: predictor.version, path: path ?? null };
  if (loadError !== undefined) return { loaded: false, path: path ?? null, error: loadError };
  return null;
}

/** Hands the node's newest sample, and the forecast that matured at it, to the detector. */
function feedAnomalies(anomalies: AnomalyDetector, entry: NodeLoadEntry): void {
  const sample = entry.history[entry.history.length - 1];
  if (!sample) return;
  const matched = entry.expectedT === sample.t;
  anomalies.observe(entry.name, {
    t: sample.t,
    cpu: sample.cpu,
    mem: sample.mem,
    expectedCpu: matched ? entry.expectedCpu : NaN,
    expectedMem: matched ? entry.expectedMem : NaN,
  });
}

/**
 * The status and message an error becomes; nothing a client sends produces a 500. `clientFault`
 * is false for an error nothing here recognises as a bad request (a bug on our side, even though
 * the reply stays a 4xx so the scheduler treats it like any refused request).
 */
function describeError(
  error: FastifyError,
  bodyLimit: number,
): { status: number; message: string; clientFault: boolean } {
  switch (error.code) {
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        message: 'request body is empty: expected an ExtenderArgs JSON object',
        clientFault: true,
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, message: 'request body is not valid JSON', clientFault: true };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        message: `request body is larger than BODY_LIMIT_BYTES (${bodyLimit} bytes)`,
        clientFault: true,
      };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        status: 400,
        message: 'request body length does not match Content-Length',
        clientFault: true,
      };
    default:
      break;
  }
  if (error instanceof ProtocolError) {
    return { status: 400, message: error.message, clientFault: true };
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, message: error.message, clientFault: true };
  }
  return {
    status: 400,
    message: `request could not be processed: ${error.message}`,
    clientFault: false,
  };
}
