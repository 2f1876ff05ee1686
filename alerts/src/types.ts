/**
 * The shapes of a Prometheus rule file, as prometheus-operator's PrometheusRule `spec.groups`
 * carries them and as `promtool check rules` reads them.
 */

/** A rule as it appears in a rule file: exactly one of `alert` or `record`. */
export interface PrometheusRule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface PrometheusRuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: PrometheusRule[];
}

/** Alert severities, as Alertmanager routes them: `critical` pages, `warning` goes to a ticket. */
export type Severity = 'critical' | 'warning' | 'info';

/** What an alert author writes; `alertRule()` turns it into a rule with its runbook link. */
export interface AlertSpec {
  /** CamelCase with the `Mlsched` prefix; also the runbook's file name. */
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold before the alert fires, e.g. `5m`. */
  readonly for: string;
  readonly severity: Severity;
  /** One line, no templating of values: it is the notification title. */
  readonly summary: string;
  /** Names the affected object from `$labels` and states `$value` with its unit. */
  readonly description: string;
}

export interface RecordSpec {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
}
