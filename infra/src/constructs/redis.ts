import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';

import type { RedisConfig } from '../envs/types.js';
import { componentLabels, selectorLabels } from './labels.js';
import { podsIn, tcp } from './network.js';
import { spreadOverWorkers, workerAffinity } from './placement.js';
import { restrictedContainerSecurity, restrictedPodSecurity } from './pod-security.js';
import { containerResources } from './resources.js';
import { setSyncWave, SyncWave } from './sync-wave.js';

/**
 * Official images by digest. redis 7.4.6 carries the fix for CVE-2025-49844; the exporter is
 * the one the alerts expect (`redis_up`).
 */
export const REDIS_IMAGE =
  'docker.io/library/redis:7.4.6-alpine' +
  '@sha256:3b73847e72874be07e6657b129a94761662b79bc0f679273757d4218573b2a98';
export const REDIS_EXPORTER_IMAGE =
  'docker.io/oliver006/redis_exporter:v1.73.0' +
  '@sha256:1a8f5e48b2af0fb02d182be3ddd623e7e39881b6464bdb5bf843b1f6d45ed050';

export const REDIS_NAME = 'mlsched-redis';
export const REDIS_PORT = 6379;
const EXPORTER_PORT = 9121;
/** uid and gid of the `redis` user in the official Alpine image. */
const REDIS_UID = 999;
const REDIS_GID = 1000;

/** `redis://` URL of the Service in `namespace`, without credentials. */
export function redisUrl(namespace: string): string {
  return `redis://${REDIS_NAME}.${namespace}.svc:${REDIS_PORT}`;
}

export interface RedisProps {
  readonly namespace: string;
  readonly config: RedisConfig;
  /** Pods allowed to connect (the scheduler pods, whose extender keeps its state here). */
  readonly clientPodLabels: Readonly<Record<string, string>>;
  readonly prometheus: {
    readonly namespace: string;
    readonly podLabels: Readonly<Record<string, string>>;
  };
}

/**
 * Redis for the extender's shared state, one replica with a persistent volume and a password
 * from a Secret that is created outside Git and referenced here by name only.
 */
export class Redis extends Construct {
  readonly podLabels: Readonly<Record<string, string>>;
  /** Labels of the client Service, which also carries the exporter's `metrics` port. */
  readonly serviceLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    setSyncWave(this, SyncWave.DATA);
    const { namespace, config } = props;
    const selector = selectorLabels(REDIS_NAME);
    const labels = componentLabels(REDIS_NAME, 'state-store');
    this.podLabels = selector;
    this.serviceLabels = labels;
    const password: k8s.EnvVarSource = {
      secretKeyRef: { name: config.passwordSecret.name, key: config.passwordSecret.key },
    };

