import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { PrometheusRuleGroup } from '@mlsched/alerts';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

import { componentLabels } from './labels.js';
import { setSyncWave, SyncWave } from './sync-wave.js';

/** One Service to scrape; the Service name becomes the target's `job` label. */
export interface ScrapeTarget {
  readonly serviceName: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly port: string;
  /** kube-scheduler's secure port: HTTPS with a token Prometheus presents. */
  readonly secure?: boolean;
}

export interface MonitoringProps {
  readonly namespace: string;
  /** Labels Prometheus' rule and ServiceMonitor selectors match. */
  readonly selectorLabels: Readonly<Record<string, string>>;
  readonly ruleGroups: readonly PrometheusRuleGroup[];
  readonly targets: readonly ScrapeTarget[];
}

/**
 * The alerting and recording rules of `alerts/` as a PrometheusRule, and a ServiceMonitor per
 * scrape target, for a prometheus-operator Prometheus that selects them by label.
 */
export class Monitoring extends Construct {
  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    setSyncWave(this, SyncWave.OBSERVABILITY);
    const labels = {
      ...componentLabels('mlsched-monitoring', 'monitoring'),
      ...props.selectorLabels,
    };

    const rule: IPrometheusRule = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'mlsched', namespace: props.namespace, labels },
      spec: {
        groups: props.ruleGroups.map((g) => ({
          name: g.name,
          ...(g.interval === undefined ? {} : { interval: g.interval }),
          rules: g.rules.map((r) => ({ ...r })),
        })),
      },
    };
    new ApiObject(this, 'rules', rule);

    for (const target of props.targets) {
      const monitor: IServiceMonitor = {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: target.serviceName, namespace: props.namespace, labels },
        spec: {
          selector: { matchLabels: { ...target.selector } },
          namespaceSelector: { matchNames: [props.namespace] },
          endpoints: [
            {
              port: target.port,
              path: '/metrics',
              interval: '30s',
              scrapeTimeout: '10s',
              ...(target.secure
                ? {
                    scheme: 'https' as const,
                    // kube-scheduler authorizes /metrics with a SubjectAccessReview of the
                    // Prometheus service account (its ClusterRole grants GET /metrics).
                    bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
                    // Its serving certificate is self-signed at start-up, so there is no CA
                    // to verify against; the token still authenticates the scraper.
                    tlsConfig: { insecureSkipVerify: true },
                  }
                : {}),
            },
          ],
        },
      };
      new ApiObject(this, `monitor-${target.serviceName}`, monitor);
    }
  }
}
