import { alertRule } from '../rules.js';
import type { ObservabilityTargets } from '../targets.js';
import type { PrometheusRuleGroup } from '../types.js';
import * as q from './queries.js';

/** The extender's Redis, through redis_exporter. */
export function redisAlerts(t: ObservabilityTargets): PrometheusRuleGroup {
  return {
    name: 'mlsched.redis.alerts',
    rules: [
      alertRule({
        alert: 'MlschedRedisDown',
        expr: q.redisDown(t),
        for: '5m',
        // The extender keeps its decisions in memory; Redis down degrades no placement today.
        severity: 'warning',
        summary: "The extender's Redis is down.",
        description:
          'redis_exporter {{ $labels.instance }} (job {{ $labels.job }}) has not reached Redis ' +
          'for 5 minutes (redis_up = {{ $value }}).',
      }),
    ],
  };
}
