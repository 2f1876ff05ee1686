import { RUNBOOK_BASE_URL } from './targets.js';
import type { AlertSpec, PrometheusRule, RecordSpec } from './types.js';

/** The runbook page of an alert: one page per alert, named exactly after it. */
export function runbookUrl(alert: string): string {
  return `${RUNBOOK_BASE_URL}/${alert}.md`;
}

export function alertRule(spec: AlertSpec): PrometheusRule {
  return {
    alert: spec.alert,
    expr: spec.expr,
    for: spec.for,
    labels: { severity: spec.severity },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      runbook_url: runbookUrl(spec.alert),
    },
  };
}

export function recordRule(spec: RecordSpec): PrometheusRule {
  return spec.labels ? { record: spec.record, expr: spec.expr, labels: spec.labels } : { ...spec };
}
