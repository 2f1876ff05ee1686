/**
 * Error metrics of the model and of the baselines it has to beat, all on the same rows.
 */
import {
  CPU_LAST_INDEX,
  FEATURE_COUNT,
  FEATURE_NAMES,
  MEM_LAST_INDEX,
  toForecastValue,
  type ErrorMetrics,
  type ModelTarget,
  type ResourceMetrics,
} from '@mlsched/core';
import type { Split } from './dataset.js';

/**
 * The moving-average baseline forecasts the mean of the last 15 minutes (last value plus the
 * `*_mean_15m_vs_last` feature): long enough to smooth 60 s noise, short enough to follow a
 * daily curve. Of 5, 15 and 30 minutes it is the best on the Alibaba trace.
 */
export const MOVING_AVERAGE_WINDOW_SECONDS = 900;
const CPU_MA_INDEX = FEATURE_NAMES.indexOf('cpu_mean_15m_vs_last');
const MEM_MA_INDEX = FEATURE_NAMES.indexOf('mem_mean_15m_vs_last');

/** MAE and RMSE of `predicted` against `actual`; both empty gives zeros. */
export function errorMetrics(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
): ErrorMetrics {
  if (predicted.length !== actual.length) {
    throw new RangeError(`predicted has ${predicted.length} values, actual ${actual.length}`);
  }
  const n = actual.length;
  if (n === 0) return { mae: 0, rmse: 0 };
  let abs = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const e = (predicted[i] as number) - (actual[i] as number);
    if (!Number.isFinite(e)) throw new RangeError(`row ${i}: non-finite forecast or actual value`);
    abs += Math.abs(e);
    sq += e * e;
  }
  return { mae: abs / n, rmse: Math.sqrt(sq / n) };
}

/** Column `index` of every row of a split's feature matrix. */
export function featureColumn(split: Split, index: number): Float32Array {
  const out = new Float32Array(split.rows);
  for (let i = 0; i < split.rows; i++) out[i] = split.features[i * FEATURE_COUNT + index] as number;
  return out;
}

/**
 * Raw booster outputs → forecasts exactly as the predictor makes them (delta added to the last
 * value, clamped). A NaN output cannot be scored; it is reported as an error, not averaged in.
 */
export function toForecasts(
  raw: Float32Array,
  last: Float32Array,
  target: ModelTarget,
): Float64Array {
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = toForecastValue(raw[i] as number, last[i] as number, target);
    if (v === undefined)
      throw new RangeError(`validation row ${i}: the model produced a non-finite value`);
    out[i] = v;
  }
  return out;
}

export interface RawPredictions {
  readonly cpu: Float32Array;
  readonly memory: Float32Array;
}

/** Model vs last value vs moving average, per resource. */
export function evaluate(
  validation: Split,
  raw: RawPredictions,
  target: ModelTarget,
): { cpu: ResourceMetrics; memory: ResourceMetrics } {
  const resource = (
    predicted: Float32Array,
    actual: Float32Array,
    lastIndex: number,
    maIndex: number,
  ): ResourceMetrics => {
    const last = featureColumn(validation, lastIndex);
    const movingAverage = featureColumn(validation, maIndex).map(
      (rel, i) => rel + (last[i] as number),
    );
    return {
      model: errorMetrics(toForecasts(predicted, last, target), actual),
      lastValue: errorMetrics(last, actual),
      movingAverage: errorMetrics(movingAverage, actual),
    };
  };
  return {
    cpu: resource(raw.cpu, validation.cpuActual, CPU_LAST_INDEX, CPU_MA_INDEX),
    memory: resource(raw.memory, validation.memActual, MEM_LAST_INDEX, MEM_MA_INDEX),
  };
}

/** Model-only error of another model's raw outputs on the same rows (the serving model). */
export function evaluateModel(
  validation: Split,
  raw: RawPredictions,
  target: ModelTarget,
): { cpu: ErrorMetrics; memory: ErrorMetrics } {
  return {
    cpu: errorMetrics(
      toForecasts(raw.cpu, featureColumn(validation, CPU_LAST_INDEX), target),
      validation.cpuActual,
    ),
    memory: errorMetrics(
      toForecasts(raw.memory, featureColumn(validation, MEM_LAST_INDEX), target),
      validation.memActual,
    ),
  };
}
