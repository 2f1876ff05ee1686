/**
 * The demo run, apart from the process entry (main.ts) so the smoke test drives it in-process:
 *
 *   1. train the node-load predictor on Alibaba 2018 machine usage (`trainNodeLoadModel`);
 *   2. serve it with the real extender app on 127.0.0.1 (free port), its metrics store fed by the
 *      simulator on a simulated clock;
 *   3. replay the trace-driven workload with kube-scheduler + extender (real HTTP calls to
 *      /filter and /prioritize, combined scoring with the recommended weight, bindings fed to
 *      the extender's in-flight tracker);
 *   4. replay the same workload, same seed, with kube-scheduler's defaults alone;
 *   5. compare.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  HISTORY_SECONDS,
  RECOMMENDED_EXTENDER_WEIGHT,
  SIX_NODE_CLUSTER,
  type LoadPredictor,
  type ReplayResult,
  createRng,
  deriveSeed,
  findTraceFiles,
  kubeDefaultPlacer,
  loadPredictor,
  loadWorkload,
  replay,
} from '@mlsched/core';
import {
  InflightTracker,
  ManualClock,
  NodeMetricsStore,
  buildApp,
  loadConfig,
} from '@mlsched/scheduler';
import { trainNodeLoadModel, type TrainingSource } from '@mlsched/trainer';
import type { Logger } from 'pino';
import { ExtenderClient, podUid } from './extender-client.js';
import { mlPlacer } from './ml-policy.js';
import {
  BASELINE_POLICY,
  type DemoReport,
  ML_POLICY,
  explainPlacementCounts,
  formatTable,
  httpSummary,
} from './report.js';

/** Unix seconds that simulated time 0 stands for (2026-01-01T00:00:00Z); no feature reads it. */
export const SIM_EPOCH_SECONDS = 1_767_225_600;
const STEP_SECONDS = 60;

export interface RunDemoProps {
  readonly seed: number;
  readonly hours: number;
  readonly dataDir: string;
  /** Use synthetic data even when the traces are there. */
  readonly synthetic: boolean;
  readonly trainRows: number;
  /** Where the JSON report goes. */
  readonly out: string;
  /** Where the trainer writes its model and report. */
  readonly workDir: string;
  readonly log: Logger;
}

export interface DemoOutcome {
  readonly report: DemoReport;
  readonly table: string;
}

/**
 * The pieces of the other workspaces the demo runs on. A stale or partial build would otherwise
 * fail deep inside the run with "x is not a function"; this names what is missing instead.
 */
export function checkContracts(): void {
  const needed: [string, string, unknown][] = [
    ['@mlsched/trainer', 'trainNodeLoadModel', trainNodeLoadModel],
    ['@mlsched/core', 'loadPredictor', loadPredictor],
    ['@mlsched/scheduler', 'buildApp', buildApp],
    ['@mlsched/scheduler', 'loadConfig', loadConfig],
    ['@mlsched/scheduler', 'NodeMetricsStore', NodeMetricsStore],
    ['@mlsched/scheduler', 'InflightTracker', InflightTracker],
    ['@mlsched/scheduler', 'ManualClock', ManualClock],
  ];
  const missing = needed.filter(([, , f]) => typeof f !== 'function');
  if (missing.length > 0) {
    throw new Error(
      `the demo needs ${missing.map(([pkg, name]) => `${name} from ${pkg}`).join(', ')}, ` +
        'which the build does not provide (run npm run build, or finish that workspace)',
    );
  }
}

