import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';

import { ArgoCdApps, type GroupKind } from '../constructs/argo-cd-apps.js';
import { PART_OF } from '../constructs/labels.js';
import { applySyncWaves } from '../constructs/sync-wave.js';
import { GITOPS } from '../envs/gitops.js';
import type { EnvironmentChart } from './environment-chart.js';

/** The chart id, and so the `dist/` directory, of the Argo CD objects. */
export const ARGOCD_CHART_ID = 'argocd';

/**
 * The Argo CD objects for every environment, synthesized to `dist/argocd/` and applied once by
 * hand to bootstrap (`kubectl apply -f dist/argocd/`); from then on the root Application keeps
 * them in sync with Git.
 */
export class ArgoCdChart extends Chart {
  constructor(scope: Construct, environments: readonly EnvironmentChart[]) {
    super(scope, ARGOCD_CHART_ID, { labels: { ...PART_OF } });

    const objects = environments.flatMap((chart) =>
      chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c)),
    );
    const kinds = (clusterScoped: boolean): GroupKind[] => {
      const seen = new Map<string, GroupKind>();
      for (const o of objects) {
        if ((o.metadata.namespace === undefined) !== clusterScoped) continue;
        const group = o.apiVersion.includes('/') ? (o.apiVersion.split('/')[0] as string) : '';
        seen.set(`${group}/${o.kind}`, { group, kind: o.kind });
      }
      return [...seen.values()].sort((a, b) =>
        `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`),
      );
    };

    new ArgoCdApps(this, 'apps', {
      namespace: GITOPS.argoCdNamespace,
      repoURL: GITOPS.repoURL,
      targetRevision: GITOPS.targetRevision,
      rootPath: `${GITOPS.distDir}/${ARGOCD_CHART_ID}`,
      environments: environments.map((chart) => {
        const env = chart.env;
        const namespaces = new Set(
          objects
            .filter((o) => o.chart === chart && o.metadata.namespace !== undefined)
            .map((o) => o.metadata.namespace as string),
        );
        namespaces.delete(env.namespace);
        return {
          name: env.name,
          cluster: env.cluster.argoCdName,
          // The environment's own namespace first: it is the Application's default.
          namespaces: [env.namespace, ...[...namespaces].sort()],
          path: `${GITOPS.distDir}/${env.name}`,
          automatedSync: env.argocd.automatedSync,
        };
      }),
      clusterKinds: kinds(true),
      namespacedKinds: kinds(false),
    });
    applySyncWaves(this);
  }
}
