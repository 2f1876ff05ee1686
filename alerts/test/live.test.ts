/**
 * The rules and dashboards against a real Prometheus: it scrapes a running extender while a short
 * synthetic workload is replayed through it over HTTP, plus stand-in exporters for what only a
 * cluster has (see live/stand-ins.ts). Every recording rule and every dashboard query must parse
 * and return data, except those listed in EXPECTED_EMPTY with the reason.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  buildSyntheticWorkload,
  METRICS,
  SIX_NODE_CLUSTER,
  TRAINER_RUN_FORMAT,
  trainerRunFileName,
  type TrainerRunRecord,
  type Workload,
} from '@mlsched/core';
import { dashboards } from '@mlsched/dashboards';
import {
  buildApp,
  InflightTracker,
  loadConfig,
  ManualClock,
  NodeMetricsStore,
  TrainerRunReader,
} from '@mlsched/scheduler';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';

import { startPrometheus, type RunningService } from '../../test-support/services';
import { DEFAULT_TARGETS, RECORDS, renderRuleFile, ruleGroups } from '@mlsched/alerts';

import { persistencePredictor, replayLoad, type ReplayLoadResult } from './live/replay-load';
import { startStandIns, type StandIns } from './live/stand-ins';

// startPrometheus puts every target in one scrape job named `test`.
const LIVE_TARGETS = { ...DEFAULT_TARGETS, extenderJob: 'test', redisJob: 'test' };
const EPOCH = 1_767_225_600; // 2026-01-01T00:00:00Z: simulated time 0
const MODEL_VERSION = '2025-12-31T23-00-00Z-last-value';

const REASONS = {
  redis:
    'redis_up comes from redis_exporter beside the Redis StatefulSet, which only the ' +
    'cluster runs',
  offset:
    'reads the forecast made 5 minutes earlier (offset 5m) in wall time; the replay lasts ' +
    'under a minute of wall time',
} as const;

/** Queries that cannot have data here, by name, and why. */
const EXPECTED_EMPTY: Readonly<Record<string, string>> = {
  'mlsched-overview / Redis / A': REASONS.redis,
  'mlsched-model / CPU forecast against actual, per node / A': REASONS.offset,
};

interface QueryResult {
  readonly resultType: string;
  readonly result: Array<{ metric: Record<string, string>; value: [number, string] }>;
}

let prometheus: RunningService | undefined;
let standIns: StandIns | undefined;
let extender: FastifyInstance | undefined;
let load: ReplayLoadResult;
let window: { start: number; end: number };
/** The node the test turns anomalous after the replay, so the anomaly series carry a flag. */
const ANOMALOUS_NODE = 'cp-1';
let reportsDir: string | undefined;

/** Two runs of the trainer, as its CronJob leaves them on the model store: published, failed. */
const TRAINER_RUNS: readonly TrainerRunRecord[] = [
  {
    format: TRAINER_RUN_FORMAT,
    result: 'published',
    startedAt: '2025-12-31T18:15:00.000Z',
    endedAt: '2025-12-31T18:17:30.000Z',
    durationSeconds: 150,
    source: 'prometheus',
    version: '2025-12-31T18-17-30Z-ab12cd',
    reason: 'written for a release to pin',
    validationMae: {
      cpu: { model: 0.05, lastValue: 0.06, movingAverage: 0.055 },
      memory: { model: 0.012, lastValue: 0.014, movingAverage: 0.015 },
    },
  },
  {
    format: TRAINER_RUN_FORMAT,
    result: 'failed',
    startedAt: '2026-01-01T00:17:00.000Z',
    endedAt: '2026-01-01T00:17:42.000Z',
    durationSeconds: 42,
    source: 'prometheus',
    reason: 'the run stopped on an error',
    error: 'not enough data from prometheus',
  },
];

async function query(expr: string, time?: number): Promise<QueryResult> {
  if (!prometheus) throw new Error('prometheus is not running');
  const params = new URLSearchParams({ query: expr });
  if (time !== undefined) params.set('time', String(time));
  const res = await fetch(`${prometheus.url}/api/v1/query?${params}`);
  const body = (await res.json()) as { status: string; data: QueryResult; error?: string };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
  return body.data;
}

/**
 * Instant query now, else at each second of the replay: gauges such as in-flight pods exist only
 * for moments, and the question is whether the query ever sees them.
 */
async function queryAnyTime(expr: string): Promise<QueryResult> {
  const now = await query(expr);
  if (now.result.length > 0) return now;
  for (let t = Math.ceil(window.start); t <= window.end; t++) {
    const then = await query(expr, t);
    if (then.result.length > 0) return then;
  }
  return now;
}

