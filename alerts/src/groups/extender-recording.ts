import { RECORDS } from '../records.js';
import { recordRule } from '../rules.js';
import type { PrometheusRuleGroup } from '../types.js';
import * as q from './queries.js';

/** Quantiles the dashboards and the latency alert share. */
export const LATENCY_QUANTILES = [0.5, 0.9, 0.99] as const;

/** The extender's latency, errors and throughput, and how far its forecasts were off. */
export function extenderRecordingRules(): PrometheusRuleGroup {
  return {
    name: 'mlsched.extender.rules',
    rules: [
      ...LATENCY_QUANTILES.map((quantile) =>
        recordRule({
          record: RECORDS.extenderLatency,
          expr: q.extenderLatencyQuantile(quantile),
          labels: { quantile: String(quantile) },
        }),
      ),
      recordRule({ record: RECORDS.extenderErrorRatio, expr: q.extenderErrorRatio }),
      recordRule({ record: RECORDS.predictionError, expr: q.predictionError }),
    ],
  };
}
