import type { DashboardJson } from '@mlsched/dashboards';
import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';

import { componentLabels } from './labels.js';
import { setSyncWave, SyncWave } from './sync-wave.js';

/** The label the Grafana Helm chart's dashboard sidecar watches by default. */
export const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';
/** The annotation the sidecar reads the target folder from (`sidecar.dashboards.folderAnnotation`). */
export const GRAFANA_FOLDER_ANNOTATION = 'grafana_folder';

export interface GrafanaDashboardsProps {
  /** The namespace the sidecar watches (Grafana's own, unless `searchNamespace` says more). */
  readonly namespace: string;
  readonly folder: string;
  readonly dashboards: readonly DashboardJson[];
}

/**
 * One ConfigMap per dashboard, labelled for the Grafana dashboard sidecar (kiwigrid k8s-sidecar,
 * as the Grafana and kube-prometheus-stack Helm charts run it), which copies each into Grafana's
 * provisioning directory. The JSON is the one `dashboards/` exports, unchanged.
 */
export class GrafanaDashboards extends Construct {
  constructor(scope: Construct, id: string, props: GrafanaDashboardsProps) {
    super(scope, id);
    setSyncWave(this, SyncWave.OBSERVABILITY);

    const seen = new Set<string>();
    for (const dashboard of props.dashboards) {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(dashboard.uid) || dashboard.uid.length > 40) {
        throw new Error(
          `dashboard ${JSON.stringify(dashboard.title)}: uid ${JSON.stringify(dashboard.uid)} ` +
            'must be a DNS-1123 label of at most 40 characters (it names the ConfigMap)',
        );
      }
      if (seen.has(dashboard.uid)) throw new Error(`dashboard uid ${dashboard.uid}: duplicated`);
      seen.add(dashboard.uid);

      new k8s.KubeConfigMap(this, dashboard.uid, {
        metadata: {
          name: `mlsched-dashboard-${dashboard.uid}`,
          namespace: props.namespace,
          labels: {
            ...componentLabels('mlsched-dashboards', 'dashboard'),
            [GRAFANA_DASHBOARD_LABEL]: '1',
          },
          annotations: { [GRAFANA_FOLDER_ANNOTATION]: props.folder },
        },
        data: { [`${dashboard.uid}.json`]: `${JSON.stringify(dashboard.json, null, 2)}\n` },
      });
    }
  }
}
