import { duration, OBJECTIVES, percent } from '../objectives.js';
import { alertRule } from '../rules.js';
import type { PrometheusRuleGroup } from '../types.js';
import * as q from './queries.js';

/** Nodes as the extender sees them: stale data, anomalies, sustained heat. */
export function nodeAlerts(): PrometheusRuleGroup {
  const staleLimit = duration(OBJECTIVES.nodeMetricsStaleSeconds);
  const hot = percent(OBJECTIVES.hotNodeCpuRatio);
  return {
    name: 'mlsched.node.alerts',
    rules: [
      alertRule({
        alert: 'MlschedNodeMetricsStale',
        expr: q.nodeMetricsStale,
        for: '5m',
        severity: 'warning',
        summary: "The extender's metrics for a node are stale.",
        description:
          "The extender's newest usable metrics for node {{ $labels.node }} are " +
          `{{ $value | humanizeDuration }} old (limit: ${staleLimit}). It scores the node ` +
          'neutrally and does not filter it on load until fresh data arrive.',
      }),
      alertRule({
        alert: 'MlschedNodeAnomalous',
        expr: q.nodeAnomalous,
        for: '10m',
        severity: 'warning',
        summary: 'A node behaves unlike its forecast.',
        description:
          'Node {{ $labels.node }} has been flagged anomalous for 10 minutes; its CPU ' +
          'utilisation is {{ $value | humanizePercentage }}.',
      }),
      alertRule({
        alert: 'MlschedNodeHot',
        expr: q.nodeHotAlert,
        for: OBJECTIVES.hotNodeFor,
        severity: 'warning',
        summary: 'A worker has run hot for a sustained period.',
        description:
          `Worker {{ $labels.node }} has run above ${hot} CPU for ${OBJECTIVES.hotNodeFor} (now ` +
          '{{ $value | humanizePercentage }}).',
      }),
    ],
  };
}
