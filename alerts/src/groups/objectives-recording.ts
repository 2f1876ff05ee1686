import { OBJECTIVES } from '../objectives.js';
import { RECORDS } from '../records.js';
import { recordRule } from '../rules.js';
import type { ObservabilityTargets } from '../targets.js';
import type { PrometheusRuleGroup } from '../types.js';
import { LATENCY_QUANTILES } from './extender-recording.js';
import * as q from './queries.js';

/**
 * The view operators were promised: CPU utilisation against its target, availability of the
 * workloads, scheduling latency against its objective, and the capacity saved. Objectives are
 * recorded as constant series so every panel draws them from `OBJECTIVES`.
 */
export function objectivesRecordingRules(t: ObservabilityTargets): PrometheusRuleGroup {
  return {
    name: 'mlsched.objectives.rules',
    rules: [
      ...LATENCY_QUANTILES.map((quantile) =>
        recordRule({
          record: RECORDS.schedulingLatency,
          expr: q.schedulingLatencyQuantile(t, quantile),
          labels: { quantile: String(quantile) },
        }),
      ),
      recordRule({
        record: RECORDS.schedulingWithinObjective,
        expr: q.schedulingWithinObjective(t),
      }),
      recordRule({
        record: RECORDS.schedulingObjective,
        expr: `vector(${OBJECTIVES.schedulingLatencyRatio})`,
      }),
      recordRule({ record: RECORDS.clusterCpuUtilisation, expr: q.clusterCpuUtilisation }),
      recordRule({
        record: RECORDS.clusterCpuTarget,
        expr: `vector(${OBJECTIVES.cpuUtilisationTarget})`,
      }),
      recordRule({ record: RECORDS.workloadAvailability, expr: q.workloadAvailability }),
      recordRule({
        record: RECORDS.workloadAvailabilityObjective,
        expr: `vector(${OBJECTIVES.workloadAvailabilityRatio})`,
      }),
      recordRule({ record: RECORDS.capacitySavedCores, expr: q.capacitySavedCores }),
      recordRule({ record: RECORDS.capacitySavedRatio, expr: q.capacitySavedRatio }),
    ],
  };
}
