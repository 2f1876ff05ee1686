import { createHash } from 'node:crypto';

import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { stringify } from 'yaml';

import type { ExtenderConfig, SchedulerConfig } from '../envs/types.js';
import { mlSchedulerConfiguration } from '../kube-scheduler-config.js';
import { KUBE_SCHEDULER_IMAGE } from '../kubernetes.js';
import { componentLabels, PART_OF, selectorLabels } from './labels.js';
import { podsIn, tcp } from './network.js';
import { spreadOverWorkers, workerAffinity } from './placement.js';
import { modelLayout, MODELS_MOUNT } from './model-store.js';
import { APP_UID, restrictedContainerSecurity, restrictedPodSecurity } from './pod-security.js';
import { containerResources } from './resources.js';
import { setSyncWave, SyncWave } from './sync-wave.js';

/** kube-scheduler's secure port: /healthz, /readyz and /metrics (the last one authorized). */
export const KUBE_SCHEDULER_SECURE_PORT = 10259;
const CONFIG_DIR = '/etc/kubernetes/mlsched-scheduler';
const CONFIG_FILE = 'config.yaml';

export interface MlSchedulerProps {
  readonly namespace: string;
  readonly scheduler: SchedulerConfig;
  readonly extender: ExtenderConfig;
  /** The extender image, by digest. */
  readonly extenderImage: string;
  /** InternalIPs of the control-plane nodes, where the API server listens. */
  readonly apiServerIPs: readonly string[];
  readonly apiServerPort: number;
  readonly prometheus: {
    readonly url: string;
    readonly namespace: string;
    readonly podLabels: Readonly<Record<string, string>>;
    readonly port: number;
  };
  readonly redis: {
    readonly url: string;
    readonly port: number;
    readonly podLabels: Readonly<Record<string, string>>;
    readonly passwordSecret: { readonly name: string; readonly key: string };
  };
  /** The claim the trainer publishes models to; mounted read-only. */
  readonly modelClaimName: string;
  /** The artifact the extender serves (MODEL_PATH); undefined serves without a model. */
  readonly modelPath: string | undefined;
  /**
   * Models the trainer retrains; the extender reads their run records from the model store
   * (TRAINER_REPORTS_DIRS) and exports them as the trainer's series.
   */
  readonly trainedModels: readonly string[];
  readonly cpuQuery: string;
  readonly memoryQuery: string;
}

/**
 * kube-scheduler as a second scheduler, with the extender as a sidecar on localhost.
 *
 * Only the leader schedules, and kube-scheduler calls extenders from its single scheduling
 * loop, so the extender's load is that of one scheduler whatever the replica count: it scales
 * up (resources), not out. Each replica's extender keeps its metrics cache warm, so a new leader
 * scores with data from its first cycle.
 */
