import type { LoadPredictor } from '@mlsched/core';
import type { FastifyInstance } from 'fastify';
import type pino from 'pino';
import { buildApp } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { InflightTracker } from '../src/inflight.js';
import { NodeMetricsStore } from '../src/node-metrics.js';
import type { PrometheusRefresher } from '../src/prometheus-refresher.js';
import type { ExtenderFilterResult, HostPriority } from '../src/protocol.js';
import { captureLog, testConfig } from './helpers.js';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: NodeMetricsStore;
  readonly inflight: InflightTracker;
  readonly clock: ManualClock;
  readonly lines: Record<string, unknown>[];
  filter(body: unknown): Promise<{ status: number; body: ExtenderFilterResult }>;
  prioritize(body: unknown): Promise<{ status: number; body: HostPriority[] }>;
  metrics(): Promise<string>;
}

export interface TestAppOptions {
  readonly env?: Record<string, string>;
  readonly predictor?: LoadPredictor;
  readonly refresher?: PrometheusRefresher;
  readonly store?: NodeMetricsStore;
  readonly clock?: ManualClock;
  readonly logger?: { logger: pino.Logger; lines: Record<string, unknown>[] };
}

/** The extender app on a manual clock, with its store and tracker at hand. */
export async function testApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(opts.env);
  const clock = opts.clock ?? new ManualClock();
  const { logger, lines } = opts.logger ?? captureLog('warn');
  const store =
    opts.store ??
    new NodeMetricsStore({
      clock,
      staleSeconds: config.staleSeconds,
      historySeconds: config.historySeconds,
    });
  const inflight = new InflightTracker({ clock });
  const app = await buildApp({
    config,
    store,
    inflight,
    clock,
    logger,
    predictor: opts.predictor,
    refresher: opts.refresher,
  });
  const post = async (url: string, body: unknown) => {
    const res = await app.inject({ method: 'POST', url, payload: body as object });
    return { status: res.statusCode, body: res.json() };
  };
  return {
    app,
    store,
    inflight,
    clock,
    lines,
    filter: (body) => post('/filter', body),
    prioritize: (body) => post('/prioritize', body),
    metrics: async () => (await app.inject({ method: 'GET', url: '/metrics' })).body,
  };
}
