import { LATENCY_QUANTILES, OBJECTIVES, RECORDS, type ObservabilityTargets } from '@mlsched/alerts';
import { METRICS } from '@mlsched/core';

import { buildDashboard } from './layout.js';
import { timeseries } from './panels.js';
import * as q from './queries.js';
import { DASHBOARD_TITLES, DASHBOARD_UIDS } from './uids.js';

/** The extender's calls and decisions, and the kube-scheduler profile that calls it. */
export function schedulerDashboard(t: ObservabilityTargets): object {
  return buildDashboard({
    uid: DASHBOARD_UIDS.scheduler,
    title: DASHBOARD_TITLES.scheduler,
    description: 'Latency, throughput, errors, fallbacks and decisions of the scheduler extender.',
    sections: [
      {
        row: 'Extender calls',
        panels: [
          timeseries({
            title: 'Calls per second by verb and status',
            description: 'filter and prioritize calls from kube-scheduler, by HTTP status.',
            unit: 'reqps',
            min: 0,
            queries: [{ expr: q.requestsByVerbAndCode, legend: '{{verb}} {{code}}' }],
          }),
          timeseries({
            title: 'Call latency by verb',
            description:
              `Quantiles over 5 minutes; the dashed line is the p99 objective ` +
              `(${OBJECTIVES.extenderLatencyP99Seconds} s).`,
            unit: 's',
            min: 0,
            limit: OBJECTIVES.extenderLatencyP99Seconds,
            queries: LATENCY_QUANTILES.map((quantile) => ({
              expr: `${RECORDS.extenderLatency}{quantile="${quantile}"}`,
              legend: `{{verb}} p${quantile * 100}`,
            })),
          }),
          timeseries({
            title: 'Failed calls by verb',
            description:
              'Share of calls answered with a non-2xx status; kube-scheduler ignores those ' +
              'answers. The dashed line is the alert threshold.',
            unit: 'percentunit',
            min: 0,
            limit: OBJECTIVES.extenderErrorRatio,
            queries: [{ expr: RECORDS.extenderErrorRatio, legend: '{{verb}}' }],
          }),
          timeseries({
            title: 'Fallbacks: node scores without prediction, by reason',
            description:
              'Nodes scored by requests instead of their forecast, per second, by why ' +
              '(stale or missing metrics, no model...).',
            unit: 'short',
            min: 0,
            queries: [{ expr: q.degradedByReason, legend: '{{reason}}' }],
          }),
          timeseries({
            title: 'Degradations active',
            description: '1 while a degradation applies to at least one node.',
            unit: 'short',
            min: 0,
            max: 1,
            queries: [
              { expr: `max by (reason) (${METRICS.degradedActive})`, legend: '{{reason}}' },
            ],
          }),
        ],
      },
      {
        row: 'Decisions',
        panels: [
          timeseries({
            title: 'Decisions per second by node',
            description: 'filter: passed or rejected; prioritize: scored.',
            unit: 'short',
            min: 0,
            queries: [{ expr: q.decisionsByNode, legend: '{{node}} {{decision}}' }],
          }),
          timeseries({
            title: 'Pods placed, not yet in node metrics',
            description:
              'Pods this extender placed that the node metrics do not show yet; their ' +
              'estimated load is added to the forecast.',
            unit: 'short',
            min: 0,
            queries: [{ expr: `max by (node) (${METRICS.inflightPods})`, legend: '{{node}}' }],
          }),
        ],
      },
      {
        row: `kube-scheduler (profile ${t.schedulerName})`,
        panels: [
          timeseries({
            title: 'Scheduling attempt latency',
            description: 'Scheduling algorithm plus binding, extender calls included.',
            unit: 's',
            min: 0,
            limit: Number(OBJECTIVES.schedulingLatencyBucket),
            queries: LATENCY_QUANTILES.map((quantile) => ({
              expr: `${RECORDS.schedulingLatency}{quantile="${quantile}"}`,
              legend: `p${quantile * 100}`,
            })),
          }),
          timeseries({
            title: 'Scheduling attempts per second by result',
            description: 'scheduled, unschedulable (no node fits) or error.',
            unit: 'short',
            min: 0,
            queries: [{ expr: q.schedulingAttemptsByResult(t), legend: '{{result}}' }],
          }),
        ],
      },
    ],
  });
}