export class MlScheduler extends Construct {
  /** Labels of the scheduler pods, for other components' network policies. */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly extenderServiceName = 'mlsched-extender';
  readonly schedulerServiceName = 'mlsched-scheduler';
  /** Labels of the two metrics Services, distinct so each ServiceMonitor selects one. */
  readonly extenderServiceLabels: Readonly<Record<string, string>>;
  readonly schedulerServiceLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: MlSchedulerProps) {
    super(scope, id);
    setSyncWave(this, SyncWave.WORKLOADS);
    const { namespace, scheduler, extender } = props;
    const name = 'mlsched-scheduler';
    const selector = selectorLabels(name);
    const labels = componentLabels(name, 'scheduler');
    this.podLabels = selector;
    this.extenderServiceLabels = componentLabels(name, 'extender');
    this.schedulerServiceLabels = labels;

    const config = mlSchedulerConfiguration({
      schedulerName: scheduler.schedulerName,
      namespace,
      leaseDurationSeconds: scheduler.leaderElection.leaseDurationSeconds,
      renewDeadlineSeconds: scheduler.leaderElection.renewDeadlineSeconds,
      retryPeriodSeconds: scheduler.leaderElection.retryPeriodSeconds,
      extenderPort: extender.port,
      extenderWeight: extender.weight,
      extenderHttpTimeoutMs: extender.httpTimeoutMs,
    });
    const configYaml = stringify(config);

    const serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name, namespace, labels },
      // Both containers talk to the API server: kube-scheduler binds, the extender watches.
      automountServiceAccountToken: true,
    });
    this.rbac(name, namespace, labels, scheduler.schedulerName, serviceAccount.name);

    const configMap = new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: `${name}-config`, namespace, labels },
      data: { [CONFIG_FILE]: configYaml },
    });

    this.deployment(props, name, labels, selector, configMap.name, configYaml);

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name, namespace, labels },
      spec: {
        // One replica at a time: a drain never takes every candidate leader down together.
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: selector },
        // A crash-looping replica must not block node drains.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });

    // Two Services only so that Prometheus names the two targets apart (`job` is the Service
    // name): the extender's own metrics and kube-scheduler's. Headless: nothing connects
    // through them.
    new k8s.KubeService(this, 'extender-service', {
      metadata: { name: this.extenderServiceName, namespace, labels: this.extenderServiceLabels },
      spec: {
        clusterIp: 'None',
        selector,
        ports: [
          { name: 'http', port: extender.port, targetPort: k8s.IntOrString.fromString('http') },
        ],
      },
    });
    new k8s.KubeService(this, 'scheduler-service', {
      metadata: { name: this.schedulerServiceName, namespace, labels },
      spec: {
        clusterIp: 'None',
        selector,
        ports: [
          {
            name: 'https-metrics',
            port: KUBE_SCHEDULER_SECURE_PORT,
            targetPort: k8s.IntOrString.fromString('https-metrics'),
          },
        ],
      },
    });

    this.networkPolicy(props, name, selector, labels);
  }

  private rbac(
    name: string,
    namespace: string,
    labels: Record<string, string>,
    leaseName: string,
    serviceAccountName: string,
  ): void {
    const subject = { kind: 'ServiceAccount', name: serviceAccountName, namespace };
    const read = ['get', 'list', 'watch'];

    // What kube-scheduler 1.34 reads and writes, after the built-in system:kube-scheduler and
    // system:volume-scheduler roles, minus what those grant cluster-wide that a second
    // scheduler does not need (leader election is namespaced below).
    const schedulerRole = new k8s.KubeClusterRole(this, 'kube-scheduler-role', {
      metadata: { name: `${name}-kube-scheduler`, labels },
      rules: [
        {
          apiGroups: ['', 'events.k8s.io'],
          resources: ['events'],
          verbs: ['create', 'patch', 'update'],
        },
        { apiGroups: [''], resources: ['nodes'], verbs: read },
        // delete: preemption evicts lower-priority pods.
        { apiGroups: [''], resources: ['pods'], verbs: [...read, 'delete'] },
        { apiGroups: [''], resources: ['bindings', 'pods/binding'], verbs: ['create'] },
        { apiGroups: [''], resources: ['pods/status'], verbs: ['patch', 'update'] },
        {
          apiGroups: [''],
          resources: ['namespaces', 'replicationcontrollers', 'services'],
          verbs: read,
        },
        // Volume binding: the scheduler binds claims to volumes it chose for the pod.
        {
          apiGroups: [''],
          resources: ['persistentvolumeclaims', 'persistentvolumes'],
          verbs: [...read, 'patch', 'update'],
        },
        { apiGroups: ['apps'], resources: ['replicasets', 'statefulsets'], verbs: read },
        { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: read },
        {
          apiGroups: ['storage.k8s.io'],
          resources: [
            'csidrivers',
            'csinodes',
            'csistoragecapacities',
            'storageclasses',
            'volumeattachments',
          ],
          verbs: read,
        },
        // Dynamic resource allocation is GA in 1.34 and its plugin is on by default: without
        // these reads kube-scheduler waits for its informers forever and never gets ready.
        {
          apiGroups: ['resource.k8s.io'],
          resources: ['deviceclasses', 'resourceslices'],
          verbs: read,
        },
        {
          apiGroups: ['resource.k8s.io'],
          resources: ['resourceclaims'],
          verbs: [...read, 'patch', 'update'],
        },
        {
          apiGroups: ['resource.k8s.io'],
          resources: ['resourceclaims/status'],
          verbs: ['patch', 'update'],
        },
        // Delegated authentication and authorization of /metrics on the secure port.
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
        {
          apiGroups: ['authorization.k8s.io'],
          resources: ['subjectaccessreviews'],
          verbs: ['create'],
        },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'kube-scheduler-binding', {
      metadata: { name: `${name}-kube-scheduler`, labels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: schedulerRole.name,
      },
      subjects: [subject],
    });

    // The extender's own needs, bound to the same account because it shares the pod. They are
    // a subset of kube-scheduler's; kept as a role of its own so the extender's reads stay
    // visible and move with it should it ever run in its own pod.
    const extenderRole = new k8s.KubeClusterRole(this, 'extender-role', {
      metadata: { name: `${name}-extender`, labels },
      rules: [{ apiGroups: [''], resources: ['nodes', 'pods'], verbs: read }],
    });
    new k8s.KubeClusterRoleBinding(this, 'extender-binding', {
      metadata: { name: `${name}-extender`, labels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: extenderRole.name,
      },
      subjects: [subject],
    });

    // Leader election in this namespace only; `create` cannot be limited to a name, which is
    // why it is a rule of its own.
    const leaseRole = new k8s.KubeRole(this, 'lease-role', {
      metadata: { name: `${name}-leader-election`, namespace, labels },
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: [leaseName],
          verbs: ['get', 'update'],
        },
      ],
    });
    new k8s.KubeRoleBinding(this, 'lease-binding', {
      metadata: { name: `${name}-leader-election`, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leaseRole.name },
      subjects: [subject],
    });

    // The client CA for authenticating scrapers lives in kube-system; the built-in role reads
    // only that one ConfigMap.
    new k8s.KubeRoleBinding(this, 'auth-reader-binding', {
      metadata: { name: `${name}-auth-reader`, namespace: 'kube-system', labels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'extension-apiserver-authentication-reader',
      },
      subjects: [subject],
    });
  }

  private deployment(
    props: MlSchedulerProps,
    name: string,
    labels: Record<string, string>,
    selector: Record<string, string>,
    configMapName: string,
    configYaml: string,
  ): void {
    const { namespace, scheduler, extender } = props;
    // At most the configured share of replicas is replaced at a time, and at least one.
    const maxSurge = Math.max(1, Math.floor(scheduler.rolloutFraction * scheduler.replicas));

    const env: k8s.EnvVar[] = [
      { name: 'PORT', value: String(extender.port) },
      { name: 'LOG_LEVEL', value: extender.logLevel },
      { name: 'PROMETHEUS_URL', value: props.prometheus.url },
      { name: 'PROMETHEUS_CPU_QUERY', value: props.cpuQuery },
      { name: 'PROMETHEUS_MEMORY_QUERY', value: props.memoryQuery },
      { name: 'METRICS_REFRESH_SECONDS', value: String(extender.metrics.refreshSeconds) },
      { name: 'METRICS_STALE_SECONDS', value: String(extender.metrics.staleSeconds) },
      { name: 'METRICS_HISTORY_SECONDS', value: String(extender.metrics.historySeconds) },
      ...(props.modelPath === undefined ? [] : [{ name: 'MODEL_PATH', value: props.modelPath }]),
      // The trainer's CronJob pods are gone before Prometheus could scrape them; each run leaves
      // a record beside its reports, on the store this container mounts read-only.
      ...(props.trainedModels.length === 0
        ? []
        : [
            {
              name: 'TRAINER_REPORTS_DIRS',
              value: props.trainedModels.map((m) => `${m}=${modelLayout(m).reportsDir}`).join(','),
            },
            {
              name: 'TRAINER_REPORTS_REFRESH_SECONDS',
              value: String(extender.trainerReportsRefreshSeconds),
            },
          ]),
      { name: 'TARGET_UTILIZATION', value: String(extender.targetUtilization) },
      { name: 'HOT_THRESHOLD', value: String(extender.hotThreshold) },
      { name: 'REMEDIATION_THRESHOLD', value: String(extender.remediationThreshold) },
      { name: 'KUBE_WATCH_PODS', value: String(extender.watchPods) },
      { name: 'REDIS_URL', value: props.redis.url },
      {
        name: 'REDIS_PASSWORD',
        valueFrom: {
          secretKeyRef: {
            name: props.redis.passwordSecret.name,
            key: props.redis.passwordSecret.key,
          },
        },
      },
    ];

    const httpProbe = (path: string, port: string, scheme: 'HTTP' | 'HTTPS'): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromString(port), scheme },
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    });

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, namespace, labels },
      spec: {
        replicas: scheduler.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromNumber(maxSurge),
            maxUnavailable: k8s.IntOrString.fromNumber(0),
          },
        },
        template: {
          metadata: {
            labels,
            // kube-scheduler reads its configuration once: a new one must roll the pods.
            annotations: { 'mlsched.io/config-sha256': sha256(configYaml) },
          },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: true,
            securityContext: restrictedPodSecurity({ uid: APP_UID, gid: APP_UID }),
            affinity: workerAffinity(),
            topologySpreadConstraints: [spreadOverWorkers(selector)],
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'kube-scheduler',
                image: KUBE_SCHEDULER_IMAGE,
                imagePullPolicy: 'IfNotPresent',
                command: ['kube-scheduler', `--config=${CONFIG_DIR}/${CONFIG_FILE}`],
                ports: [{ name: 'https-metrics', containerPort: KUBE_SCHEDULER_SECURE_PORT }],
                livenessProbe: {
                  ...httpProbe('/healthz', 'https-metrics', 'HTTPS'),
                  initialDelaySeconds: 15,
                },
                readinessProbe: httpProbe('/readyz', 'https-metrics', 'HTTPS'),
                resources: containerResources(scheduler.kubeSchedulerResources),
                securityContext: restrictedContainerSecurity(),
                volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
              },
              {
                name: 'extender',
                image: props.extenderImage,
                imagePullPolicy: 'IfNotPresent',
                command: ['node', 'apps/scheduler/lib/main.js'],
                env,
                ports: [{ name: 'http', containerPort: extender.port }],
                // Loading the model and the first metrics refresh may take a while; liveness
                // starts counting only once the process answers.
                startupProbe: {
                  ...httpProbe('/healthz', 'http', 'HTTP'),
                  periodSeconds: 2,
                  failureThreshold: 30,
                },
                livenessProbe: httpProbe('/healthz', 'http', 'HTTP'),
                readinessProbe: httpProbe('/readyz', 'http', 'HTTP'),
                resources: containerResources(scheduler.extenderResources),
                securityContext: restrictedContainerSecurity(),
                volumeMounts: [
                  { name: 'models', mountPath: MODELS_MOUNT, readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: configMapName } },
              {
                name: 'models',
                persistentVolumeClaim: { claimName: props.modelClaimName, readOnly: true },
              },
              { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
            ],
          },
        },
      },
    });
  }

  private networkPolicy(
    props: MlSchedulerProps,
    name: string,
    selector: Record<string, string>,
    labels: Record<string, string>,
  ): void {
    // kube-scheduler → extender is loopback inside the pod, which network policies do not see.
    new k8s.KubeNetworkPolicy(this, 'network-policy', {
      metadata: { name, namespace: props.namespace, labels: { ...labels, ...PART_OF } },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [podsIn(props.prometheus.namespace, props.prometheus.podLabels)],
            ports: [tcp(props.extender.port), tcp(KUBE_SCHEDULER_SECURE_PORT)],
          },
        ],
        egress: [
          {
            // The API server on the control-plane nodes; Service traffic to `kubernetes` is
            // translated to these endpoints before policies apply.
            to: props.apiServerIPs.map((ip) => ({ ipBlock: { cidr: `${ip}/32` } })),
            ports: [tcp(props.apiServerPort)],
          },
          {
            to: [podsIn(props.prometheus.namespace, props.prometheus.podLabels)],
            ports: [tcp(props.prometheus.port)],
          },
          {
            to: [{ podSelector: { matchLabels: { ...props.redis.podLabels } } }],
            ports: [tcp(props.redis.port)],
          },
        ],
      },
    });
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
