import { duration, OBJECTIVES, percent, RECORDS } from '@mlsched/alerts';
import { METRICS } from '@mlsched/core';

import { buildDashboard } from './layout.js';
import { table, timeseries } from './panels.js';
import * as q from './queries.js';
import { DASHBOARD_TITLES, DASHBOARD_UIDS } from './uids.js';

/** How evenly the workers carry the load, actual against requested, and where it runs hot. */
export function balanceDashboard(): object {
  const hot = percent(OBJECTIVES.hotNodeCpuRatio);
  return buildDashboard({
    uid: DASHBOARD_UIDS.balance,
    title: DASHBOARD_TITLES.balance,
    description: 'Per-node utilisation, actual and requested, imbalance and hot nodes.',
    sections: [
      {
        row: 'Per node: actual and requested',
        panels: [
          timeseries({
            title: 'CPU per node: actual and requested',
            description:
              'Actual: busy CPUs (node-exporter). Requested: pod requests over allocatable.',
            unit: 'percentunit',
            min: 0,
            queries: [
              { expr: RECORDS.nodeCpuUtilisation, legend: '{{node}} actual' },
              { expr: RECORDS.nodeCpuRequested, legend: '{{node}} requested' },
            ],
          }),
          timeseries({
            title: 'Memory per node: actual and requested',
            description:
              'Actual: 1 − available/total (node-exporter). Requested: over allocatable.',
            unit: 'percentunit',
            min: 0,
            queries: [
              { expr: RECORDS.nodeMemoryUtilisation, legend: '{{node}} actual' },
              { expr: RECORDS.nodeMemoryRequested, legend: '{{node}} requested' },
            ],
          }),
        ],
      },
      {
        row: 'Balance and hot nodes',
        panels: [
          timeseries({
            title: 'Imbalance across workers',
            description: 'Standard deviation of utilisation across workers; 0 is perfectly even.',
            unit: 'percentunit',
            min: 0,
            queries: [
              { expr: RECORDS.workerCpuImbalance, legend: 'CPU' },
              { expr: RECORDS.workerMemoryImbalance, legend: 'Memory' },
            ],
          }),
          timeseries({
            title: `Hot workers (CPU above ${hot})`,
            description:
              `1 while the worker's CPU is above ${hot}; stacked, the height is the count of ` +
              'hot workers.',
            unit: 'short',
            min: 0,
            stackedBars: true,
            queries: [{ expr: RECORDS.nodeHot, legend: '{{node}}' }],
          }),
          timeseries({
            title: 'Hot worker time in the last hour',
            description: `Seconds workers spent above ${hot} CPU in the last hour, summed.`,
            unit: 's',
            min: 0,
            queries: [{ expr: RECORDS.hotNodeSeconds, legend: 'Hot time' }],
          }),
        ],
      },
      {
        row: "The extender's view of each node",
        panels: [
          timeseries({
            title: 'Age of the newest usable node metrics',
            description:
              'Seconds since the newest usable sample; past the dashed line ' +
              `(${duration(OBJECTIVES.nodeMetricsStaleSeconds)}) the node is scored neutrally.`,
            unit: 's',
            min: 0,
            limit: OBJECTIVES.nodeMetricsStaleSeconds,
            queries: [{ expr: `max by (node) (${METRICS.nodeMetricsAge})`, legend: '{{node}}' }],
          }),
          table({
            title: 'Node metrics state',
            description: 'fresh, stale, missing or invalid, as the extender sees each node now.',
            unit: 'none',
            queries: [{ expr: q.nodeMetricsState, legend: '{{node}} {{state}}' }],
          }),
        ],
      },
    ],
  });
}