async function until(check: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} within ${ms} ms`);
}

beforeAll(async () => {
  standIns = await startStandIns(SIX_NODE_CLUSTER, LIVE_TARGETS.schedulerName);

  const clock = new ManualClock(EPOCH);
  const config = loadConfig({ LOG_LEVEL: 'warn', KUBE_WATCH_PODS: 'false' });
  const logger = pino({ level: 'silent' });
  const predictor = persistencePredictor(MODEL_VERSION);
  const store = new NodeMetricsStore({
    clock,
    staleSeconds: config.staleSeconds,
    historySeconds: config.historySeconds,
    predictor,
    log: logger,
  });
  store.registerNodeSpecs(SIX_NODE_CLUSTER);
  const inflight = new InflightTracker({ clock });
  inflight.markSynced();
  reportsDir = mkdtempSync(join(tmpdir(), 'live-trainer-'));
  for (const run of TRAINER_RUNS) {
    writeFileSync(join(reportsDir, trainerRunFileName(new Date(run.endedAt))), JSON.stringify(run));
  }
  const trainerRuns = new TrainerRunReader({
    dirs: [{ model: 'node-load', dir: reportsDir }],
    refreshSeconds: 60,
    log: logger,
  });
  await trainerRuns.refresh();
  extender = await buildApp({ config, store, inflight, predictor, clock, logger, trainerRuns });
  const extenderUrl = await extender.listen({ host: '127.0.0.1', port: 0 });

  prometheus = await startPrometheus({
    targets: [new URL(extenderUrl).host, ...standIns.targets],
    rules: [renderRuleFile(ruleGroups(LIVE_TARGETS))],
  });

  const workload: Workload = buildSyntheticWorkload({
    seed: 11,
    hours: 1,
    nodes: SIX_NODE_CLUSTER,
  });
  const start = Date.now() / 1000;
  load = await replayLoad({
    extenderUrl,
    store,
    inflight,
    clock,
    standIns,
    workload,
    nodes: SIX_NODE_CLUSTER,
    epochSeconds: EPOCH,
    stepWallMs: 150,
    prefillSeconds: 600,
  });
  window = { start, end: Date.now() / 1000 };

  // A step the node's history does not explain, sustained for the samples the detector needs
  // (one simulated second apart, so no other node goes stale meanwhile).
  const { flagSamples } = config.anomaly;
  for (let i = 1; i <= flagSamples; i++) {
    clock.advance(1);
    store.ingest(ANOMALOUS_NODE, { t: clock.now(), cpu: 0.97, mem: 0.5 });
  }

  // The last calls must be scraped and the rules evaluated on them before anything is asserted.
  const calls = load.calls.filter + load.calls.prioritize;
  await until(
    async () => {
      const r = await query(`sum(${METRICS.requests})`);
      return Number(r.result[0]?.value[1]) === calls;
    },
    `Prometheus did not see all ${calls} extender calls`,
    10_000,
  );
  await until(
    async () => (await query(RECORDS.capacitySavedRatio)).result.length > 0,
    'the recording rules did not produce data',
    10_000,
  );
  await until(
    async () => (await query(`${METRICS.nodeAnomalous} == 1`)).result.length > 0,
    'Prometheus did not see the anomalous node',
    10_000,
  );
}, 180_000);

afterAll(async () => {
  await extender?.close();
  await prometheus?.stop();
  await standIns?.close();
  if (reportsDir) rmSync(reportsDir, { recursive: true, force: true });
});

describe('live: Prometheus scraping a running extender under a replayed load', () => {
  it('replayed a workload through the extender over HTTP', () => {
    expect(load.calls.failed).toBe(0);
    expect(load.calls.filter).toBeGreaterThan(50);
    expect(load.calls.prioritize).toBeGreaterThan(50);
    expect(load.placed).toBeGreaterThan(50);
  });

  it('loaded every rule group, and every rule evaluates without error', async () => {
    if (!prometheus) throw new Error('prometheus is not running');
    const res = await fetch(`${prometheus.url}/api/v1/rules`);
    const body = (await res.json()) as {
      data: {
        groups: Array<{
          name: string;
          rules: Array<{ name: string; health: string; lastError?: string }>;
        }>;
      };
    };

    const groups = body.data.groups;
    // The API lists groups by name, not in file order.
    expect(groups.map((g) => g.name).sort()).toEqual(
      ruleGroups(LIVE_TARGETS)
        .map((g) => g.name)
        .sort(),
    );
    expect(groups.flatMap((g) => g.rules)).toHaveLength(
      ruleGroups(LIVE_TARGETS).flatMap((g) => g.rules).length,
    );
    const unhealthy = groups.flatMap((g) =>
      g.rules
        .filter((r) => r.health !== 'ok')
        .map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`),
    );
    expect(unhealthy).toEqual([]);
  });

  it('returns data for every recording rule', async () => {
    const records = [
      ...new Set(ruleGroups(LIVE_TARGETS).flatMap((g) => g.rules.flatMap((r) => r.record ?? []))),
    ];

    const empty: string[] = [];
    for (const record of records) {
      const r = await queryAnyTime(record);
      expect({ record, resultType: r.resultType }).toEqual({ record, resultType: 'vector' });
      if (r.result.length === 0) empty.push(record);
    }

    expect(empty).toEqual([]);
    expect(records).toHaveLength(Object.keys(RECORDS).length);
  });

  it('names nodes from node_uname_info and keeps control-plane nodes out', async () => {
    const util = await query(RECORDS.nodeCpuUtilisation);
    const hot = await query(RECORDS.nodeHot);
    const cores = await query(RECORDS.nodeCpuCores);

    expect(util.result.map((s) => s.metric.node).sort()).toEqual(
      SIX_NODE_CLUSTER.map((n) => n.name).sort(),
    );
    for (const s of util.result) {
      expect(Number(s.value[1])).toBeGreaterThanOrEqual(0);
      expect(Number(s.value[1])).toBeLessThanOrEqual(1);
    }
    expect(hot.result.map((s) => s.metric.node).sort()).toEqual([
      'worker-1',
      'worker-2',
      'worker-3',
    ]);
    expect(
      Object.fromEntries(cores.result.map((s) => [s.metric.node, Number(s.value[1])])),
    ).toEqual(Object.fromEntries(SIX_NODE_CLUSTER.map((n) => [n.name, n.cpuCores])));
  });

  it('counts exactly the calls the replay made, by verb', async () => {
    const r = await query(`sum by (verb) (${METRICS.requests})`);

    expect(Object.fromEntries(r.result.map((s) => [s.metric.verb, Number(s.value[1])]))).toEqual({
      filter: load.calls.filter,
      prioritize: load.calls.prioritize,
    });
  });

  it('sees exactly the node turned anomalous flagged, once, and no node of the replay', async () => {
    const flagged = await query(`${METRICS.nodeAnomalous} == 1`);
    const counts = await query(`sum by (node) (${METRICS.anomalies})`);

    expect(flagged.result.map((s) => s.metric.node)).toEqual([ANOMALOUS_NODE]);
    expect(
      Object.fromEntries(counts.result.map((s) => [s.metric.node, Number(s.value[1])])),
    ).toEqual(
      Object.fromEntries(SIX_NODE_CLUSTER.map((n) => [n.name, n.name === ANOMALOUS_NODE ? 1 : 0])),
    );
  });

  it('reads the trainer runs from their records, and the failed one trips the alert', async () => {
    const value = async (expr: string) => Number((await query(expr)).result[0]?.value[1]);
    const published = Date.parse('2025-12-31T18:17:30Z') / 1000;
    const failed = Date.parse('2026-01-01T00:17:42Z') / 1000;

    expect(await value(`${METRICS.trainingLastSuccess}{model="node-load"}`)).toBe(published);
    expect(await value(`${METRICS.trainingLastRun}{model="node-load"}`)).toBe(failed);
    expect(await value(`${METRICS.trainingDuration}{model="node-load"}`)).toBe(42);
    expect(await value(`${METRICS.trainingValidationMae}{resource="cpu", predictor="model"}`)).toBe(
      0.05,
    );
    await until(
      async () => {
        const res = await fetch(`${prometheus?.url}/api/v1/alerts`);
        const body = (await res.json()) as {
          data: { alerts: Array<{ labels: Record<string, string>; value: string }> };
        };
        const alert = body.data.alerts.find((a) => a.labels.alertname === 'MlschedTrainingFailed');
        return alert !== undefined && Number(alert.value) === failed - published;
      },
      'MlschedTrainingFailed did not go pending with last run − last success',
      10_000,
    );
  });

  it('returns data for every dashboard query, except those listed with the reason', async () => {
    const queries = dashboards(LIVE_TARGETS).flatMap((d) => {
      const json = d.json as {
        panels: Array<{ title: string; targets?: Array<{ refId: string; expr: string }> }>;
      };
      return json.panels.flatMap((p) =>
        (p.targets ?? []).map((t) => ({
          name: `${d.uid} / ${p.title} / ${t.refId}`,
          expr: t.expr,
        })),
      );
    });

    const empty: string[] = [];
    for (const q of queries) {
      const r = await queryAnyTime(q.expr);
      expect({ query: q.name, resultType: r.resultType }).toEqual({
        query: q.name,
        resultType: 'vector',
      });
      if (r.result.length === 0) empty.push(q.name);
    }

    expect(empty.sort()).toEqual(Object.keys(EXPECTED_EMPTY).sort());
    expect(queries.length - empty.length).toBeGreaterThan(40);
  });
});
