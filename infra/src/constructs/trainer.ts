import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';

import type { ModelConfig } from '../envs/types.js';
import { componentLabels, selectorLabels } from './labels.js';
import { modelArtifactPath, modelLayout, MODELS_MOUNT } from './model-store.js';
import { podsIn, tcp } from './network.js';
import { workerAffinity } from './placement.js';
import { APP_UID, restrictedContainerSecurity, restrictedPodSecurity } from './pod-security.js';
import { containerResources } from './resources.js';
import { setSyncWave, SyncWave } from './sync-wave.js';

/** CronJob names are this prefix plus the model name; alerts match the Jobs by it. */
export const TRAINER_NAME = 'mlsched-trainer';

export interface TrainerProps {
  readonly namespace: string;
  readonly image: string;
  readonly models: readonly ModelConfig[];
  /**
   * The version the environment's release pins, per model: the trainer publishes a new version
   * only when it beats this one (or, with none pinned, the last-value fallback the extender uses
   * without a model).
   */
  readonly servedVersions: Readonly<Record<string, string | null | undefined>>;
  readonly modelClaimName: string;
  readonly prometheus: {
    readonly url: string;
    readonly namespace: string;
    readonly podLabels: Readonly<Record<string, string>>;
    readonly port: number;
  };
  /** The same series the extender serves from, so training and serving read alike. */
  readonly cpuQuery: string;
  readonly memoryQuery: string;
}

/**
 * One CronJob per model, retraining it from Prometheus history and writing a new artifact
 * version to the model store. The trainer reads only Prometheus: its service account holds no
 * API token and no role.
 */
export class Trainer extends Construct {
  constructor(scope: Construct, id: string, props: TrainerProps) {
    super(scope, id);
    setSyncWave(this, SyncWave.WORKLOADS);
    const { namespace } = props;
    const selector = selectorLabels(TRAINER_NAME);
    const labels = componentLabels(TRAINER_NAME, 'trainer');

    const serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: TRAINER_NAME, namespace, labels },
      automountServiceAccountToken: false,
    });

    for (const model of props.models) {
      this.cronJob(props, model, labels, serviceAccount.name);
    }

    new k8s.KubeNetworkPolicy(this, 'network-policy', {
      metadata: { name: TRAINER_NAME, namespace, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
        // Nothing connects to a training run.
        ingress: [],
        egress: [
          {
            to: [podsIn(props.prometheus.namespace, props.prometheus.podLabels)],
            ports: [tcp(props.prometheus.port)],
          },
        ],
      },
    });
  }

  private cronJob(
    props: TrainerProps,
    model: ModelConfig,
    labels: Record<string, string>,
    serviceAccountName: string,
  ): void {
    const layout = modelLayout(model.name);
    const served = props.servedVersions[model.name] ?? undefined;
    const podLabels = { ...labels, 'mlsched.io/model': model.name };

    new k8s.KubeCronJob(this, `cronjob-${model.name}`, {
      metadata: {
        name: `${TRAINER_NAME}-${model.name}`,
        namespace: props.namespace,
        labels: podLabels,
      },
      spec: {
        schedule: model.schedule,
        timeZone: model.timeZone,
        // Two runs writing the same model directory would race; a late run is simply skipped.
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: model.startingDeadlineSeconds,
        successfulJobsHistoryLimit: model.successfulJobsHistoryLimit,
        failedJobsHistoryLimit: model.failedJobsHistoryLimit,
        jobTemplate: {
          metadata: { labels: podLabels },
          spec: {
            activeDeadlineSeconds: model.activeDeadlineSeconds,
            backoffLimit: model.backoffLimit,
            ttlSecondsAfterFinished: model.ttlSecondsAfterFinished,
            template: {
              metadata: { labels: podLabels },
              spec: {
                serviceAccountName,
                automountServiceAccountToken: false,
                restartPolicy: 'Never',
                securityContext: restrictedPodSecurity({
                  uid: APP_UID,
                  gid: APP_UID,
                  fsGroup: APP_UID,
                }),
                affinity: workerAffinity(),
                containers: [
                  {
                    name: 'trainer',
                    image: props.image,
                    imagePullPolicy: 'IfNotPresent',
                    command: ['node', 'apps/trainer/lib/cli.js'],
                    args: [
                      'train',
                      '--source',
                      'prometheus',
                      '--prometheus-url',
                      props.prometheus.url,
                      '--range',
                      model.trainingRange,
                      '--step',
                      String(model.stepSeconds),
                      '--cpu-query',
                      props.cpuQuery,
                      '--memory-query',
                      props.memoryQuery,
                      '--out',
                      MODELS_MOUNT,
                      '--models-dir',
                      layout.versionsDir,
                      '--rejected-dir',
                      layout.rejectedDir,
                      '--reports-dir',
                      layout.reportsDir,
                      ...(served ? ['--compare-with', modelArtifactPath(model.name, served)] : []),
                    ],
                    resources: containerResources(model.resources),
                    securityContext: restrictedContainerSecurity(),
                    volumeMounts: [
                      { name: 'models', mountPath: MODELS_MOUNT },
                      { name: 'tmp', mountPath: '/tmp' },
                    ],
                  },
                ],
                volumes: [
                  { name: 'models', persistentVolumeClaim: { claimName: props.modelClaimName } },
                  { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
                ],
              },
            },
          },
        },
      },
    });
  }
}
