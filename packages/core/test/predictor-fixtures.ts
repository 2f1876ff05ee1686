/**
 * A small real model for the core tests: boosters trained in-process (a few thousand rows, far
 * below the size guard) on synthetic series through the shared feature code.
 */
import {
  Booster,
  CPU_LAST_INDEX,
  FEATURE_COUNT,
  FEATURE_NAMES,
  HISTORY_SECONDS,
  HORIZON_SECONDS,
  MEM_LAST_INDEX,
  MODEL_FORMAT,
  bytesToBase64,
  generateSyntheticSeries,
  makeModelVersion,
  targetIndex,
  writeFeatures,
  type ModelArtifact,
  type ModelTarget,
  type NodeSample,
} from '../src/index';

export interface TinyModel {
  readonly artifact: ModelArtifact;
  readonly cpu: Booster;
  readonly memory: Booster;
  readonly series: Map<string, NodeSample[]>;
}

export interface TinyModelOptions {
  readonly target?: ModelTarget;
  /** Replaces the labels (for clamping tests); gets the row's features. */
  readonly constantLabel?: number;
  readonly rounds?: number;
}

export async function trainTinyModel(options: TinyModelOptions = {}): Promise<TinyModel> {
  const target = options.target ?? 'delta';
  const series = generateSyntheticSeries({
    seed: 11,
    nodes: 2,
    durationSeconds: 12 * 3600,
    stepSeconds: 60,
  });
  const rows: number[] = [];
  const features = new Float32Array(2000 * FEATURE_COUNT);
  const cpuLabels: number[] = [];
  const memLabels: number[] = [];
  for (const samples of series.values()) {
    for (let i = 0; i < samples.length && cpuLabels.length < 2000; i++) {
      const j = targetIndex(samples, i, HORIZON_SECONDS, 30);
      if (j === undefined) continue;
      const at = cpuLabels.length * FEATURE_COUNT;
      if (!writeFeatures(samples, i, (samples[i] as NodeSample).t, features, at)) continue;
      const next = samples[j] as NodeSample;
      const base = (k: number) => (target === 'delta' ? (features[at + k] as number) : 0);
      cpuLabels.push(options.constantLabel ?? next.cpu - base(CPU_LAST_INDEX));
      memLabels.push(options.constantLabel ?? next.mem - base(MEM_LAST_INDEX));
      rows.push(i);
    }
  }
  const n = cpuLabels.length;
  const matrix = features.subarray(0, n * FEATURE_COUNT);
  const params = {
    rounds: options.rounds ?? 15,
    objective: 'reg:linear',
    tree_method: 'hist',
    max_depth: 3,
    silent: 1,
  };
  const cpu = await Booster.train(matrix, Float32Array.from(cpuLabels), FEATURE_COUNT, params);
  const memory = await Booster.train(matrix, Float32Array.from(memLabels), FEATURE_COUNT, params);
  const cpuBytes = cpu.toBytes();
  const memBytes = memory.toBytes();
  const createdAt = new Date('2026-12-03T16:00:00Z');
  const zero = { mae: 0, rmse: 0 };
  const artifact: ModelArtifact = {
    format: MODEL_FORMAT,
    version: makeModelVersion(createdAt, [cpuBytes, memBytes]),
    createdAt: createdAt.toISOString(),
    horizonSeconds: HORIZON_SECONDS,
    historySeconds: HISTORY_SECONDS,
    featureNames: [...FEATURE_NAMES],
    target,
    boosters: { cpu: bytesToBase64(cpuBytes), memory: bytesToBase64(memBytes) },
    training: {
      source: 'synthetic',
      series: series.size,
      rows: n,
      trainRange: { start: 1_700_000_000, end: 1_700_040_000 },
      validationRange: { start: 1_700_040_000, end: 1_700_043_200 },
      params,
    },
    metrics: {
      validationRows: 0,
      movingAverageWindowSeconds: 900,
      cpu: { model: zero, lastValue: zero, movingAverage: zero },
      memory: { model: zero, lastValue: zero, movingAverage: zero },
    },
  };
  return { artifact, cpu, memory, series };
}
