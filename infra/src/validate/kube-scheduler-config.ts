import { KUBE_SCHEDULER_CONFIG_API_VERSION } from '../kube-scheduler-config.js';
import { type FieldTree, unknownFields } from './field-tree.js';

/**
 * The documented fields of `kubescheduler.config.k8s.io/v1` in kube-scheduler 1.34, written out
 * from `k8s.io/kube-scheduler/config/v1/types.go` and the component-base types it embeds
 * (DebuggingConfiguration is inlined, hence `enableProfiling` at the top level). No machine-
 * readable schema of this file is published, so this tree is the reference.
 */
const PLUGIN: FieldTree = { props: { name: 'leaf', weight: 'leaf' } };
const PLUGIN_SET: FieldTree = { props: { enabled: PLUGIN, disabled: PLUGIN } };
const EXTENSION_POINTS = [
  'preEnqueue',
  'queueSort',
  'preFilter',
  'filter',
  'postFilter',
  'preScore',
  'score',
  'reserve',
  'permit',
  'preBind',
  'bind',
  'postBind',
  'multiPoint',
] as const;

export const KUBE_SCHEDULER_CONFIG_FIELDS: FieldTree = {
  props: {
    apiVersion: 'leaf',
    kind: 'leaf',
    parallelism: 'leaf',
    leaderElection: {
      props: {
        leaderElect: 'leaf',
        leaseDuration: 'leaf',
        renewDeadline: 'leaf',
        retryPeriod: 'leaf',
        resourceLock: 'leaf',
        resourceName: 'leaf',
        resourceNamespace: 'leaf',
      },
    },
    clientConnection: {
      props: {
        kubeconfig: 'leaf',
        acceptContentTypes: 'leaf',
        contentType: 'leaf',
        qps: 'leaf',
        burst: 'leaf',
      },
    },
    enableProfiling: 'leaf',
    enableContentionProfiling: 'leaf',
    percentageOfNodesToScore: 'leaf',
    podInitialBackoffSeconds: 'leaf',
    podMaxBackoffSeconds: 'leaf',
    profiles: {
      props: {
        schedulerName: 'leaf',
        percentageOfNodesToScore: 'leaf',
        plugins: { props: Object.fromEntries(EXTENSION_POINTS.map((p) => [p, PLUGIN_SET])) },
        // Plugin args are typed per plugin; kube-scheduler decodes known ones strictly itself.
        pluginConfig: { props: { name: 'leaf', args: 'leaf' } },
      },
    },
    extenders: {
      props: {
        urlPrefix: 'leaf',
        filterVerb: 'leaf',
        preemptVerb: 'leaf',
        prioritizeVerb: 'leaf',
        weight: 'leaf',
        bindVerb: 'leaf',
        enableHTTPS: 'leaf',
        tlsConfig: {
          props: {
            insecure: 'leaf',
            serverName: 'leaf',
            certFile: 'leaf',
            keyFile: 'leaf',
            caFile: 'leaf',
            certData: 'leaf',
            keyData: 'leaf',
            caData: 'leaf',
          },
        },
        httpTimeout: 'leaf',
        nodeCacheCapable: 'leaf',
        managedResources: { props: { name: 'leaf', ignoredByScheduler: 'leaf' } },
        ignorable: 'leaf',
      },
    },
    delayCacheUntilActive: 'leaf',
  },
};

/** kube-scheduler's default extender timeout; the shipped one must be well under it. */
const DEFAULT_HTTP_TIMEOUT_MS = 5000;
const VERB = /^[a-z][a-z0-9-]*$/;

/**
 * Problems of a KubeSchedulerConfiguration, each naming its field: unknown fields, then the
 * project's rules for a second scheduler with a load-aware extender.
 */
export function kubeSchedulerConfigProblems(config: unknown): string[] {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return ['configuration: must be an object'];
  }
  const c = config as Record<string, unknown>;
  const problems = unknownFields(c, KUBE_SCHEDULER_CONFIG_FIELDS).map((f) => `${f}: unknown field`);

  if (c.apiVersion !== KUBE_SCHEDULER_CONFIG_API_VERSION) {
    problems.push(`apiVersion: must be ${KUBE_SCHEDULER_CONFIG_API_VERSION}`);
  }
  if (c.kind !== 'KubeSchedulerConfiguration') {
    problems.push('kind: must be KubeSchedulerConfiguration');
  }
  problems.push(...leaderElectionProblems(c.leaderElection));
  problems.push(...profileProblems(c.profiles));
  problems.push(...extenderProblems(c.extenders));
  return problems;
}