    const configMap = new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: `${REDIS_NAME}-config`, namespace, labels },
      data: { 'redis.conf': redisConf(config.maxMemoryMiB) },
    });

    const headless = new k8s.KubeService(this, 'headless', {
      metadata: {
        name: `${REDIS_NAME}-headless`,
        namespace,
        labels: componentLabels(REDIS_NAME, 'state-store-peers'),
      },
      spec: {
        clusterIp: 'None',
        selector,
        ports: [
          { name: 'redis', port: REDIS_PORT, targetPort: k8s.IntOrString.fromString('redis') },
        ],
      },
    });
    new k8s.KubeService(this, 'service', {
      metadata: { name: REDIS_NAME, namespace, labels },
      spec: {
        selector,
        ports: [
          { name: 'redis', port: REDIS_PORT, targetPort: k8s.IntOrString.fromString('redis') },
          {
            name: 'metrics',
            port: EXPORTER_PORT,
            targetPort: k8s.IntOrString.fromString('metrics'),
          },
        ],
      },
    });

    new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name: REDIS_NAME, namespace, labels },
      spec: {
        serviceName: headless.name,
        replicas: 1,
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        // Deleting the StatefulSet or scaling it down must not delete the data with it.
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels },
          spec: {
            // Redis never calls the API server.
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurity({
              uid: REDIS_UID,
              gid: REDIS_GID,
              fsGroup: REDIS_GID,
            }),
            affinity: workerAffinity(),
            topologySpreadConstraints: [spreadOverWorkers(selector)],
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'redis',
                image: REDIS_IMAGE,
                imagePullPolicy: 'IfNotPresent',
                // Kubernetes substitutes $(REDIS_PASSWORD) from the Secret at container start;
                // the value is visible only inside this pod's process table.
                command: [
                  'redis-server',
                  '/etc/redis/redis.conf',
                  '--requirepass',
                  '$(REDIS_PASSWORD)',
                ],
                env: [
                  { name: 'REDIS_PASSWORD', valueFrom: password },
                  // redis-cli reads it, so the readiness probe authenticates without an argument.
                  { name: 'REDISCLI_AUTH', valueFrom: password },
                ],
                ports: [{ name: 'redis', containerPort: REDIS_PORT }],
                livenessProbe: {
                  tcpSocket: { port: k8s.IntOrString.fromString('redis') },
                  initialDelaySeconds: 10,
                  periodSeconds: 10,
                  timeoutSeconds: 2,
                  failureThreshold: 3,
                },
                readinessProbe: {
                  exec: { command: ['sh', '-c', 'test "$(redis-cli ping)" = PONG'] },
                  periodSeconds: 10,
                  timeoutSeconds: 2,
                  failureThreshold: 3,
                },
                resources: containerResources(config.resources),
                securityContext: restrictedContainerSecurity(),
                volumeMounts: [
                  { name: 'data', mountPath: '/data' },
                  { name: 'config', mountPath: '/etc/redis', readOnly: true },
                ],
              },
              {
                name: 'exporter',
                image: REDIS_EXPORTER_IMAGE,
                imagePullPolicy: 'IfNotPresent',
                env: [
                  { name: 'REDIS_ADDR', value: `redis://127.0.0.1:${REDIS_PORT}` },
                  { name: 'REDIS_PASSWORD', valueFrom: password },
                ],
                ports: [{ name: 'metrics', containerPort: EXPORTER_PORT }],
                livenessProbe: {
                  tcpSocket: { port: k8s.IntOrString.fromString('metrics') },
                  periodSeconds: 20,
                  timeoutSeconds: 2,
                },
                readinessProbe: {
                  tcpSocket: { port: k8s.IntOrString.fromString('metrics') },
                  periodSeconds: 10,
                  timeoutSeconds: 2,
                },
                resources: {
                  requests: {
                    cpu: k8s.Quantity.fromString('10m'),
                    memory: k8s.Quantity.fromString('32Mi'),
                  },
                  limits: {
                    cpu: k8s.Quantity.fromString('100m'),
                    memory: k8s.Quantity.fromString('64Mi'),
                  },
                },
                securityContext: restrictedContainerSecurity(),
              },
            ],
            volumes: [{ name: 'config', configMap: { name: configMap.name } }],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: config.storage.storageClassName,
              resources: {
                requests: { storage: k8s.Quantity.fromString(`${config.storage.sizeGiB}Gi`) },
              },
            },
          },
        ],
      },
    });

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: REDIS_NAME, namespace, labels },
      spec: {
        // A single replica cannot stay available through a drain; this budget says so openly
        // (one may go) instead of blocking node maintenance forever. The extender treats Redis
        // as optional on its request path, so a restart costs warm state, not scheduling.
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: selector },
      },
    });

    new k8s.KubeNetworkPolicy(this, 'network-policy', {
      metadata: { name: REDIS_NAME, namespace, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { ...props.clientPodLabels } } }],
            ports: [tcp(REDIS_PORT)],
          },
          {
            from: [podsIn(props.prometheus.namespace, props.prometheus.podLabels)],
            ports: [tcp(EXPORTER_PORT)],
          },
        ],
        // No egress: Redis only answers.
        egress: [],
      },
    });
  }
}

/** The server configuration; the password is not in it (it comes from the Secret). */
function redisConf(maxMemoryMiB: number): string {
  return [
    'port 6379',
    'dir /data',
    // Append-only file: losing the in-flight estimates of the last second at most.
    'appendonly yes',
    'appendfsync everysec',
    'save 3600 1 300 100 60 10000',
    `maxmemory ${maxMemoryMiB}mb`,
    // The extender's state is rebuilt from watches; evicting old keys beats refusing writes.
    'maxmemory-policy allkeys-lru',
    '',
  ].join('\n');
}
