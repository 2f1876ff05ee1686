import { HISTORY_SECONDS } from '@mlsched/core';

import { ConfigError } from './config-error.js';
import { minimumOverturningWeight, X07_IN_TREE_GAP } from '../scheduling-math.js';
import type { EnvironmentConfig, ResourceSpec } from './types.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** kube-scheduler's own default `httpTimeout`; the shipped timeout must stay well below it. */
const DEFAULT_EXTENDER_TIMEOUT_MS = 5000;
/** Five cron fields, each made of digits, `*`, `/`, `-` and `,`. */
const CRON = /^(\S+\s+){4}\S+$/;
const CRON_FIELD = /^[\d*/,-]+$/;

/**
 * Refuses a configuration that cannot work, with every problem named by its setting.
 * Called by each environment file, so `npm run synth` stops before writing anything.
 */
export function validateEnvironment(env: EnvironmentConfig): EnvironmentConfig {
  const problems = environmentProblems(env);
  if (problems.length > 0) {
    throw new ConfigError(`environment ${env.name}: ${problems.join('; ')}`);
  }
  return env;
}

/** Every problem of `env`, as `<setting>: <reason>` lines. Empty when the config can work. */
export function environmentProblems(env: EnvironmentConfig): string[] {
  return [
    ...clusterProblems(env),
    ...schedulerProblems(env),
    ...extenderProblems(env),
    ...modelProblems(env),
    ...storageProblems(env),
  ];
}

function clusterProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const { nodes } = env.cluster;
  const controlPlane = nodes.filter((n) => n.role === 'control-plane');
  const workers = nodes.filter((n) => n.role === 'worker');

  if (controlPlane.length !== 3 || workers.length !== 3) {
    problems.push(
      `cluster.nodes: the environments run on 3 control-plane nodes and 3 workers, ` +
        `got ${controlPlane.length} and ${workers.length}`,
    );
  }
  for (const node of controlPlane) {
    if (!node.tainted) {
      problems.push(`cluster.nodes.${node.name}.tainted: control-plane nodes must be tainted`);
    }
  }
  const names = new Set<string>();
  for (const node of nodes) {
    if (names.has(node.name)) problems.push(`cluster.nodes.${node.name}: duplicated node name`);
    names.add(node.name);
    if (!(node.cpuCores > 0) || !(node.memoryBytes > 0)) {
      problems.push(`cluster.nodes.${node.name}: cpuCores and memoryBytes must be positive`);
    }
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(node.internalIP)) {
      problems.push(`cluster.nodes.${node.name}.internalIP: not an IPv4 address`);
    }
  }
  if (!isPort(env.cluster.apiServerPort)) problems.push('cluster.apiServerPort: not a TCP port');
  if (!DNS_LABEL.test(env.namespace)) problems.push('namespace: not a DNS-1123 label');
  return problems;
}

function schedulerProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const s = env.scheduler;
  const workers = env.cluster.nodes.filter((n) => n.role === 'worker');

  if (!DNS_LABEL.test(s.schedulerName)) {
    problems.push('scheduler.schedulerName: not a DNS-1123 label');
  }
  if (s.schedulerName === 'default-scheduler') {
    problems.push('scheduler.schedulerName: must differ from default-scheduler (second scheduler)');
  }
  if (!Number.isInteger(s.replicas) || s.replicas < 1) {
    problems.push('scheduler.replicas: must be a positive integer');
  }
  // Spread is one replica per worker: more replicas than workers would stack two on one node
  // and a single node failure would then take out more than one candidate leader.
  if (s.replicas > workers.length) {
    problems.push(
      `scheduler.replicas: ${s.replicas} exceeds the ${workers.length} workers it spreads over`,
    );
  }
  if (!(s.rolloutFraction > 0 && s.rolloutFraction <= 1)) {
    problems.push('scheduler.rolloutFraction: must be in (0, 1]');
  }
  const le = s.leaderElection;
  // client-go refuses leaseDuration <= renewDeadline and renewDeadline <= retryPeriod * 1.2.
  if (!(le.leaseDurationSeconds > le.renewDeadlineSeconds)) {
    problems.push(
      'scheduler.leaderElection: leaseDurationSeconds must exceed renewDeadlineSeconds',
    );
  }
  if (!(le.renewDeadlineSeconds > le.retryPeriodSeconds * 1.2)) {
    problems.push(
      'scheduler.leaderElection: renewDeadlineSeconds must exceed 1.2 × retryPeriodSeconds',
    );
  }
  problems.push(...resourceProblems('scheduler.kubeSchedulerResources', s.kubeSchedulerResources));
  problems.push(...resourceProblems('scheduler.extenderResources', s.extenderResources));
  problems.push(
    ...fitProblems(env, 'scheduler pod', [s.kubeSchedulerResources, s.extenderResources]),
  );
  return problems;
}

function extenderProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const x = env.extender;

  // Prioritize is always on in this project, so a zero weight would silently discard it.
  if (!Number.isInteger(x.weight) || x.weight <= 0) {
    problems.push(
      `extender.weight: must be a positive integer while prioritizeVerb is set, got ${x.weight}`,
    );
  } else if (x.weight < minimumOverturningWeight(X07_IN_TREE_GAP)) {
    problems.push(
      `extender.weight: ${x.weight} cannot overturn a ${X07_IN_TREE_GAP}-point in-tree gap ` +
        `(case X07); use at least ${minimumOverturningWeight(X07_IN_TREE_GAP)}`,
    );
  }
  if (!(x.httpTimeoutMs > 0 && x.httpTimeoutMs < DEFAULT_EXTENDER_TIMEOUT_MS)) {
    problems.push(
      `extender.httpTimeoutMs: must be in (0, ${DEFAULT_EXTENDER_TIMEOUT_MS}), got ${x.httpTimeoutMs}`,
    );
  }
  if (!isPort(x.port)) problems.push('extender.port: not a TCP port');
  for (const key of ['targetUtilization', 'hotThreshold', 'remediationThreshold'] as const) {
    if (!(x[key] > 0 && x[key] <= 1)) problems.push(`extender.${key}: must be in (0, 1]`);
  }
  // Case X08: if remediation moves pods off nodes above 65 % while the filter only rejects
  // nodes above 95 %, the scheduler sends the pods straight back: evict, return, repeat.
  if (x.hotThreshold > x.remediationThreshold) {
    problems.push(
      `extender.hotThreshold (${x.hotThreshold}) must not exceed ` +
        `extender.remediationThreshold (${x.remediationThreshold}): pods moved off a node ` +
        'would be scheduled straight back onto it (case X08)',
    );
  }
  if (x.targetUtilization >= x.hotThreshold) {
    problems.push(
      `extender.targetUtilization (${x.targetUtilization}) must be below ` +
        `extender.hotThreshold (${x.hotThreshold}): the score would steer pods to nodes the ` +
        'filter rejects',
    );
  }
  const m = x.metrics;
  if (!(m.refreshSeconds > 0)) problems.push('extender.metrics.refreshSeconds: must be positive');
  if (!(m.staleSeconds > m.refreshSeconds)) {
    problems.push(
      'extender.metrics.staleSeconds: must exceed refreshSeconds, or every node turns stale ' +
        'between two refreshes',
    );
  }
  if (!(m.historySeconds >= m.staleSeconds)) {
    problems.push('extender.metrics.historySeconds: must be at least staleSeconds');
  }
  // The extender refuses other values at start-up; refusing them here stops them at synth.
  const reports = x.trainerReportsRefreshSeconds;
  if (!(Number.isInteger(reports) && reports >= 1 && reports <= 86_400)) {
    problems.push(
      `extender.trainerReportsRefreshSeconds: must be an integer from 1 to 86400, got ${reports}`,
    );
  }
  // The extender refuses at start-up a model whose features read further back than it keeps.
  if (m.historySeconds < HISTORY_SECONDS) {
    problems.push(
      `extender.metrics.historySeconds: ${m.historySeconds} is shorter than the ${HISTORY_SECONDS} s ` +
        'the model features read; a pinned model would not load',
    );
  }
  return problems;
}

function modelProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  if (env.models.length === 0) problems.push('models: at least one model must be trained');
  const seen = new Set<string>();
  for (const model of env.models) {
    const at = `models.${model.name}`;
    if (!DNS_LABEL.test(model.name) || model.name.length > 40) {
      problems.push(`${at}.name: must be a DNS-1123 label of at most 40 characters`);
    }
    if (seen.has(model.name)) problems.push(`${at}: duplicated model`);
    seen.add(model.name);
    if (env.release.models[model.name] === undefined) {
      problems.push(`${at}: release has no version for this model`);
    }
    if (
      !CRON.test(model.schedule) ||
      !model.schedule.split(/\s+/).every((f) => CRON_FIELD.test(f))
    ) {
      problems.push(`${at}.schedule: not a five-field cron expression`);
    }
    if (!(model.activeDeadlineSeconds > 0)) {
      problems.push(`${at}.activeDeadlineSeconds: must be positive`);
    }
    if (!(model.startingDeadlineSeconds > 0)) {
      problems.push(`${at}.startingDeadlineSeconds: must be positive`);
    }
    if (!(model.successfulJobsHistoryLimit >= 1 && model.failedJobsHistoryLimit >= 1)) {
      problems.push(`${at}: keep at least one successful and one failed Job for diagnosis`);
    }
    if (!(model.ttlSecondsAfterFinished > 0)) {
      problems.push(`${at}.ttlSecondsAfterFinished: must be positive`);
    }
    problems.push(...resourceProblems(`${at}.resources`, model.resources));
    problems.push(...fitProblems(env, `trainer ${model.name}`, [model.resources]));
  }
  for (const name of Object.keys(env.release.models)) {
    if (!seen.has(name)) problems.push(`release.models.${name}: no model of this name is trained`);
  }
  return problems;
}

function storageProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  for (const [at, storage] of [
    ['modelStore', env.modelStore],
    ['redis.storage', env.redis.storage],
  ] as const) {
    if (!DNS_LABEL.test(storage.storageClassName)) {
      problems.push(`${at}.storageClassName: not a DNS-1123 name`);
    }
    if (!(Number.isInteger(storage.sizeGiB) && storage.sizeGiB > 0)) {
      problems.push(`${at}.sizeGiB: must be a positive integer`);
    }
  }
  problems.push(...resourceProblems('redis.resources', env.redis.resources));
  problems.push(...fitProblems(env, 'redis', [env.redis.resources]));
  if (!(
    env.redis.maxMemoryMiB > 0 && env.redis.maxMemoryMiB < env.redis.resources.limits.memoryMiB
  )) {
    problems.push(
      'redis.maxMemoryMiB: must be positive and below redis.resources.limits.memoryMiB, ' +
        'or the kernel kills Redis before it evicts',
    );
  }
  return problems;
}

function resourceProblems(at: string, r: ResourceSpec): string[] {
  const problems: string[] = [];
  for (const [kind, v] of [
    ['requests', r.requests],
    ['limits', r.limits],
  ] as const) {
    if (!(Number.isInteger(v.cpuMilli) && v.cpuMilli > 0)) {
      problems.push(`${at}.${kind}.cpuMilli: must be a positive integer`);
    }
    if (!(Number.isInteger(v.memoryMiB) && v.memoryMiB > 0)) {
      problems.push(`${at}.${kind}.memoryMiB: must be a positive integer`);
    }
  }
  if (r.limits.cpuMilli < r.requests.cpuMilli) {
    problems.push(`${at}.limits.cpuMilli: below requests.cpuMilli`);
  }
  if (r.limits.memoryMiB < r.requests.memoryMiB) {
    problems.push(`${at}.limits.memoryMiB: below requests.memoryMiB`);
  }
  return problems;
}

/** A pod whose requests exceed every worker's allocatable capacity would stay Pending. */
function fitProblems(
  env: EnvironmentConfig,
  what: string,
  parts: readonly ResourceSpec[],
): string[] {
  const cpuMilli = parts.reduce((a, p) => a + p.requests.cpuMilli, 0);
  const memoryBytes = parts.reduce((a, p) => a + p.requests.memoryMiB, 0) * 1024 * 1024;
  const fits = env.cluster.nodes.some(
    (n) => n.role === 'worker' && n.cpuCores * 1000 >= cpuMilli && n.memoryBytes >= memoryBytes,
  );
  return fits ? [] : [`${what}: requests (${cpuMilli}m CPU) do not fit on any worker`];
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port > 0 && port < 65536;
}
