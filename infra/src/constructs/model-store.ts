import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';

import type { StorageConfig } from '../envs/types.js';
import { componentLabels } from './labels.js';
import { setSyncWave, SyncWave } from './sync-wave.js';

/** Where the model store is mounted in every pod that uses it. */
export const MODELS_MOUNT = '/models';

/**
 * The store's layout, per model: `versions/<version>.json` (every artifact the trainer
 * published: it beat the version being served; immutable, named by the version inside it),
 * `rejected/` (artifacts that did not, kept for inspection, never pinned) and `reports/` (the
 * trainer's evaluation JSON and run records). The extender serves the version the
 * environment's release pins.
 */
export function modelLayout(model: string): {
  versionsDir: string;
  rejectedDir: string;
  reportsDir: string;
} {
  return {
    versionsDir: `${MODELS_MOUNT}/${model}/versions`,
    rejectedDir: `${MODELS_MOUNT}/${model}/rejected`,
    reportsDir: `${MODELS_MOUNT}/${model}/reports`,
  };
}

/** The artifact file of `version` of `model`, as the extender's MODEL_PATH. */
export function modelArtifactPath(model: string, version: string): string {
  return `${modelLayout(model).versionsDir}/${version}.json`;
}

export interface ModelStoreProps {
  readonly namespace: string;
  readonly storage: StorageConfig;
}

/**
 * Where the trainer publishes model artifacts and the extender reads them. ReadWriteMany,
 * because the trainer's Job and every scheduler replica mount it at once, on different
 * workers; the storage class must offer that mode (see infra/README.md).
 */
export class ModelStore extends Construct {
  readonly claimName = 'mlsched-models';

  constructor(scope: Construct, id: string, props: ModelStoreProps) {
    super(scope, id);
    setSyncWave(this, SyncWave.DATA);

    new k8s.KubePersistentVolumeClaim(this, 'claim', {
      metadata: {
        name: this.claimName,
        namespace: props.namespace,
        labels: componentLabels('mlsched-models', 'model-store'),
        // Argo CD must never prune the published models with a refactoring of this code.
        annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' },
      },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: props.storage.storageClassName,
        resources: {
          requests: { storage: k8s.Quantity.fromString(`${props.storage.sizeGiB}Gi`) },
        },
      },
    });
  }
}
