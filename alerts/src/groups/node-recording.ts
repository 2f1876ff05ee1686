import { RECORDS } from '../records.js';
import { recordRule } from '../rules.js';
import type { PrometheusRuleGroup } from '../types.js';
import * as q from './queries.js';

/** Per-node utilisation, actual and requested, and how evenly the workers carry it. */
export function nodeRecordingRules(): PrometheusRuleGroup {
  return {
    name: 'mlsched.node.rules',
    rules: [
      recordRule({ record: RECORDS.nodeCpuCores, expr: q.nodeCpuCores }),
      recordRule({ record: RECORDS.nodeCpuBusyCores, expr: q.nodeCpuBusyCores }),
      recordRule({ record: RECORDS.nodeCpuUtilisation, expr: q.nodeCpuUtilisation }),
      recordRule({ record: RECORDS.nodeMemoryUtilisation, expr: q.nodeMemoryUtilisation }),
      recordRule({ record: RECORDS.nodeCpuRequestedCores, expr: q.requestedByNode('cpu') }),
      recordRule({ record: RECORDS.nodeCpuRequested, expr: q.nodeCpuRequested }),
      recordRule({ record: RECORDS.nodeMemoryRequested, expr: q.nodeMemoryRequested }),
      recordRule({ record: RECORDS.nodeHot, expr: q.nodeHot }),
      recordRule({
        record: RECORDS.workerCpuImbalance,
        expr: q.workerImbalance(RECORDS.nodeCpuUtilisation),
      }),
      recordRule({
        record: RECORDS.workerMemoryImbalance,
        expr: q.workerImbalance(RECORDS.nodeMemoryUtilisation),
      }),
      recordRule({ record: RECORDS.hotNodeSeconds, expr: q.hotNodeSeconds }),
    ],
  };
}
