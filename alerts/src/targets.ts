/**
 * How the rules and dashboards find this project's targets in Prometheus. The defaults are what
 * `infra/` deploys; the live test overrides them because its Prometheus names every target `test`.
 */
export interface ObservabilityTargets {
  /** `job` label of the extender's scrape target (its Service's name, under a ServiceMonitor). */
  readonly extenderJob: string;
  /** `job` label of redis_exporter in front of the extender's Redis. */
  readonly redisJob: string;
  /** `schedulerName` of the second kube-scheduler; its metrics carry it as `profile`. */
  readonly schedulerName: string;
  /** Namespace the extender, trainer and Redis run in. */
  readonly namespace: string;
  /** Name of the trainer CronJob, or the common prefix of one CronJob per model. */
  readonly trainerCronJob: string;
}

export const DEFAULT_TARGETS: ObservabilityTargets = {
  extenderJob: 'mlsched-extender',
  redisJob: 'mlsched-redis',
  schedulerName: 'mlsched-scheduler',
  namespace: 'mlsched',
  trainerCronJob: 'mlsched-trainer',
};

/** Where the runbooks are published; `runbook_url` is this plus `/<AlertName>.md`. */
export const RUNBOOK_BASE_URL = 'https://github.com/mlsched/mlsched/blob/main/runbooks';

const LABEL_VALUE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Fails on a value that would break the PromQL it is spliced into (a quote, a space, a brace),
 * naming the field, so a bad override fails at synth and not as a silent never-firing alert.
 */
export function checkTargets(targets: ObservabilityTargets): ObservabilityTargets {
  for (const [field, value] of Object.entries(targets)) {
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      throw new Error(
        `ObservabilityTargets.${field}: ${JSON.stringify(value)} is not a plain label value ` +
          '(letters, digits, ".", "_", "-")',
      );
    }
  }
  return targets;
}
