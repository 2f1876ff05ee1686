/**
 * One promtool case per alert (two where the alert has two ways to fire). Each states the minute
 * its expression first holds; the harness checks that the alert is not firing one minute before
 * `activeAt + for` and fires at it, with every label and the full annotation text written out
 * here by hand.
 */
import type { AlertCase } from './harness.js';

const RUNBOOKS = 'https://github.com/mlsched/mlsched/blob/main/runbooks';

const TAINT =
  'kube_node_spec_taint{node="cp-1", key="node-role.kubernetes.io/control-plane", ' +
  'effect="NoSchedule"}';

export const ALERT_CASES: readonly AlertCase[] = [
  {
    alert: 'MlschedExtenderAbsent',
    name: 'the only extender target stops answering at minute 3',
    series: [
      { series: 'up{job="mlsched-extender", instance="10.0.1.21:8080"}', values: '1 1 1 0x20' },
    ],
    activeAtMinute: 3,
    labels: { job: 'mlsched-extender', severity: 'critical' },
    annotations: {
      summary: 'No scheduler extender answers scrapes.',
      description:
        'No target of job mlsched-extender has answered a scrape for 5 minutes; Prometheus ' +
        'discovers 1 such target(s). Pods that ask for the ML scheduler are placed without load ' +
        'awareness, or stay Pending if the scheduler pod is gone too.',
      runbook_url: `${RUNBOOKS}/MlschedExtenderAbsent.md`,
    },
  },
  {
    alert: 'MlschedExtenderAbsent',
    // The last sample is at minute 2; Prometheus looks back 5 minutes (both ends included), so
    // from minute 8 there is no `up` series at all, as when the Service or ServiceMonitor is
    // deleted.
    name: 'the extender target disappears after minute 2',
    series: [{ series: 'up{job="mlsched-extender", instance="10.0.1.21:8080"}', values: '1 1 1' }],
    activeAtMinute: 8,
    labels: { job: 'mlsched-extender', severity: 'critical' },
    annotations: {
      summary: 'No scheduler extender answers scrapes.',
      description:
        'No target of job mlsched-extender has answered a scrape for 5 minutes; Prometheus ' +
        'discovers 0 such target(s). Pods that ask for the ML scheduler are placed without load ' +
        'awareness, or stay Pending if the scheduler pod is gone too.',
      runbook_url: `${RUNBOOKS}/MlschedExtenderAbsent.md`,
    },
  },
  {
    alert: 'MlschedExtenderDown',
    name: 'one of two replicas stops answering at minute 2',
    series: [
      { series: 'up{job="mlsched-extender", instance="10.0.1.21:8080"}', values: '1 1 0x20' },
      { series: 'up{job="mlsched-extender", instance="10.0.1.22:8080"}', values: '1x22' },
      // Another project's target being down is not this alert's business.
      { series: 'up{job="other", instance="10.0.1.23:8080"}', values: '0x22' },
    ],
    activeAtMinute: 2,
    labels: { job: 'mlsched-extender', instance: '10.0.1.21:8080', severity: 'warning' },
    annotations: {
      summary: 'An extender replica does not answer scrapes.',
      description:
        'Prometheus has failed to scrape extender 10.0.1.21:8080 (job mlsched-extender) for ' +
        '5 minutes (up = 0). Calls routed to it fail and kube-scheduler ignores them.',
      runbook_url: `${RUNBOOKS}/MlschedExtenderDown.md`,
    },
  },
  {
    alert: 'MlschedExtenderErrorRatioHigh',
    // 90 good filter calls a minute throughout; from minute 11, 10 more a minute fail. Over the
    // 5-minute window the failed share passes 5 % at minute 14 (30 of 480) and settles at
    // 10 % once the window holds only the failing period.
    name: 'filter calls start failing at minute 11',
    series: [
      { series: 'mlsched_extender_requests_total{verb="filter", code="200"}', values: '0+90x40' },
      {
        series: 'mlsched_extender_requests_total{verb="filter", code="500"}',
        values: '0x11 10+10x30',
      },
      {
        series: 'mlsched_extender_requests_total{verb="prioritize", code="200"}',
        values: '0+60x40',
      },
    ],
    activeAtMinute: 14,
    labels: { verb: 'filter', severity: 'warning' },
    annotations: {
      summary: 'The scheduler extender fails too many calls.',
      description:
        '10% of filter calls to the extender got a non-2xx answer over the last 5 minutes ' +
        '(objective: at most 5%). kube-scheduler ignores a failed answer, so those pods were ' +
        'placed without load awareness.',
      runbook_url: `${RUNBOOKS}/MlschedExtenderErrorRatioHigh.md`,
    },
  },
  {
    alert: 'MlschedExtenderLatencyHigh',
    // 60 calls a minute; up to minute 10 all under 50 ms, afterwards all between 100 and 250 ms.
    // The first slow minute is already more than 1 % of the window; once the window is all slow
    // the p99 interpolates to 100 ms + 0.99 × 150 ms = 248.5 ms.
    name: 'prioritize calls slow down after minute 10',
    series: [
      {
        series: 'mlsched_extender_request_duration_seconds_bucket{verb="prioritize", le="0.05"}',
        values: '0+60x10 600x30',
      },
      {
        series: 'mlsched_extender_request_duration_seconds_bucket{verb="prioritize", le="0.1"}',
        values: '0+60x10 600x30',
      },
      {
        series: 'mlsched_extender_request_duration_seconds_bucket{verb="prioritize", le="0.25"}',
        values: '0+60x40',
      },
      {
        series: 'mlsched_extender_request_duration_seconds_bucket{verb="prioritize", le="+Inf"}',
        values: '0+60x40',
      },
    ],
    activeAtMinute: 11,
    labels: { verb: 'prioritize', quantile: '0.99', severity: 'warning' },
    annotations: {
      summary: 'Extender calls are slower than their objective.',
      description:
        'The 99th percentile of prioritize calls to the extender is 248.5ms, above the 100ms ' +
        "objective. Calls that outlast kube-scheduler's httpTimeout are dropped, and every pod " +
        'waits for the extender.',
      runbook_url: `${RUNBOOKS}/MlschedExtenderLatencyHigh.md`,
    },
  },
  {
    alert: 'MlschedExtenderDegraded',
    name: 'metrics go stale at minute 5 while 30 node scores a minute fall back',
    series: [
      { series: 'mlsched_extender_degraded_active{reason="stale_metrics"}', values: '0x4 1x30' },
      { series: 'mlsched_extender_degraded_total{reason="stale_metrics"}', values: '0+30x35' },
      // A reason that is not active does not fire, however much it counted before.
      { series: 'mlsched_extender_degraded_active{reason="no_model"}', values: '0x35' },
      { series: 'mlsched_extender_degraded_total{reason="no_model"}', values: '0+5x35' },
    ],
    activeAtMinute: 5,
    labels: { reason: 'stale_metrics', severity: 'warning' },
    annotations: {
      summary: 'The extender scores nodes without their predictions.',
      description:
        'The extender has been degraded for reason stale_metrics for 15 minutes; 30 node scores ' +
        'per minute fell back to request-based scoring.',
      runbook_url: `${RUNBOOKS}/MlschedExtenderDegraded.md`,
    },
  },
  {
    alert: 'MlschedSchedulingLatencyHigh',
    // 100 pods a minute, all within 256 ms until minute 70, none after. Over the hour the share
    // drops below 99 % with the first slow minute (5900 of 6000) and is 4400/6000 at minute 86.
    name: 'every attempt is slow from minute 71',
    series: [
      {
        series:
          'scheduler_scheduling_attempt_duration_seconds_bucket{profile="mlsched-scheduler", ' +
          'result="scheduled", le="0.256"}',
        values: '0+100x70 7000x30',
      },
      {
        series:
          'scheduler_scheduling_attempt_duration_seconds_count{profile="mlsched-scheduler", ' +
          'result="scheduled"}',
        values: '0+100x100',
      },
      // The cluster's default scheduler is just as slow, but is not this project's.
      {
        series:
          'scheduler_scheduling_attempt_duration_seconds_bucket{profile="default-scheduler", ' +
          'result="scheduled", le="0.256"}',
        values: '0x100',
      },
      {
        series:
          'scheduler_scheduling_attempt_duration_seconds_count{profile="default-scheduler", ' +
          'result="scheduled"}',
        values: '0+100x100',
      },
    ],
    activeAtMinute: 71,
    labels: { profile: 'mlsched-scheduler', severity: 'warning' },
    annotations: {
      summary: 'Scheduling attempts miss their latency objective.',
      description:
        'Only 73.33% of the pods mlsched-scheduler scheduled in the last hour took at most 256ms ' +
        'per attempt (objective: 99%).',
      runbook_url: `${RUNBOOKS}/MlschedSchedulingLatencyHigh.md`,
    },
  },
  {
    alert: 'MlschedNodeMetricsStale',
    name: "worker-2's newest sample is 200 s old at minute 5 and keeps ageing",
    series: [
      { series: 'mlsched_node_metrics_age_seconds{node="worker-2"}', values: '30x4 200+60x20' },
      { series: 'mlsched_node_metrics_age_seconds{node="worker-1"}', values: '30x25' },
    ],
    activeAtMinute: 5,
    labels: { node: 'worker-2', severity: 'warning' },
    annotations: {
      summary: "The extender's metrics for a node are stale.",
      description:
        "The extender's newest usable metrics for node worker-2 are 8m 20s old (limit: 3m). It " +
        'scores the node neutrally and does not filter it on load until fresh data arrive.',
      runbook_url: `${RUNBOOKS}/MlschedNodeMetricsStale.md`,
    },
  },
  {
    alert: 'MlschedNodeAnomalous',
    name: 'worker-3 is flagged from minute 3 at 92 % CPU',
    series: [
      { series: 'mlsched_node_anomalous{node="worker-3"}', values: '0x2 1x20' },
      {
        series: 'mlsched_node_observed_utilization_ratio{node="worker-3", resource="cpu"}',
        values: '0.92x22',
      },
      {
        series: 'mlsched_node_observed_utilization_ratio{node="worker-3", resource="memory"}',
        values: '0.4x22',
      },
      { series: 'mlsched_node_anomalous{node="worker-1"}', values: '0x22' },
      {
        series: 'mlsched_node_observed_utilization_ratio{node="worker-1", resource="cpu"}',
        values: '0.5x22',
      },
    ],
    activeAtMinute: 3,
    labels: { node: 'worker-3', severity: 'warning' },
    annotations: {
      summary: 'A node behaves unlike its forecast.',
      description:
        'Node worker-3 has been flagged anomalous for 10 minutes; its CPU utilisation is 92%.',
      runbook_url: `${RUNBOOKS}/MlschedNodeAnomalous.md`,
    },
  },
  {
    alert: 'MlschedNodeHot',
    // One CPU each. Idle 60 s a minute until minute 10, then 6 s (90 % busy). The 5-minute rate
    // crosses 80 % once the window holds five busy minutes. cp-1 runs just as hot but is a
    // tainted control-plane node: the extender places nothing there, so it does not fire.
    name: 'worker-1 runs at 90 % from minute 10; so does control-plane cp-1',
    series: [
      {
        series: 'node_cpu_seconds_total{instance="10.0.1.21:9100", cpu="0", mode="idle"}',
        values: '0+60x10 606+6x40',
      },
      { series: 'node_uname_info{instance="10.0.1.21:9100", nodename="worker-1"}', values: '1x50' },
      {
        series: 'node_cpu_seconds_total{instance="10.0.0.11:9100", cpu="0", mode="idle"}',
        values: '0+60x10 606+6x40',
      },
      { series: 'node_uname_info{instance="10.0.0.11:9100", nodename="cp-1"}', values: '1x50' },
      { series: TAINT, values: '1x50' },
    ],
    activeAtMinute: 15,
    labels: { node: 'worker-1', severity: 'warning' },
    annotations: {
      summary: 'A worker has run hot for a sustained period.',
      description: 'Worker worker-1 has run above 80% CPU for 15m (now 90%).',
      runbook_url: `${RUNBOOKS}/MlschedNodeHot.md`,
    },
  },
  {
    alert: 'MlschedModelStale',
    // The age passes two 6-hour training periods (43200 s) at minute 4 (43240 s).
    name: 'the served model ages past two training periods',
    series: [
      {
        series: 'mlsched_model_age_seconds{job="mlsched-extender", instance="10.0.1.21:8080"}',
        values: '43000+60x60',
      },
      {
        series:
          'mlsched_model_info{job="mlsched-extender", instance="10.0.1.21:8080", ' +
          'version="2026-12-01T02-00-00Z-ab12cd"}',
        values: '1x60',
      },
      // A version the extender no longer serves (value 0) must not be named.
      {
        series:
          'mlsched_model_info{job="mlsched-extender", instance="10.0.1.21:8080", ' +
          'version="2026-11-30T02-00-00Z-0f0f0f"}',
        values: '0x60',
      },
    ],
    activeAtMinute: 4,
    labels: { version: '2026-12-01T02-00-00Z-ab12cd', severity: 'warning' },
    annotations: {
      summary: 'The extender serves an old model.',
      description:
        'Model 2026-12-01T02-00-00Z-ab12cd served by the extender was trained 12h 30m 40s ago. ' +
        'The trainer runs every 6h, so at least two runs in a row have not reached the extender.',
      runbook_url: `${RUNBOOKS}/MlschedModelStale.md`,
    },
  },
  {
    alert: 'MlschedTrainingFailed',
    name: 'a run ends at minute 11 without publishing',
    series: [
      {
        series: 'mlsched_trainer_last_run_timestamp_seconds{model="node-load"}',
        values: '1000x10 90000x30',
      },
      {
        series: 'mlsched_trainer_last_success_timestamp_seconds{model="node-load"}',
        values: '1000x40',
      },
    ],
    activeAtMinute: 11,
    labels: { model: 'node-load', severity: 'warning' },
    annotations: {
      summary: 'The last training run published no model.',
      description:
        'The last training run of model node-load published no model; the last successful run ' +
        'ended 1d 0h 43m 20s before it.',
      runbook_url: `${RUNBOOKS}/MlschedTrainingFailed.md`,
    },
  },
  {
    alert: 'MlschedTrainerJobFailed',
    name: 'the Job of one CronJob run fails at minute 4',
    series: [
      {
        series:
          'kube_job_failed{namespace="mlsched", job_name="mlsched-trainer-node-load-29402160", ' +
          'condition="true"}',
        values: '0x3 1x20',
      },
      {
        series:
          'kube_job_failed{namespace="mlsched", job_name="mlsched-trainer-node-load-29402160", ' +
          'condition="false"}',
        values: '1x3 0x20',
      },
      // Other Jobs, even in the same namespace, are not the trainer.
      {
        series:
          'kube_job_failed{namespace="mlsched", job_name="backup-29402160", condition="true"}',
        values: '1x23',
      },
    ],
    activeAtMinute: 4,
    labels: {
      namespace: 'mlsched',
      job_name: 'mlsched-trainer-node-load-29402160',
      severity: 'warning',
    },
    annotations: {
      summary: 'A trainer Job failed.',
      description:
        'Job mlsched/mlsched-trainer-node-load-29402160 failed (Failed condition = 1): the ' +
        'trainer crashed, ran out of memory or hit its deadline.',
      runbook_url: `${RUNBOOKS}/MlschedTrainerJobFailed.md`,
    },
  },
  {
    alert: 'MlschedPredictionErrorDrift',
    // 60 forecasts a minute. CPU error: 0.05 a forecast until minute 40, 0.2 after; its hourly
    // mean passes 1.5 × 0.04 = 0.06 at minute 43 (0.2 − 6/43 = 0.0605) and is 0.1325 at 73.
    // Memory stays at 0.055: above the floor and above 1.5 × the last-value baseline's MAE,
    // but under 1.5 × the model's, so it does not fire.
    name: 'CPU forecasts get four times worse at minute 40',
    series: [
      {
        series: 'mlsched_prediction_absolute_error_ratio_count{resource="cpu"}',
        values: '0+60x80',
      },
      {
        series: 'mlsched_prediction_absolute_error_ratio_sum{resource="cpu"}',
        values: '0+3x40 132+12x40',
      },
      {
        series: 'mlsched_prediction_absolute_error_ratio_count{resource="memory"}',
        values: '0+60x80',
      },
      {
        series: 'mlsched_prediction_absolute_error_ratio_sum{resource="memory"}',
        values: '0+3.3x80',
      },
      {
        series:
          'mlsched_trainer_validation_mae_ratio{model="node-load", resource="cpu", ' +
          'predictor="model"}',
        values: '0.04x80',
      },
      {
        series:
          'mlsched_trainer_validation_mae_ratio{model="node-load", resource="memory", ' +
          'predictor="model"}',
        values: '0.04x80',
      },
      {
        series:
          'mlsched_trainer_validation_mae_ratio{model="node-load", resource="memory", ' +
          'predictor="last_value"}',
        values: '0.01x80',
      },
    ],
    activeAtMinute: 43,
    labels: { resource: 'cpu', severity: 'warning' },
    annotations: {
      summary: 'Live prediction error has drifted above validation error.',
      description:
        "Over the last hour the model's cpu forecasts were off by 13.25% of node capacity on " +
        'average, more than 1.5 times the validation error the trainer measured.',
      runbook_url: `${RUNBOOKS}/MlschedPredictionErrorDrift.md`,
    },
  },
  {
    alert: 'MlschedRedisDown',
    name: "the extender's Redis goes down at minute 4",
    series: [
      { series: 'redis_up{job="mlsched-redis", instance="10.0.1.22:9121"}', values: '1x3 0x20' },
      // Some other team's Redis being down is theirs to page on.
      { series: 'redis_up{job="cache", instance="10.0.1.23:9121"}', values: '0x23' },
    ],
    activeAtMinute: 4,
    labels: { job: 'mlsched-redis', instance: '10.0.1.22:9121', severity: 'warning' },
    annotations: {
      summary: "The extender's Redis is down.",
      description:
        'redis_exporter 10.0.1.22:9121 (job mlsched-redis) has not reached Redis for 5 minutes ' +
        '(redis_up = 0).',
      runbook_url: `${RUNBOOKS}/MlschedRedisDown.md`,
    },
  },
];
