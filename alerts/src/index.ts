/**
 * Prometheus recording and alerting rules for the ML scheduler, as code. `infra/` wraps
 * `ruleGroups()` in a PrometheusRule; `renderRuleFile()` gives promtool the same rules as a plain
 * rule file.
 */
import { extenderAlerts } from './groups/extender-alerts.js';
import { extenderRecordingRules } from './groups/extender-recording.js';
import { modelAlerts } from './groups/model-alerts.js';
import { nodeAlerts } from './groups/node-alerts.js';
import { nodeRecordingRules } from './groups/node-recording.js';
import { objectivesRecordingRules } from './groups/objectives-recording.js';
import { redisAlerts } from './groups/redis-alerts.js';
import { schedulingAlerts } from './groups/scheduling-alerts.js';
import { checkRuleGroups } from './check.js';
import { checkTargets, DEFAULT_TARGETS, type ObservabilityTargets } from './targets.js';
import type { PrometheusRuleGroup } from './types.js';

export * from './types.js';
export * from './targets.js';
export * from './objectives.js';
export * from './records.js';
export * from './external-metrics.js';
export * from './promql.js';
export * from './render.js';
export { checkRuleGroups } from './check.js';
export { runbookUrl } from './rules.js';
export { LATENCY_QUANTILES } from './groups/extender-recording.js';

/**
 * Every rule group, recording groups first. Prometheus evaluates groups independently, so an
 * alert may read a recorded series one interval late; the promtool tests pin this order with
 * `group_eval_order` so their `for:` boundaries are exact.
 */
export function ruleGroups(targets: ObservabilityTargets = DEFAULT_TARGETS): PrometheusRuleGroup[] {
  const t = checkTargets(targets);
  return checkRuleGroups([
    nodeRecordingRules(),
    extenderRecordingRules(),
    objectivesRecordingRules(t),
    extenderAlerts(t),
    schedulingAlerts(t),
    nodeAlerts(),
    modelAlerts(t),
    redisAlerts(t),
  ]);
}

/** The names of every alert, in rule order. */
export function alertNames(targets: ObservabilityTargets = DEFAULT_TARGETS): string[] {
  return ruleGroups(targets).flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
}
