import type { NodeSpec } from '@mlsched/core';

/** The environments, in promotion order: a release moves dev → staging → prod. */
export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/**
 * What promotion moves from one environment to the next. It lives in
 * `releases/<env>.json` so that the promote command edits data, not TypeScript, and the pull
 * request shows the change next to the YAML it causes.
 */
export interface Release {
  /** Container images by digest, `<repository>@sha256:<64 hex>`. */
  readonly images: {
    /** The extender (`apps/scheduler`). */
    readonly scheduler: string;
    /** The trainer (`apps/trainer`). */
    readonly trainer: string;
  };
  /**
   * The artifact version the extender serves, per model name; `null` serves without a model
   * (the extender then scores by the newest observed load), which is where a new environment
   * starts until its first trained model is pinned.
   */
  readonly models: Readonly<Record<string, string | null>>;
}

/** CPU in millicores and memory in MiB: the units every setting below uses. */
export interface ResourceSpec {
  readonly requests: { readonly cpuMilli: number; readonly memoryMiB: number };
  readonly limits: { readonly cpuMilli: number; readonly memoryMiB: number };
}

/** The cluster one environment deploys to. */
export interface ClusterConfig {
  /** The name the cluster is registered under in Argo CD (`argocd cluster add --name`). */
  readonly argoCdName: string;
  /** Every node, with role, InternalIP and allocatable capacity. */
  readonly nodes: readonly NodeSpec[];
  /** Port the API server listens on at each control-plane node's InternalIP. */
  readonly apiServerPort: number;
}

/** kube-scheduler running as the second scheduler. */
export interface SchedulerConfig {
  /** Pods opt in with `spec.schedulerName: <this>`. */
  readonly schedulerName: string;
  /** Scheduler pods, spread over the workers; one leads, the others wait warm. */
  readonly replicas: number;
  /**
   * Share of the scheduler replicas replaced at a time during a rollout, (0, 1]. It becomes the
   * Deployment's `maxSurge` (replicas × fraction, rounded down, at least 1) with
   * `maxUnavailable: 0`, so a new version runs beside the old one before the old one stops.
   */
  readonly rolloutFraction: number;
  readonly leaderElection: {
    readonly leaseDurationSeconds: number;
    readonly renewDeadlineSeconds: number;
    readonly retryPeriodSeconds: number;
  };
  readonly kubeSchedulerResources: ResourceSpec;
  readonly extenderResources: ResourceSpec;
}

/** The extender's place in the scheduler configuration and its own settings (env variables). */
export interface ExtenderConfig {
  /** Multiplier of the prioritize score in kube-scheduler (field case X07). */
  readonly weight: number;
  /** kube-scheduler's `httpTimeout` for each extender call, in milliseconds (default 5 s). */
  readonly httpTimeoutMs: number;
  /** Port of the extender on localhost (`PORT`). */
  readonly port: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Utilisation the score steers nodes towards, 0..1 (`TARGET_UTILIZATION`). */
  readonly targetUtilization: number;
  /** The filter rejects nodes predicted above this, 0..1 (`HOT_THRESHOLD`). */
  readonly hotThreshold: number;
  /** Hot-node remediation acts above this, 0..1 (`REMEDIATION_THRESHOLD`). */
  readonly remediationThreshold: number;
  readonly metrics: {
    readonly refreshSeconds: number;
    /** A node's data older than this is stale and scored neutral. */
    readonly staleSeconds: number;
    /** How much history the refresher keeps per node; the model reads this window. */
    readonly historySeconds: number;
  };
  /** Watch pods and nodes (in-flight estimates, InternalIP mapping). */
  readonly watchPods: boolean;
  /**
   * How often the extender reads the trainer's run records from the model store, seconds
   * (`TRAINER_REPORTS_REFRESH_SECONDS`); they become the `mlsched_trainer_*` series.
   */
  readonly trainerReportsRefreshSeconds: number;
}

/** One model the trainer retrains on a schedule; one CronJob each. */
export interface ModelConfig {
  /** DNS-1123 label; names the CronJob and the artifact directory. */
  readonly name: string;
  /** Cron schedule, in `timeZone`. */
  readonly schedule: string;
  readonly timeZone: string;
  /** A run that has not started this long after its slot is skipped. */
  readonly startingDeadlineSeconds: number;
  /** A run is killed after this long. */
  readonly activeDeadlineSeconds: number;
  readonly backoffLimit: number;
  readonly successfulJobsHistoryLimit: number;
  readonly failedJobsHistoryLimit: number;
  /** Finished Jobs (and their pods' logs) are deleted after this long. */
  readonly ttlSecondsAfterFinished: number;
  readonly resources: ResourceSpec;
  /** How far back each run reads Prometheus, as the trainer's `--range` (`7d`). */
  readonly trainingRange: string;
  /** Resolution of the history read, seconds (`--step`); also the model's sample spacing. */
  readonly stepSeconds: number;
}

export interface StorageConfig {
  readonly storageClassName: string;
  /** Size in GiB. */
  readonly sizeGiB: number;
}

export interface RedisConfig {
  readonly storage: StorageConfig;
  readonly resources: ResourceSpec;
  /** The Secret holding the password; created outside Git (see the README), never rendered. */
  readonly passwordSecret: { readonly name: string; readonly key: string };
  /** `maxmemory` in MiB; must stay below the memory limit, which also holds Redis' overhead. */
  readonly maxMemoryMiB: number;
}

/** Where Prometheus and Grafana run and how they find what this project ships. */
export interface MonitoringConfig {
  readonly prometheus: {
    readonly namespace: string;
    /** Labels of the Prometheus server pods, for network policies. */
    readonly podLabels: Readonly<Record<string, string>>;
    readonly port: number;
    /** Service name; the URL the extender and trainer query is derived from it. */
    readonly serviceName: string;
  };
  /** Labels the Prometheus' `ruleSelector` and `serviceMonitorSelector` match. */
  readonly selectorLabels: Readonly<Record<string, string>>;
  readonly grafana: {
    /** Namespace the Grafana dashboard sidecar watches. */
    readonly namespace: string;
    /** Folder the sidecar files the dashboards under (its `folderAnnotation`). */
    readonly folder: string;
  };
}

export interface ArgoCdConfig {
  /** Prune and self-heal automatically (dev, staging); prod syncs by hand. */
  readonly automatedSync: boolean;
}

/** Everything that differs between environments. */
export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  /** The namespace every workload of this project runs in. */
  readonly namespace: string;
  readonly cluster: ClusterConfig;
  readonly release: Release;
  readonly scheduler: SchedulerConfig;
  readonly extender: ExtenderConfig;
  readonly models: readonly ModelConfig[];
  readonly modelStore: StorageConfig;
  readonly redis: RedisConfig;
  readonly monitoring: MonitoringConfig;
  readonly argocd: ArgoCdConfig;
}
