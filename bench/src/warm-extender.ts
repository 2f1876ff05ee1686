/**
 * The extender's state as it is after half an hour of serving: every node registered (as the
 * node watch registers it), its bound pods listed, 30 minutes of samples ingested, forecasts
 * computed, and a few pods placed since the last sample. Benchmarks then measure requests and
 * refreshes against it, not a cold start.
 */
import type { LoadPredictor } from '@mlsched/core';
import {
  ExtenderTelemetry,
  InflightTracker,
  loadConfig,
  ManualClock,
  NodeMetricsStore,
  type ExtenderConfig,
} from '@mlsched/scheduler';
import pino from 'pino';
import { HISTORY_START, POD_CPU_MILLI, POD_MEMORY_BYTES, type BenchCluster } from './fixtures.js';

/** Every this-many-th node has a pod placed after its newest sample (in flight). */
const INFLIGHT_EVERY = 7;

export interface WarmExtenderProps {
  readonly cluster: BenchCluster;
  /** The model to serve; absent serves the newest observation (the last-value stand-in). */
  readonly predictor?: LoadPredictor;
}

export interface WarmExtender {
  readonly config: ExtenderConfig;
  readonly clock: ManualClock;
  readonly store: NodeMetricsStore;
  readonly inflight: InflightTracker;
  readonly telemetry: ExtenderTelemetry;
}

/** The configuration the process would read: defaults, loopback, no watch, quiet. */
export function benchConfig(): ExtenderConfig {
  return loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    KUBE_WATCH_PODS: 'false',
  });
}

export function warmExtender(props: WarmExtenderProps): WarmExtender {
  const { cluster } = props;
  const config = benchConfig();
  const clock = new ManualClock(HISTORY_START);
  const log = pino({ level: 'silent' });
  const store = new NodeMetricsStore({
    clock,
    staleSeconds: config.staleSeconds,
    historySeconds: config.historySeconds,
    log,
  });
  const inflight = new InflightTracker({
    clock,
    defaults: {
      cpuMillicores: config.defaultPodCpuMillicores,
      memoryBytes: config.defaultPodMemoryBytes,
    },
  });
  // The same links buildApp makes; a second set made by buildApp only repeats idempotent work.
  store.onSample((node, t) => inflight.sampleIngested(node, t));
  inflight.setLastSampleSource((node) => store.get(node)?.lastSampleT ?? NaN);

  for (const node of cluster.nodes) {
    store.registerNode({
      name: node.name,
      internalIPs: [node.internalIP],
      cpuMillicores: node.allocatableCpuMilli,
      memoryBytes: node.allocatableMemoryBytes,
      resourceVersion: node.resourceVersion,
    });
    node.pods.forEach(([cpu, mem], p) => {
      inflight.place({
        uid: `${node.name}/pod-${p}`,
        node: node.name,
        cpuMillicores: cpu,
        memoryBytes: mem,
        placedAt: HISTORY_START - 3600,
      });
    });
  }
  inflight.markSynced();

  // Samples arrive as a refresh writes them: every node at one time, then the clock moves on.
  const times = cluster.nodes[0]?.history.map((s) => s.t) ?? [];
  for (let k = 0; k < times.length; k++) {
    clock.set(times[k] as number);
    for (const node of cluster.nodes) {
      const sample = node.history[k];
      if (sample) store.ingest(node.name, { t: sample.t, cpu: sample.cpu, mem: sample.mem });
    }
  }
  clock.set(cluster.now);

  cluster.nodes.forEach((node, i) => {
    if (i % INFLIGHT_EVERY !== 0) return;
    inflight.place({
      uid: `${node.name}/new-pod`,
      node: node.name,
      cpuMillicores: POD_CPU_MILLI,
      memoryBytes: POD_MEMORY_BYTES,
      placedAt: cluster.now - 1,
    });
  });
  if (props.predictor) store.setPredictor(props.predictor);

  const telemetry = new ExtenderTelemetry({ store, inflight, clock });
  return { config, clock, store, inflight, telemetry };
}
