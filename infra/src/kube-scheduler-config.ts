/**
 * `kubescheduler.config.k8s.io/v1` as kube-scheduler 1.34 reads it: the types follow
 * `k8s.io/kube-scheduler/config/v1/types.go` and `k8s.io/component-base/config/v1alpha1`
 * (LeaderElectionConfiguration, ClientConnectionConfiguration, DebuggingConfiguration).
 * kube-scheduler decodes this file strictly: an unknown field stops it at start-up, which is why
 * `validate/kube-scheduler-config.ts` checks every rendered key against these documented fields.
 */

export const KUBE_SCHEDULER_CONFIG_API_VERSION = 'kubescheduler.config.k8s.io/v1';

export interface LeaderElectionConfiguration {
  readonly leaderElect: boolean;
  /** Go durations (`15s`). */
  readonly leaseDuration: string;
  readonly renewDeadline: string;
  readonly retryPeriod: string;
  readonly resourceLock: 'leases';
  readonly resourceName: string;
  readonly resourceNamespace: string;
}

export interface ClientConnectionConfiguration {
  readonly kubeconfig?: string;
  readonly acceptContentTypes?: string;
  readonly contentType?: string;
  readonly qps?: number;
  readonly burst?: number;
}

export interface PluginRef {
  readonly name: string;
  readonly weight?: number;
}

export interface PluginSet {
  readonly enabled?: readonly PluginRef[];
  readonly disabled?: readonly PluginRef[];
}

export interface KubeSchedulerProfile {
  readonly schedulerName: string;
  readonly percentageOfNodesToScore?: number;
  readonly plugins?: Readonly<Record<string, PluginSet>>;
  readonly pluginConfig?: readonly { readonly name: string; readonly args?: unknown }[];
}

export interface Extender {
  readonly urlPrefix: string;
  readonly filterVerb?: string;
  readonly preemptVerb?: string;
  readonly prioritizeVerb?: string;
  readonly weight?: number;
  readonly bindVerb?: string;
  readonly enableHTTPS?: boolean;
  readonly httpTimeout?: string;
  readonly nodeCacheCapable?: boolean;
  readonly managedResources?: readonly {
    readonly name: string;
    readonly ignoredByScheduler?: boolean;
  }[];
  readonly ignorable?: boolean;
}

export interface KubeSchedulerConfiguration {
  readonly apiVersion: typeof KUBE_SCHEDULER_CONFIG_API_VERSION;
  readonly kind: 'KubeSchedulerConfiguration';
  readonly parallelism?: number;
  readonly leaderElection: LeaderElectionConfiguration;
  readonly clientConnection?: ClientConnectionConfiguration;
  readonly percentageOfNodesToScore?: number;
  readonly podInitialBackoffSeconds?: number;
  readonly podMaxBackoffSeconds?: number;
  readonly profiles: readonly KubeSchedulerProfile[];
  readonly extenders?: readonly Extender[];
  readonly delayCacheUntilActive?: boolean;
}

export interface MlSchedulerConfigProps {
  readonly schedulerName: string;
  /** Namespace of the leader-election Lease. */
  readonly namespace: string;
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineSeconds: number;
  readonly retryPeriodSeconds: number;
  /** The extender listens on this port of the pod's loopback interface. */
  readonly extenderPort: number;
  readonly extenderWeight: number;
  readonly extenderHttpTimeoutMs: number;
}

/** Paths the extender serves; kube-scheduler appends them to `urlPrefix` after a `/`. */
export const EXTENDER_VERBS = { filter: 'filter', prioritize: 'prioritize' } as const;

/**
 * The ML scheduler's configuration: one profile under its own name, default plugins untouched,
 * and the extender on localhost.
 *
 * - `nodeCacheCapable: true`: kube-scheduler sends node names, not full Node objects (field
 *   case X11: 1,000 full nodes are megabytes per call), and never reads node objects back from
 *   the extender, so the in-tree plugins keep scoring the scheduler's own, complete NodeInfo
 *   (case X12: the request-based plugins still see the node that is 90 % requested).
 * - `ignorable: true`: an extender that is down or slow degrades placement to the in-tree
 *   plugins instead of failing every pod.
 * - no `managedResources`: every pod goes through the extender, not only pods asking for an
 *   extended resource.
 * - the default plugins stay enabled (no `plugins` block) for the same X12 reason.
 */
export function mlSchedulerConfiguration(
  props: MlSchedulerConfigProps,
): KubeSchedulerConfiguration {
  return {
    apiVersion: KUBE_SCHEDULER_CONFIG_API_VERSION,
    kind: 'KubeSchedulerConfiguration',
    leaderElection: {
      leaderElect: true,
      leaseDuration: `${props.leaseDurationSeconds}s`,
      renewDeadline: `${props.renewDeadlineSeconds}s`,
      retryPeriod: `${props.retryPeriodSeconds}s`,
      resourceLock: 'leases',
      resourceName: props.schedulerName,
      resourceNamespace: props.namespace,
    },
    profiles: [{ schedulerName: props.schedulerName }],
    extenders: [
      {
        // 127.0.0.1, not localhost: no resolver lookup on the scheduling path.
        urlPrefix: `http://127.0.0.1:${props.extenderPort}`,
        filterVerb: EXTENDER_VERBS.filter,
        prioritizeVerb: EXTENDER_VERBS.prioritize,
        // X07: see RECOMMENDED_EXTENDER_WEIGHT in @mlsched/core for why this value.
        weight: props.extenderWeight,
        enableHTTPS: false,
        httpTimeout: goDuration(props.extenderHttpTimeoutMs),
        nodeCacheCapable: true,
        ignorable: true,
      },
    ],
  };
}

/** Milliseconds as a Go duration string: `1s`, `750ms`. */
export function goDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
