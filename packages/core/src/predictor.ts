/**
 * Serving side of the node-load model: artifact in, {@link LoadPredictor} out.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import {
  CPU_LAST_INDEX,
  FEATURE_COUNT,
  HISTORY_SECONDS,
  MEM_LAST_INDEX,
  writeFeatures,
} from './features.js';
import { base64ToBytes, parseModelArtifact, parseModelArtifactJson } from './model-format.js';
import type { ModelArtifact, ModelTarget } from './model-format.js';
import type { LoadForecast, LoadPredictor, NodeSample } from './types.js';
import { Booster } from './xgboost.js';

/** Forecasts are clamped to [0, this]: a node can be oversubscribed, not 10× oversubscribed. */
export const MAX_FORECAST = 1.5;

/** A {@link LoadPredictor} that also exposes the artifact it was built from. */
export interface NodeLoadPredictor extends LoadPredictor {
  readonly artifact: ModelArtifact;
}

export interface LoadPredictorOptions {
  /** Receives the WASM module's own output at debug level. */
  readonly logger?: Logger;
}

/** Turns a raw booster output into a forecast: clamped, and never NaN (NaN becomes undefined). */
export function toForecastValue(
  raw: number,
  last: number,
  target: ModelTarget,
): number | undefined {
  const value = target === 'delta' ? last + raw : raw;
  if (!Number.isFinite(value)) return undefined;
  return Math.min(MAX_FORECAST, Math.max(0, value));
}

class XgboostPredictor implements NodeLoadPredictor {
  readonly version: string;
  readonly horizonSeconds: number;
  readonly historySeconds = HISTORY_SECONDS;
  // One scratch vector: predict() is synchronous, so calls never interleave.
  private readonly features = new Float64Array(FEATURE_COUNT);
  private closed = false;

  constructor(
    readonly artifact: ModelArtifact,
    private readonly cpu: Booster,
    private readonly memory: Booster,
  ) {
    this.version = artifact.version;
    this.horizonSeconds = artifact.horizonSeconds;
  }

  /**
   * Cost: feature extraction (3–7 µs for 30 min of 15 s samples) plus two XGBoost evaluations
   * of ~7 µs each (250 trees of depth 5): ~20 µs per node, 20–50 ms for 1000 nodes on the
   * project's shared 2-core machines. A batch call would not be cheaper: XGBoost 0.72's WASM
   * build exposes single-row prediction only.
   */
  predict(history: readonly NodeSample[], now: number): LoadForecast | undefined {
    if (this.closed) throw new Error(`predictor ${this.version} used after close()`);
    const f = this.features;
    if (!writeFeatures(history, history.length - 1, now, f)) return undefined;
    const { target } = this.artifact;
    const cpu = toForecastValue(this.cpu.predictRow(f), f[CPU_LAST_INDEX] as number, target);
    const mem = toForecastValue(this.memory.predictRow(f), f[MEM_LAST_INDEX] as number, target);
    return cpu === undefined || mem === undefined ? undefined : { cpu, mem };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cpu.free();
    this.memory.free();
  }
}

/**
 * Loads a model artifact into a predictor: the parsed JSON document (or an already validated
 * {@link ModelArtifact}), or the path of an artifact file (a parsed artifact is never a string).
 * Rejects with a {@link ModelFormatError} naming the field when the artifact does not match
 * this build's format or features. Call `close()` to free the WASM memory.
 */
export async function loadPredictor(
  artifact: unknown,
  options: LoadPredictorOptions = {},
): Promise<NodeLoadPredictor> {
  if (typeof artifact === 'string') return loadPredictorFromFile(artifact, options);
  const parsed = parseModelArtifact(artifact);
  const cpu = await Booster.fromBytes(
    base64ToBytes(parsed.boosters.cpu),
    FEATURE_COUNT,
    options.logger,
  );
  let memory: Booster;
  try {
    memory = await Booster.fromBytes(
      base64ToBytes(parsed.boosters.memory),
      FEATURE_COUNT,
      options.logger,
    );
  } catch (err) {
    cpu.free();
    throw err;
  }
  options.logger?.info({ version: parsed.version, target: parsed.target }, 'model loaded');
  return new XgboostPredictor(parsed, cpu, memory);
}

/** Reads, validates and loads an artifact file. */
export async function loadPredictorFromFile(
  path: string,
  options: LoadPredictorOptions = {},
): Promise<NodeLoadPredictor> {
  const text = await readFile(path, 'utf8');
  return loadPredictor(parseModelArtifactJson(text), options);
}
