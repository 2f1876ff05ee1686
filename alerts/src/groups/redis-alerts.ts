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
        // Redis holds only the extenders' warm state, written in the background and read at
        // start-up: down, it costs a cold start at the next leader change, never a placement.
        severity: 'warning',
        summary: "The extender's Redis is down.",
        description:
          'redis_exporter {{ $labels.instance }} (job {{ $labels.job }}) has not reached Redis ' +
          'for 5 minutes (redis_up = {{ $value }}).',
      }),
    ],
  };
}
