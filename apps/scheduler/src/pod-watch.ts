/**
 * Feeds the in-flight tracker and the node registry from the Kubernetes API: a watch on pods
 * (non-terminal ones) and on nodes (addresses and allocatable, to map Prometheus instances and
 * size pods). Enabled by KUBE_WATCH_PODS; needs list/watch on pods and nodes.
 *
 * The informer of @kubernetes/client-node 1.x does not restart after an error and reports its
 * own `stop()` as an abort error; both are handled here.
 */
import {
  CoreV1Api,
  KubeConfig,
  ListWatch,
  Watch,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import type { InflightTracker, PodEventKind } from './inflight.js';
import { nodeAllocatable, nodeInternalIPs, objectName, resourceVersion } from './kube-objects.js';
import { silentLog, type Log } from './log.js';
import type { NodeMetricsStore } from './node-metrics.js';

export interface KubeWatchProps {
  readonly inflight: InflightTracker;
  readonly store: NodeMetricsStore;
  /** @default loaded from the cluster (in a pod) or the default kubeconfig */
  readonly kubeConfig?: KubeConfig;
  readonly log?: Log;
  /** Delay before restarting a watch that failed. @default 5 */
  readonly retrySeconds?: number;
}

export interface KubeWatch {
  /** Settles after the first attempt to list pods and nodes (successful or not). */
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

// Pods that finished hold no resources; leaving them out of the watch also turns a pod's
// completion into a delete event.
const ACTIVE_PODS = 'status.phase!=Succeeded,status.phase!=Failed';

/** Starts watching pods and nodes in the background. */
export function startKubeWatch(props: KubeWatchProps): KubeWatch {
  const log = props.log ?? silentLog;
  const kc = props.kubeConfig ?? defaultKubeConfig();
  const api = kc.makeApiClient(CoreV1Api);
  const retryMs = (props.retrySeconds ?? 5) * 1000;
  let stopping = false;
  const timers = new Set<NodeJS.Timeout>();

  const pods = new ListWatch<V1Pod>(
    '/api/v1/pods',
    new Watch(kc),
    () => api.listPodForAllNamespaces({ fieldSelector: ACTIVE_PODS }),
    false,
    undefined,
    ACTIVE_PODS,
  );
  const nodes = new ListWatch<V1Node>('/api/v1/nodes', new Watch(kc), () => api.listNode(), false);

  const onPod = (kind: PodEventKind) => (pod: V1Pod) => props.inflight.handlePodEvent(kind, pod);
  pods.on('add', onPod('add'));
  pods.on('update', onPod('update'));
  pods.on('delete', onPod('delete'));

  const onNode = (node: V1Node): void => {
    const name = objectName(node);
    if (!name) return;
    const allocatable = nodeAllocatable(node);
    props.store.registerNode({
      name,
      internalIPs: nodeInternalIPs(node),
      cpuMillicores: allocatable.cpuMillicores,
      memoryBytes: allocatable.memoryBytes,
      resourceVersion: resourceVersion(node),
    });
  };
  nodes.on('add', onNode);
  nodes.on('update', onNode);
  nodes.on('delete', (node) => {
    const name = objectName(node);
    if (name) props.store.forgetNode(name);
  });

  // An informer reports a failed list or watch through 'error' and then stays stopped; it is
  // restarted after a delay. The tracker counts as synced once both initial lists arrived.
  const listed = new Set<string>();
  const run = (what: string, informer: ListWatch<V1Pod> | ListWatch<V1Node>): Promise<void> => {
    const attempt = { failed: false };
    attempts.set(what, attempt);
    return informer.start().then(
      () => {
        if (attempt.failed || stopping) return;
        listed.add(what);
        if (listed.size === 2 && !props.inflight.synced) {
          props.inflight.markSynced();
          log.info(
            { pods: props.inflight.size, nodes: props.store.size },
            'kubernetes watch synced',
          );
        }
      },
      (err: unknown) => onError(what, informer)(err),
    );
  };
  const attempts = new Map<string, { failed: boolean }>();
  const onError =
    (what: string, informer: ListWatch<V1Pod> | ListWatch<V1Node>) =>
    (err: unknown): void => {
      const attempt = attempts.get(what);
      if (attempt) attempt.failed = true;
      // stop() aborts the open watch request, which the informer reports as an error.
      if (stopping) return;
      log.warn(
        { watch: what, error: describe(err), retrySeconds: retryMs / 1000 },
        'watch failed; restarting',
      );
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopping) void run(what, informer);
      }, retryMs);
      timers.add(timer);
    };
  pods.on('error', onError('pods', pods));
  nodes.on('error', onError('nodes', nodes));

  const synced = Promise.all([run('pods', pods), run('nodes', nodes)]).then(() => undefined);

  return {
    synced,
    async stop() {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([pods.stop(), nodes.stop()]);
    },
  };
}

function defaultKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    return `HTTP ${(err as { statusCode: unknown }).statusCode}`;
  }
  return String(err);
}
