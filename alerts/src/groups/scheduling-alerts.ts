import { OBJECTIVES, percent } from '../objectives.js';
import { alertRule } from '../rules.js';
import type { ObservabilityTargets } from '../targets.js';
import type { PrometheusRuleGroup } from '../types.js';
import * as q from './queries.js';

/** The second kube-scheduler, as the pods waiting on it see it. */
export function schedulingAlerts(t: ObservabilityTargets): PrometheusRuleGroup {
  const bucketMs = Number(OBJECTIVES.schedulingLatencyBucket) * 1000;
  return {
    name: 'mlsched.scheduling.alerts',
    rules: [
      alertRule({
        alert: 'MlschedSchedulingLatencyHigh',
        expr: q.schedulingLatency(t),
        for: '15m',
        severity: 'warning',
        summary: 'Scheduling attempts miss their latency objective.',
        description:
          'Only {{ $value | humanizePercentage }} of the pods {{ $labels.profile }} scheduled in ' +
          `the last hour took at most ${bucketMs}ms per attempt ` +
          `(objective: ${percent(OBJECTIVES.schedulingLatencyRatio)}).`,
      }),
    ],
  };
}
