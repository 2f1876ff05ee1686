import { HISTORY_SECONDS, RECOMMENDED_EXTENDER_WEIGHT, SIX_NODE_CLUSTER } from '@mlsched/core';

import type { EnvironmentConfig, EnvironmentName, ModelConfig, Release } from './types.js';

/**
 * What the three environments share. Each environment file spreads this and overrides what
 * differs, so a difference between environments is always a visible line in one file.
 */
export function sharedEnvironment(name: EnvironmentName, release: Release): EnvironmentConfig {
  return {
    name,
    namespace: 'mlsched',
    cluster: {
      argoCdName: `mlsched-${name}`,
      // The same six-node shape the simulator and the demo use: 3 tainted control-plane nodes,
      // 3 workers. Each environment is its own cluster of this shape.
      nodes: SIX_NODE_CLUSTER,
      apiServerPort: 6443,
    },
    release,
    scheduler: {
      // The name the alerts and dashboards select on (`profile` label of kube-scheduler).
      schedulerName: 'mlsched-scheduler',
      replicas: 2,
      rolloutFraction: 0.5,
      leaderElection: { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 },
      kubeSchedulerResources: {
        requests: { cpuMilli: 100, memoryMiB: 128 },
        limits: { cpuMilli: 1000, memoryMiB: 512 },
      },
      extenderResources: {
        requests: { cpuMilli: 250, memoryMiB: 256 },
        limits: { cpuMilli: 1000, memoryMiB: 768 },
      },
    },
    extender: {
      // X07: why 2 is explained where it is defined, beside the simulator that checks it.
      weight: RECOMMENDED_EXTENDER_WEIGHT,
      // Filter and prioritize answer from memory (no call on the request path, case X02):
      // a second is generous, and five times shorter than kube-scheduler's default.
      httpTimeoutMs: 1000,
      port: 8888,
      logLevel: 'info',
      targetUtilization: 0.7,
      hotThreshold: 0.85,
      remediationThreshold: 0.9,
      // History: exactly what the model's features read, so a pinned model always loads.
      metrics: { refreshSeconds: 15, staleSeconds: 180, historySeconds: HISTORY_SECONDS },
      watchPods: true,
      // A run takes minutes and comes every six hours; a minute's delay in its series is nothing.
      trainerReportsRefreshSeconds: 60,
    },
    models: [NODE_LOAD_MODEL],
    modelStore: { storageClassName: 'nfs-client', sizeGiB: 5 },
    redis: {
      storage: { storageClassName: 'standard', sizeGiB: 2 },
      resources: {
        requests: { cpuMilli: 100, memoryMiB: 256 },
        limits: { cpuMilli: 500, memoryMiB: 512 },
      },
      passwordSecret: { name: 'mlsched-redis-auth', key: 'password' },
      maxMemoryMiB: 384,
    },
    monitoring: {
      prometheus: {
        namespace: 'monitoring',
        podLabels: { 'app.kubernetes.io/name': 'prometheus' },
        port: 9090,
        // prometheus-operator's governing Service of every Prometheus it runs.
        serviceName: 'prometheus-operated',
      },
      selectorLabels: { release: 'kube-prometheus-stack' },
      grafana: { namespace: 'monitoring', folder: 'mlsched' },
    },
    argocd: { automatedSync: true },
  };
}

/** The node-load predictor, retrained every six hours from a week of history. */
const NODE_LOAD_MODEL: ModelConfig = {
  name: 'node-load',
  // Off the full hour, when many clusters' CronJobs pile up.
  schedule: '17 */6 * * *',
  timeZone: 'Etc/UTC',
  startingDeadlineSeconds: 900,
  activeDeadlineSeconds: 3600,
  backoffLimit: 1,
  successfulJobsHistoryLimit: 3,
  failedJobsHistoryLimit: 3,
  ttlSecondsAfterFinished: 2 * 86_400,
  resources: {
    requests: { cpuMilli: 500, memoryMiB: 1024 },
    limits: { cpuMilli: 2000, memoryMiB: 2048 },
  },
  trainingRange: '7d',
  stepSeconds: 60,
};