function leaderElectionProblems(value: unknown): string[] {
  const le = record(value);
  if (!le) return ['leaderElection: required, replicas must elect one active scheduler'];
  const problems: string[] = [];
  if (le.leaderElect !== true) {
    problems.push('leaderElection.leaderElect: must be true, or every replica schedules at once');
  }
  if (le.resourceLock !== 'leases') problems.push('leaderElection.resourceLock: must be leases');
  for (const key of ['resourceName', 'resourceNamespace'] as const) {
    if (typeof le[key] !== 'string' || le[key] === '') {
      problems.push(`leaderElection.${key}: required`);
    }
  }
  // The default lock is kube-system/kube-scheduler: sharing it with the default scheduler would
  // make the two schedulers take turns instead of both running.
  if (le.resourceName === 'kube-scheduler') {
    problems.push('leaderElection.resourceName: must not be the default scheduler lock');
  }
  const lease = goDurationMs(le.leaseDuration);
  const renew = goDurationMs(le.renewDeadline);
  const retry = goDurationMs(le.retryPeriod);
  if (lease === undefined) problems.push('leaderElection.leaseDuration: not a Go duration');
  if (renew === undefined) problems.push('leaderElection.renewDeadline: not a Go duration');
  if (retry === undefined) problems.push('leaderElection.retryPeriod: not a Go duration');
  if (lease !== undefined && renew !== undefined && !(lease > renew)) {
    problems.push('leaderElection.leaseDuration: must exceed renewDeadline');
  }
  if (renew !== undefined && retry !== undefined && !(renew > retry * 1.2)) {
    problems.push('leaderElection.renewDeadline: must exceed 1.2 × retryPeriod');
  }
  return problems;
}

function profileProblems(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    // Without profiles kube-scheduler serves `default-scheduler` and competes with the default.
    return ['profiles: required; without them this scheduler claims default-scheduler pods'];
  }
  const problems: string[] = [];
  const names = new Set<string>();
  value.forEach((p, i) => {
    const profile = record(p);
    const name = profile?.schedulerName;
    if (typeof name !== 'string' || name === '') {
      problems.push(`profiles[${i}].schedulerName: required`);
      return;
    }
    if (name === 'default-scheduler') {
      problems.push(
        `profiles[${i}].schedulerName: default-scheduler belongs to the default scheduler`,
      );
    }
    if (names.has(name)) problems.push(`profiles[${i}].schedulerName: duplicated`);
    names.add(name);
  });
  return problems;
}

function extenderProblems(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    return ['extenders: the ML scheduler needs its extender'];
  }
  return value.flatMap((raw, i) => {
    const at = `extenders[${i}]`;
    const x = record(raw);
    if (!x) return [`${at}: must be an object`];
    const problems: string[] = [];

    const url = typeof x.urlPrefix === 'string' ? x.urlPrefix : '';
    if (!/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(url)) {
      problems.push(`${at}.urlPrefix: must be an http(s) URL`);
    } else if (url.endsWith('/')) {
      // kube-scheduler joins urlPrefix and verb with a '/': a trailing one doubles it.
      problems.push(`${at}.urlPrefix: must not end with /`);
    }
    if ((x.enableHTTPS === true) !== url.startsWith('https://')) {
      problems.push(`${at}.enableHTTPS: must match the scheme of urlPrefix`);
    }
    for (const verb of ['filterVerb', 'prioritizeVerb'] as const) {
      if (typeof x[verb] !== 'string' || !VERB.test(x[verb])) {
        problems.push(`${at}.${verb}: required, a plain path segment`);
      }
    }
    if (x.prioritizeVerb !== undefined && x.prioritizeVerb !== '') {
      if (typeof x.weight !== 'number' || !Number.isInteger(x.weight) || x.weight <= 0) {
        problems.push(`${at}.weight: must be a positive integer when prioritizeVerb is set`);
      }
    }
    if (x.bindVerb !== undefined) {
      problems.push(`${at}.bindVerb: the extender does not bind; kube-scheduler must`);
    }
    const timeout = goDurationMs(x.httpTimeout);
    if (timeout === undefined || !(timeout > 0 && timeout < DEFAULT_HTTP_TIMEOUT_MS)) {
      problems.push(`${at}.httpTimeout: must be a Go duration above 0 and below 5s`);
    }
    if (x.nodeCacheCapable !== true) {
      problems.push(`${at}.nodeCacheCapable: must be true (cases X11, X12)`);
    }
    if (x.ignorable !== true) {
      problems.push(`${at}.ignorable: must be true, or an extender outage blocks all scheduling`);
    }
    if (x.managedResources !== undefined) {
      problems.push(`${at}.managedResources: must be absent, or pods skip the extender`);
    }
    return problems;
  });
}

/**
 * A Go `time.Duration` string in milliseconds (`1s`, `500ms`, `1m30s`), or undefined when the
 * string is not one.
 */
export function goDurationMs(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) {
    return undefined;
  }
  const unitMs: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  let total = 0;
  for (const [, n, , unit] of value.matchAll(/(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(n) * (unitMs[unit as string] as number);
  }
  return total;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
