/**
 * The extender's Prometheus metrics, on a registry of its own (several apps can live in one
 * process in tests and the demo). Per-node gauges are computed when Prometheus scrapes, from the
 * store and tracker, so nothing on the request path updates them; per-request counts are kept in
 * plain fields and handed to prom-client at scrape time for the same reason.
 */
import { METRICS } from '@mlsched/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AnomalyDetector } from './anomaly.js';
import type { Clock } from './clock.js';
import {
  DEGRADATION_REASONS,
  nodeReasonMask,
  REASON_BIT,
  SOURCE_CONDITIONS,
  type DegradationReason,
  type SourceCondition,
} from './degradation.js';
import type { InflightTracker } from './inflight.js';
import { METRICS_STATES, type NodeMetricsStore, type ResourceName } from './node-metrics.js';
import { RUN_RESULTS, runEndSeconds, type TrainerRunReader } from './trainer-runs.js';

export type Verb = 'filter' | 'prioritize';
export type Decision = 'passed' | 'rejected' | 'scored';

export interface ExtenderTelemetryProps {
  readonly store: NodeMetricsStore;
  readonly inflight: InflightTracker;
  readonly clock: Clock;
  /** Conditions of the metrics source right now (no source, last refresh failed). */
  readonly sourceConditions?: () => Iterable<SourceCondition>;
  /** The anomaly detector, when it runs: its flags and flag counts per node. */
  readonly anomalies?: AnomalyDetector;
  /** The trainer's run records, when TRAINER_REPORTS_DIRS names any: `mlsched_trainer_*`. */
  readonly trainerRuns?: TrainerRunReader;
  /**
   * How long a reason seen in a request keeps `degraded_active` at 1 (nodes the store does not
   * know, e.g. after a restart, only show up in requests).
   * @default 300
   */
  readonly activeWindowSeconds?: number;
  /**
   * Distinct node label values kept on per-node counters; later names share `node="_other"`,
   * so requests naming arbitrary nodes cannot grow the registry without end.
   * @default 10000
   */
  readonly maxNodeLabels?: number;
}

class DecisionCounts {
  passed = 0;
  rejected = 0;
  scored = 0;
  exportedPassed = 0;
  exportedRejected = 0;
  exportedScored = 0;
}

const OTHER_NODE = '_other';

/**
 * Longest node label value exported: Kubernetes node names are DNS subdomains, at most 253
 * characters. A longer name can only come from a request; cut, it cannot make one scrape carry
 * kilobytes per series.
 */
export const MAX_NODE_LABEL_LENGTH = 253;

/** The `node` label value for a node name. */
export function nodeLabel(name: string): string {
  return name.length <= MAX_NODE_LABEL_LENGTH ? name : name.slice(0, MAX_NODE_LABEL_LENGTH);
}