export async function runDemo(props: RunDemoProps): Promise<DemoOutcome> {
  const started = Date.now();
  const { log } = props;
  checkContracts();

  const located = findTraceFiles(props.dataDir);
  const useTraces = located.ok && !props.synthetic;
  const fallbackReason = props.synthetic
    ? 'synthetic data requested with --synthetic'
    : located.ok
      ? undefined
      : `trace files missing under ${props.dataDir}: ${located.missing.join(', ')}`;
  if (fallbackReason) {
    log.warn(
      { reason: fallbackReason },
      'SYNTHETIC WORKLOAD AND TRAINING DATA: results are not from the traces',
    );
  }

  const source: TrainingSource = useTraces
    ? { kind: 'alibaba2018', dataDir: props.dataDir }
    : { kind: 'synthetic', seed: props.seed, nodes: 6, durationSeconds: 3 * 86_400 };
  log.info({ source: source.kind, maxTrainRows: props.trainRows }, 'training predictor');
  const trained = await trainNodeLoadModel({
    source,
    outDir: props.workDir,
    maxTrainRows: props.trainRows,
    maxValidationRows: Math.max(1000, Math.floor(props.trainRows / 4)),
    logger: log.child({ component: 'trainer' }),
  });
  const predictor = await loadPredictor(trained.artifact);
  log.info(
    { version: predictor.version, cpuMae: trained.report.metrics.cpu.model.mae },
    'predictor loaded',
  );

  try {
    const workload = await loadWorkload({
      seed: props.seed,
      hours: props.hours,
      nodes: SIX_NODE_CLUSTER,
      dataDir: props.dataDir,
      forceSynthetic: !useTraces,
      onProgress: (p) => log.info(p, 'reading usage trace'),
    });
    log.info(
      {
        source: workload.summary.source,
        pods: workload.summary.pods,
        compression: Math.round(workload.summary.traceSecondsPerSimSecond * 10) / 10,
        meanCpuUsageRatio: Math.round(workload.summary.meanCpuUsageRatio * 1000) / 1000,
      },
      'workload ready',
    );

    const ml = await replayWithExtender(props, workload, predictor);
    log.info({ policy: ML_POLICY, ...ml.result.stats.placementsByNode }, 'replay done');
    const baseline = await replay({
      workload,
      nodes: SIX_NODE_CLUSTER,
      place: kubeDefaultPlacer(createRng(deriveSeed(props.seed, 'tie-break'))),
      epochSeconds: SIM_EPOCH_SECONDS,
      stepSeconds: STEP_SECONDS,
      onStep: progress(log, BASELINE_POLICY),
    });
    log.info({ policy: BASELINE_POLICY, ...baseline.stats.placementsByNode }, 'replay done');

    const arrived = workload.pods.slice(0, ml.result.stats.podsArrived);
    const unplacedBlocked = arrived.filter(
      (p) => !ml.result.placements.has(p.name) && ml.blockedByExtender.has(p.name),
    ).length;
    let differently = 0;
    for (const [pod, node] of ml.result.placements) {
      const other = baseline.placements.get(pod);
      if (other !== undefined && other !== node) differently++;
    }

    const report: DemoReport = {
      generatedAt: new Date().toISOString(),
      seed: props.seed,
      hours: props.hours,
      stepSeconds: STEP_SECONDS,
      dataSource: workload.summary.source,
      syntheticFallback: !useTraces,
      ...(fallbackReason ? { fallbackReason } : {}),
      dataDir: props.dataDir,
      cluster: SIX_NODE_CLUSTER.map((n) => ({
        name: n.name,
        role: n.role,
        cpuCores: n.cpuCores,
        memoryGiB: n.memoryBytes / 1024 ** 3,
      })),
      workload: workload.summary,
      model: {
        version: trained.artifact.version,
        source: source.kind,
        artifactPath: trained.artifactPath,
        horizonSeconds: predictor.horizonSeconds,
        metrics: trained.report.metrics,
        beatsBaselines: trained.report.beatsBaselines,
        trainSeconds: trained.report.trainSeconds.cpu + trained.report.trainSeconds.memory,
      },
      extenderWeight: RECOMMENDED_EXTENDER_WEIGHT,
      policies: { [ML_POLICY]: ml.result.stats, [BASELINE_POLICY]: baseline.stats },
      http: ml.http,
      mlPolicy: ml.counters,
      podsPlacedDifferently: differently,
      placementCountDifference: explainPlacementCounts(
        ml.result.stats,
        baseline.stats,
        unplacedBlocked,
      ),
      durationSeconds: Math.round((Date.now() - started) / 100) / 10,
    };
    await mkdir(dirname(props.out), { recursive: true });
    await writeFile(props.out, `${JSON.stringify(report, null, 2)}\n`);
    log.info({ path: props.out }, 'report written');
    return { report, table: formatTable(report) };
  } finally {
    predictor.close();
  }
}

async function replayWithExtender(
  props: RunDemoProps,
  workload: Awaited<ReturnType<typeof loadWorkload>>,
  predictor: LoadPredictor,
) {
  const { log } = props;
  const prefill = HISTORY_SECONDS;
  const clock = new ManualClock(SIM_EPOCH_SECONDS - prefill);
  // The extender's own defaults, as shipped; no Prometheus: the simulator feeds the store.
  const config = loadConfig({ LOG_LEVEL: 'warn', KUBE_WATCH_PODS: 'false' });
  const serverLog = log.child({ component: 'extender' });
  serverLog.level = 'warn';
  const store = new NodeMetricsStore({
    clock,
    staleSeconds: config.staleSeconds,
    historySeconds: config.historySeconds,
    predictor,
    log: serverLog,
  });
  store.registerNodeSpecs(SIX_NODE_CLUSTER);
  const inflight = new InflightTracker({ clock });
  // The tracker sees every binding of the replay from the first one on.
  inflight.markSynced();
  const app = await buildApp({ config, store, inflight, predictor, clock, logger: serverLog });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    await app.close();
    throw new Error('extender did not report a TCP address after listen()');
  }
  log.info({ port: address.port }, 'extender listening');

  try {
    const client = new ExtenderClient({ baseUrl: `http://127.0.0.1:${address.port}` });
    const policy = mlPlacer({
      client,
      extenderWeight: RECOMMENDED_EXTENDER_WEIGHT,
      rng: createRng(deriveSeed(props.seed, 'tie-break')),
      log: log.child({ policy: ML_POLICY }),
    });
    const result: ReplayResult = await replay({
      workload,
      nodes: SIX_NODE_CLUSTER,
      place: policy.place,
      epochSeconds: SIM_EPOCH_SECONDS,
      stepSeconds: STEP_SECONDS,
      prefillSeconds: prefill,
      onSamples: (samples) => {
        for (const [node, s] of samples) {
          clock.set(s.t);
          store.ingest(node, { t: s.t, cpu: s.cpu, mem: s.mem });
        }
      },
      onBound: (bound) => {
        inflight.place({
          uid: podUid(bound.pod.name),
          node: bound.node,
          cpuMillicores: bound.pod.cpuMilli,
          memoryBytes: bound.pod.memBytes,
          placedAt: clock.now(),
        });
      },
      onRemoved: (bound) => inflight.remove(podUid(bound.pod.name)),
      onStep: progress(log, ML_POLICY),
    });
    return {
      result,
      http: httpSummary(client.stats()),
      counters: policy.counters,
      blockedByExtender: policy.blockedByExtender,
    };
  } finally {
    await app.close();
  }
}

/** Logs replay progress every simulated half hour. */
function progress(log: Logger, policy: string) {
  return (now: number, cluster: { boundPods: number }): void => {
    if (now % 1800 === 0) {
      log.info({ policy, simMinutes: now / 60, boundPods: cluster.boundPods }, 'replaying');
    }
  };
}

/** Trainer output lives under the demo's report directory, never in the source tree. */
export function defaultWorkDir(out: string): string {
  return join(dirname(out), 'demo-model');
}
