import { duration, OBJECTIVES, percent } from '../objectives.js';
import { RECORDS } from '../records.js';
import { alertRule } from '../rules.js';
import type { ObservabilityTargets } from '../targets.js';
import type { PrometheusRuleGroup } from '../types.js';
import * as q from './queries.js';

/** The extender process: is it there, does it answer, how fast, and is it degraded. */
export function extenderAlerts(t: ObservabilityTargets): PrometheusRuleGroup {
  const errorRatio = percent(OBJECTIVES.extenderErrorRatio);
  const latency = duration(OBJECTIVES.extenderLatencyP99Seconds);
  return {
    name: 'mlsched.extender.alerts',
    rules: [
      alertRule({
        alert: 'MlschedExtenderAbsent',
        expr: q.extenderAbsent(t),
        for: '5m',
        severity: 'critical',
        summary: 'No scheduler extender answers scrapes.',
        description:
          'No target of job {{ $labels.job }} has answered a scrape for 5 minutes; Prometheus ' +
          'discovers {{ $value }} such target(s). Pods that ask for the ML scheduler are ' +
          'placed without load awareness, or stay Pending if the scheduler pod is gone too.',
      }),
      alertRule({
        alert: 'MlschedExtenderDown',
        expr: `up{job="${t.extenderJob}"} == 0`,
        for: '5m',
        severity: 'warning',
        summary: 'An extender replica does not answer scrapes.',
        description:
          'Prometheus has failed to scrape extender {{ $labels.instance }} ' +
          '(job {{ $labels.job }}) for 5 minutes (up = {{ $value }}). Calls routed to it fail ' +
          'and kube-scheduler ignores them.',
      }),
      alertRule({
        alert: 'MlschedExtenderErrorRatioHigh',
        expr: `${RECORDS.extenderErrorRatio} > ${OBJECTIVES.extenderErrorRatio}`,
        for: '10m',
        severity: 'warning',
        summary: 'The scheduler extender fails too many calls.',
        description:
          '{{ $value | humanizePercentage }} of {{ $labels.verb }} calls to the extender got a ' +
          `non-2xx answer over the last 5 minutes (objective: at most ${errorRatio}). ` +
          'kube-scheduler ignores a failed answer, so those pods were placed without load ' +
          'awareness.',
      }),
      alertRule({
        alert: 'MlschedExtenderLatencyHigh',
        expr:
          `${RECORDS.extenderLatency}{quantile="0.99"}` +
          ` > ${OBJECTIVES.extenderLatencyP99Seconds}`,
        for: '10m',
        severity: 'warning',
        summary: 'Extender calls are slower than their objective.',
        description:
          'The 99th percentile of {{ $labels.verb }} calls to the extender is ' +
          `{{ $value | humanizeDuration }}, above the ${latency} objective. Calls that outlast ` +
          "kube-scheduler's httpTimeout are dropped, and every pod waits for the extender.",
      }),
      alertRule({
        alert: 'MlschedExtenderDegraded',
        expr: q.extenderDegraded,
        for: '15m',
        severity: 'warning',
        summary: 'The extender scores nodes without their predictions.',
        description:
          'The extender has been degraded for reason {{ $labels.reason }} for 15 minutes; ' +
          '{{ $value | humanize }} node scores per minute fell back to request-based scoring.',
      }),
    ],
  };
}