/** Trained-at time encoded at the start of a model version (`2026-12-03T16-00-00Z-ab12cd`). */
export function versionTimestamp(version: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z/.exec(version);
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}T${match[2]}:${match[3]}:${match[4]}Z`);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

export class ExtenderTelemetry {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<'verb'>;
  private readonly requests: Counter<'verb' | 'code'>;
  private readonly degraded: Counter<'reason'>;
  private readonly predictionError: Histogram<'resource'>;
  private readonly modelInfo: Gauge<'version'>;
  private readonly modelAge: Gauge;
  private readonly decisionCounts = new Map<string, DecisionCounts>();
  private readonly pendingDegraded = new Array<number>(DEGRADATION_REASONS.length).fill(0);
  private readonly lastSeen = new Array<number>(DEGRADATION_REASONS.length).fill(-Infinity);
  private readonly maxNodeLabels: number;
  private modelTrainedAt: number | undefined;
  private modelLoadFailed = false;

  constructor(private readonly props: ExtenderTelemetryProps) {
    const registers = [this.registry];
    const window = props.activeWindowSeconds ?? 300;
    this.maxNodeLabels = props.maxNodeLabels ?? 10_000;
    const { store, inflight, clock } = props;

    this.requestDuration = new Histogram({
      name: METRICS.requestDuration,
      help: 'Time from request received to reply sent, by extender verb.',
      labelNames: ['verb'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.requests = new Counter({
      name: METRICS.requests,
      help: 'Extender requests by verb and HTTP status code.',
      labelNames: ['verb', 'code'],
      registers,
    });

    const counts = this.decisionCounts;
    new Counter({
      name: METRICS.decisions,
      help: 'Per-node decisions: filter passed|rejected, prioritize scored.',
      labelNames: ['verb', 'node', 'decision'],
      registers,
      collect() {
        for (const [node, c] of counts) {
          if (c.passed > c.exportedPassed) {
            this.inc({ verb: 'filter', node, decision: 'passed' }, c.passed - c.exportedPassed);
            c.exportedPassed = c.passed;
          }
          if (c.rejected > c.exportedRejected) {
            this.inc(
              { verb: 'filter', node, decision: 'rejected' },
              c.rejected - c.exportedRejected,
            );
            c.exportedRejected = c.rejected;
          }
          if (c.scored > c.exportedScored) {
            this.inc({ verb: 'prioritize', node, decision: 'scored' }, c.scored - c.exportedScored);
            c.exportedScored = c.scored;
          }
        }
      },
    });

    const pending = this.pendingDegraded;
    this.degraded = new Counter({
      name: METRICS.degraded,
      help: 'Nodes scored without their prediction, by reason.',
      labelNames: ['reason'],
      registers,
      collect() {
        DEGRADATION_REASONS.forEach((reason, i) => {
          // Every reason is exported from the start, so rate() works before the first event.
          this.inc({ reason }, pending[i] ?? 0);
          pending[i] = 0;
        });
      },
    });

    const lastSeen = this.lastSeen;
    const loadFailed = (): boolean => this.modelLoadFailed;
    new Gauge({
      name: METRICS.degradedActive,
      help: '1 while a degradation applies to at least one node (or the metrics source).',
      labelNames: ['reason'],
      registers,
      collect() {
        const now = clock.now();
        let storeMask = 0;
        for (const entry of store.nodes()) {
          // A name one request made up must not hold the alert forever: only nodes known from
          // the cluster, from recent metrics or from a recent request count.
          if (!store.isCurrent(entry, now, window)) continue;
          storeMask |= nodeReasonMask(store, entry, now);
        }
        // A configured model that failed to load is degraded before any node has data, so the
        // alert does not wait for the first refresh or request to notice it.
        if (loadFailed()) storeMask |= REASON_BIT.no_model;
        DEGRADATION_REASONS.forEach((reason, i) => {
          const active =
            (storeMask & REASON_BIT[reason]) !== 0 || now - (lastSeen[i] ?? -Infinity) <= window;
          this.set({ reason }, active ? 1 : 0);
        });
        const conditions = new Set(props.sourceConditions?.() ?? []);
        for (const condition of SOURCE_CONDITIONS) {
          this.set({ reason: condition }, conditions.has(condition) ? 1 : 0);
        }
      },
    });

    new Gauge({
      name: METRICS.nodeMetricsAge,
      help: 'Seconds since the newest usable metrics sample of the node.',
      labelNames: ['node'],
      registers,
      collect() {
        this.reset();
        const now = clock.now();
        for (const entry of store.nodes()) {
          const age = store.ageSeconds(entry, now);
          if (Number.isFinite(age)) this.set({ node: nodeLabel(entry.name) }, age);
        }
      },
    });
    new Gauge({
      name: METRICS.nodeMetricsState,
      help: "1 for the node's current metrics state (fresh|stale|missing|invalid).",
      labelNames: ['node', 'state'],
      registers,
      collect() {
        this.reset();
        const now = clock.now();
        for (const entry of store.nodes()) {
          const current = store.nodeState(entry, now);
          for (const state of METRICS_STATES) {
            this.set({ node: nodeLabel(entry.name), state }, state === current ? 1 : 0);
          }
        }
      },
    });
    new Gauge({
      name: METRICS.nodePredictedUtilization,
      help: "The model's forecast of node utilisation, 0..1.",
      labelNames: ['node', 'resource'],
      registers,
      collect() {
        this.reset();
        for (const entry of store.nodes()) {
          if (entry.forecastStatus !== 'ok') continue;
          this.set({ node: nodeLabel(entry.name), resource: 'cpu' }, entry.forecastCpu);
          this.set({ node: nodeLabel(entry.name), resource: 'memory' }, entry.forecastMem);
        }
      },
    });
    new Gauge({
      name: METRICS.nodeObservedUtilization,
      help: 'Newest observed node utilisation, 0..1.',
      labelNames: ['node', 'resource'],
      registers,
      collect() {
        this.reset();
        for (const entry of store.nodes()) {
          if (Number.isFinite(entry.cpu.lastValue)) {
            this.set({ node: nodeLabel(entry.name), resource: 'cpu' }, entry.cpu.lastValue);
          }
          if (Number.isFinite(entry.memory.lastValue)) {
            this.set({ node: nodeLabel(entry.name), resource: 'memory' }, entry.memory.lastValue);
          }
        }
      },
    });
    this.predictionError = new Histogram({
      name: METRICS.predictionError,
      help: '|forecast - actual| once the forecast horizon has passed, 0..1.',
      labelNames: ['resource'],
      buckets: [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1],
      registers,
    });

    this.modelInfo = new Gauge({
      name: METRICS.modelInfo,
      help: '1 for the model version being served.',
      labelNames: ['version'],
      registers,
    });
    const trainedAt = (): number | undefined => this.modelTrainedAt;
    // Not registered until a model is served (see setModel): a gauge without labels always has a
    // sample, and 0 s would read as a model trained just now.
    this.modelAge = new Gauge({
      name: METRICS.modelAge,
      help: 'Seconds since the served model was trained.',
      registers: [],
      collect() {
        const at = trainedAt();
        if (at !== undefined) this.set(Math.max(0, clock.now() - at));
      },
    });

    const anomalies = props.anomalies;
    if (anomalies) {
      new Gauge({
        name: METRICS.nodeAnomalous,
        help: '1 while the node is flagged anomalous (and its data is fresh), else 0.',
        labelNames: ['node'],
        registers,
        collect() {
          this.reset();
          const now = clock.now();
          for (const entry of store.nodes()) {
            this.set(
              { node: nodeLabel(entry.name) },
              anomalies.isAnomalous(entry.name, now) ? 1 : 0,
            );
          }
        },
      });
      new Counter({
        name: METRICS.anomalies,
        help: 'Times the node was flagged anomalous.',
        labelNames: ['node'],
        registers,
        collect() {
          // Every node the detector judges gets its series at 0, so increase() has a start.
          anomalies.takeFlagCounts((node, n) => this.inc({ node: nodeLabel(node) }, n));
        },
      });
    }

    if (props.trainerRuns) registerTrainerMetrics(props.trainerRuns, registers);

    new Gauge({
      name: METRICS.inflightPods,
      help: "Pods placed on the node and not yet visible in the node's metrics.",
      labelNames: ['node'],
      registers,
      collect() {
        this.reset();
        for (const [node, totals] of inflight.inflightNodes()) {
          this.set({ node: nodeLabel(node) }, totals.pods);
        }
      },
    });
  }

  observeRequest(verb: Verb, code: number, seconds: number): void {
    this.requestDuration.observe({ verb }, seconds);
    this.requests.inc({ verb, code: String(code) });
  }

  /** Counts one decision for one node; cheap enough for every node of every request. */
  countDecision(name: string, decision: Decision): void {
    const node = nodeLabel(name);
    let counts = this.decisionCounts.get(node);
    if (!counts) {
      if (this.decisionCounts.size >= this.maxNodeLabels) {
        counts = this.decisionCounts.get(OTHER_NODE) ?? new DecisionCounts();
        this.decisionCounts.set(OTHER_NODE, counts);
      } else {
        counts = new DecisionCounts();
        this.decisionCounts.set(node, counts);
      }
    }
    counts[decision]++;
  }

  /** Adds the per-reason node counts of one request (indexed as DEGRADATION_REASONS). */
  countDegraded(countsByReason: ArrayLike<number>): void {
    const now = this.props.clock.now();
    for (let i = 0; i < DEGRADATION_REASONS.length; i++) {
      const n = countsByReason[i] ?? 0;
      if (n > 0) {
        this.pendingDegraded[i] = (this.pendingDegraded[i] ?? 0) + n;
        this.lastSeen[i] = now;
      }
    }
  }

  /** Counts one occurrence of a reason not tied to nodes (e.g. an internal error). */
  countReason(reason: DegradationReason, n = 1): void {
    const counts = new Array<number>(DEGRADATION_REASONS.length).fill(0);
    counts[DEGRADATION_REASONS.indexOf(reason)] = n;
    this.countDegraded(counts);
  }

  observePredictionError(resource: ResourceName, absoluteError: number): void {
    if (Number.isFinite(absoluteError)) this.predictionError.observe({ resource }, absoluteError);
  }

  /**
   * Records the model being served; `trainedAt` defaults to the time encoded in the version. With
   * no model (or no known training time) `model_age_seconds` has no sample at all, and with no
   * model `model_info` has none either.
   */
  setModel(version: string | undefined, trainedAt?: number): void {
    this.modelInfo.reset();
    if (version !== undefined) this.modelInfo.set({ version }, 1);
    this.modelTrainedAt =
      version === undefined ? undefined : (trainedAt ?? versionTimestamp(version));

    const exported = this.registry.getSingleMetric(METRICS.modelAge) !== undefined;
    if (this.modelTrainedAt !== undefined && !exported) this.registry.registerMetric(this.modelAge);
    if (this.modelTrainedAt === undefined && exported) {
      this.registry.removeSingleMetric(METRICS.modelAge);
    }
  }

  /**
   * Marks that MODEL_PATH was set but could not be loaded: `degraded_active{reason="no_model"}`
   * then reads 1 whether or not any node has data yet.
   */
  setModelLoadFailed(failed: boolean): void {
    this.modelLoadFailed = failed;
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

const MAE_PREDICTORS = [
  ['model', 'model'],
  ['last_value', 'lastValue'],
  ['moving_average', 'movingAverage'],
] as const;

/**
 * The trainer's series, from its run records: computed at scrape time from the reader's summary,
 * which a background timer keeps current.
 */
function registerTrainerMetrics(reader: TrainerRunReader, registers: Registry[]): void {
  const exported = new Map<string, number>();
  new Counter({
    name: METRICS.trainingRuns,
    help: 'Training runs recorded by the trainer, by result (published|rejected|failed).',
    labelNames: ['model', 'result'],
    registers,
    collect() {
      for (const s of reader.summaries()) {
        for (const result of RUN_RESULTS) {
          // Every result from 0, so increase() works from the first run on.
          const key = `${s.model}\u0000${result}`;
          const n = s.runs[result];
          this.inc({ model: s.model, result }, n - (exported.get(key) ?? 0));
          exported.set(key, n);
        }
      }
    },
  });
  new Gauge({
    name: METRICS.trainingDuration,
    help: 'Duration of the last training run, seconds.',
    labelNames: ['model'],
    registers,
    collect() {
      this.reset();
      for (const s of reader.summaries()) {
        if (s.last) this.set({ model: s.model }, s.last.durationSeconds);
      }
    },
  });
  new Gauge({
    name: METRICS.trainingLastRun,
    help: 'Unix time the last training run ended, whatever its result.',
    labelNames: ['model'],
    registers,
    collect() {
      this.reset();
      for (const s of reader.summaries()) {
        if (s.last) this.set({ model: s.model }, runEndSeconds(s.last));
      }
    },
  });
  new Gauge({
    name: METRICS.trainingLastSuccess,
    help: 'Unix time the last published training run ended.',
    labelNames: ['model'],
    registers,
    collect() {
      this.reset();
      for (const s of reader.summaries()) {
        if (s.lastSuccess) this.set({ model: s.model }, runEndSeconds(s.lastSuccess));
      }
    },
  });
  new Gauge({
    name: METRICS.trainingValidationMae,
    help: 'Validation MAE of the last published model and of the two baselines, 0..1.',
    labelNames: ['model', 'resource', 'predictor'],
    registers,
    collect() {
      this.reset();
      for (const s of reader.summaries()) {
        const mae = s.lastSuccess?.validationMae;
        if (!mae) continue;
        for (const resource of ['cpu', 'memory'] as const) {
          for (const [predictor, key] of MAE_PREDICTORS) {
            this.set({ model: s.model, resource, predictor }, mae[resource][key]);
          }
        }
      }
    },
  });
}
