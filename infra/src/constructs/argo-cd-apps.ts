import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

import { PART_OF } from './labels.js';
import { setSyncWave, SyncWave } from './sync-wave.js';

/** A group/kind pair for an AppProject's resource allow-lists. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

export interface ArgoCdEnvironment {
  readonly name: string;
  /** Registered cluster name in Argo CD. */
  readonly cluster: string;
  /** Namespaces the environment's manifests write to. */
  readonly namespaces: readonly string[];
  /** Path of the environment's rendered manifests in the repository. */
  readonly path: string;
  readonly automatedSync: boolean;
}

export interface ArgoCdAppsProps {
  readonly namespace: string;
  readonly repoURL: string;
  readonly targetRevision: string;
  /** Path of this app-of-apps' own rendered manifests (the root Application syncs them). */
  readonly rootPath: string;
  readonly environments: readonly ArgoCdEnvironment[];
  /** Exactly the kinds the environments render, split by scope. */
  readonly clusterKinds: readonly GroupKind[];
  readonly namespacedKinds: readonly GroupKind[];
}

const IN_CLUSTER = 'https://kubernetes.default.svc';
const PROJECT = 'mlsched';
const BOOTSTRAP_PROJECT = 'mlsched-bootstrap';

/**
 * App of apps: a root Application syncs this directory (two AppProjects and one Application
 * per environment); each environment's Application syncs `dist/<env>` to its cluster.
 * dev and staging prune and self-heal on their own; prod waits for someone to press sync.
 */
export class ArgoCdApps extends Construct {
  constructor(scope: Construct, id: string, props: ArgoCdAppsProps) {
    super(scope, id);
    // The root Application applies the projects (foundation) before the Applications.
    setSyncWave(this, SyncWave.WORKLOADS);
    const labels = { ...PART_OF };
    const metadata = (name: string) => ({ name, namespace: props.namespace, labels });

    const project: IAppProject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: metadata(PROJECT),
      spec: {
        description: 'ML scheduler: second kube-scheduler, extender, trainer, Redis, rules',
        sourceRepos: [props.repoURL],
        destinations: props.environments.flatMap((env) =>
          env.namespaces.map((namespace) => ({ name: env.cluster, namespace })),
        ),
        // The project may only create what the manifests contain: no wildcard kinds.
        clusterResourceWhitelist: props.clusterKinds.map((k) => ({ ...k })),
        namespaceResourceWhitelist: props.namespacedKinds.map((k) => ({ ...k })),
        orphanedResources: { warn: true },
      },
    };
    new ApiObject(this, 'project', project);

    const bootstrap: IAppProject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: metadata(BOOTSTRAP_PROJECT),
      spec: {
        description: 'The root Application: manages the mlsched Applications and projects only',
        sourceRepos: [props.repoURL],
        destinations: [{ server: IN_CLUSTER, namespace: props.namespace }],
        namespaceResourceWhitelist: [
          { group: 'argoproj.io', kind: 'Application' },
          { group: 'argoproj.io', kind: 'AppProject' },
        ],
      },
    };
    new ApiObject(this, 'bootstrap-project', bootstrap);

    const root: IApplication = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: metadata('mlsched-root'),
      spec: {
        project: BOOTSTRAP_PROJECT,
        source: {
          repoURL: props.repoURL,
          targetRevision: props.targetRevision,
          path: props.rootPath,
        },
        destination: { server: IN_CLUSTER, namespace: props.namespace },
        // Adding or changing an environment's Application is itself a reviewed Git change.
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    };
    new ApiObject(this, 'root', root);

    for (const env of props.environments) {
      const app: IApplication = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          ...metadata(`mlsched-${env.name}`),
          // Deleting a dev or staging Application removes what it deployed; a prod one does
          // not, so a mistaken delete in Git cannot take the prod scheduler down with it.
          ...(env.automatedSync ? { finalizers: ['resources-finalizer.argocd.argoproj.io'] } : {}),
        },
        spec: {
          project: PROJECT,
          source: {
            repoURL: props.repoURL,
            targetRevision: props.targetRevision,
            path: env.path,
            directory: { recurse: false },
          },
          destination: { name: env.cluster, namespace: env.namespaces[0] },
          revisionHistoryLimit: 10,
          syncPolicy: {
            ...(env.automatedSync ? { automated: { prune: true, selfHeal: true } } : {}),
            syncOptions: [
              // A dashboard ConfigMap can outgrow the 256 KiB last-applied annotation of
              // client-side apply; server-side apply keeps no such annotation.
              'ServerSideApply=true',
              // Deletions wait until everything else is healthy.
              'PruneLast=true',
            ],
            retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
          },
        },
      };
      new ApiObject(this, `app-${env.name}`, app);
    }
  }
}
