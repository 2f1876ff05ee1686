import { unknownMetricsIn } from './promql.js';
import { runbookUrl } from './rules.js';
import type { PrometheusRule, PrometheusRuleGroup } from './types.js';

const ALERT_NAME = /^Mlsched[A-Z][A-Za-z0-9]*$/;
// level:metric:operations, as Prometheus' recording rule naming guide has it.
const RECORD_NAME = /^[a-z_]+:[a-zA-Z0-9_]+:[a-z0-9_]+$/;
const DURATION = /^\d+[smhd]$/;
const SEVERITIES = new Set(['critical', 'warning', 'info']);

function ruleProblems(rule: PrometheusRule): string[] {
  const name = rule.alert ?? rule.record ?? '(unnamed)';
  const problems: string[] = [];
  const unknown = unknownMetricsIn(rule.expr);
  if (unknown.length > 0) problems.push(`${name}.expr reads unknown series ${unknown.join(', ')}`);
  if (rule.alert === undefined) {
    if (!rule.record || !RECORD_NAME.test(rule.record)) {
      problems.push(`${name}.record is not named level:metric:operations`);
    }
    return problems;
  }
  if (!ALERT_NAME.test(rule.alert)) problems.push(`${name}.alert is not CamelCase with Mlsched`);
  if (!rule.for || !DURATION.test(rule.for))
    problems.push(`${name}.for is missing or not a duration`);
  if (!SEVERITIES.has(rule.labels?.severity ?? ''))
    problems.push(`${name}.labels.severity is missing`);
  for (const key of ['summary', 'description'] as const) {
    if (!rule.annotations?.[key]?.trim()) problems.push(`${name}.annotations.${key} is empty`);
  }
  if (rule.annotations?.runbook_url !== runbookUrl(rule.alert)) {
    problems.push(`${name}.annotations.runbook_url does not point at runbooks/${rule.alert}.md`);
  }
  return problems;
}

/**
 * Refuses rule groups an operator could not act on: an alert without severity, `for`, summary,
 * description or runbook, a badly named rule, a series nobody exposes, a name used twice.
 * Throws one error listing every problem, so a broken rule fails at synth time.
 */
export function checkRuleGroups(groups: PrometheusRuleGroup[]): PrometheusRuleGroup[] {
  const problems: string[] = [];
  const seenGroups = new Set<string>();
  const seenAlerts = new Set<string>();
  for (const group of groups) {
    if (seenGroups.has(group.name)) problems.push(`group ${group.name} is defined twice`);
    seenGroups.add(group.name);
    for (const rule of group.rules) {
      problems.push(...ruleProblems(rule));
      if (rule.alert && seenAlerts.has(rule.alert)) problems.push(`${rule.alert} is defined twice`);
      if (rule.alert) seenAlerts.add(rule.alert);
    }
  }
  if (problems.length > 0) throw new Error(`invalid rule groups:\n- ${problems.join('\n- ')}`);
  return groups;
}
