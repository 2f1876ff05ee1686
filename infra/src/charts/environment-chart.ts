import type { ObservabilityTargets, PrometheusRuleGroup } from '@mlsched/alerts';
import type { DashboardJson } from '@mlsched/dashboards';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';

import { GrafanaDashboards } from '../constructs/grafana-dashboards.js';
import { PART_OF, selectorLabels } from '../constructs/labels.js';
import { MlScheduler } from '../constructs/ml-scheduler.js';
import { ModelStore, modelArtifactPath } from '../constructs/model-store.js';
import { Monitoring } from '../constructs/monitoring.js';
import { ProjectNamespace } from '../constructs/project-namespace.js';
import { Redis, REDIS_NAME, REDIS_PORT, redisUrl } from '../constructs/redis.js';
import { applySyncWaves } from '../constructs/sync-wave.js';
import { Trainer, TRAINER_NAME } from '../constructs/trainer.js';
import { NODE_CPU_QUERY, NODE_MEMORY_QUERY } from '../envs/queries.js';
import type { EnvironmentConfig } from '../envs/types.js';

export interface EnvironmentChartProps {
  readonly env: EnvironmentConfig;
  /** Rule groups from `@mlsched/alerts`, given the targets this chart names. */
  readonly ruleGroups: (targets: ObservabilityTargets) => readonly PrometheusRuleGroup[];
  /** Dashboards from `@mlsched/dashboards`, given the same targets. */
  readonly dashboards: (targets: ObservabilityTargets) => readonly DashboardJson[];
}

/** Everything one environment's cluster runs, synthesized to `dist/<env>/`. */
export class EnvironmentChart extends Chart {
  readonly env: EnvironmentConfig;

  constructor(scope: Construct, props: EnvironmentChartProps) {
    const { env } = props;
    super(scope, env.name, { labels: { ...PART_OF, 'mlsched.io/environment': env.name } });
    this.env = env;
    const { namespace, monitoring } = env;
    const prometheus = {
      url: `http://${monitoring.prometheus.serviceName}.${monitoring.prometheus.namespace}.svc:${monitoring.prometheus.port}`,
      namespace: monitoring.prometheus.namespace,
      podLabels: monitoring.prometheus.podLabels,
      port: monitoring.prometheus.port,
    };

    new ProjectNamespace(this, 'namespace', { name: namespace });
    const store = new ModelStore(this, 'model-store', { namespace, storage: env.modelStore });

    // The extender serves the first model; further models are trained alongside for now.
    const servedModel = env.models[0];
    const servedVersion = servedModel ? env.release.models[servedModel.name] : undefined;
    const scheduler = new MlScheduler(this, 'scheduler', {
      namespace,
      scheduler: env.scheduler,
      extender: env.extender,
      extenderImage: env.release.images.scheduler,
      apiServerIPs: env.cluster.nodes
        .filter((n) => n.role === 'control-plane')
        .map((n) => n.internalIP),
      apiServerPort: env.cluster.apiServerPort,
      prometheus,
      redis: {
        url: redisUrl(namespace),
        port: REDIS_PORT,
        podLabels: selectorLabels(REDIS_NAME),
        passwordSecret: env.redis.passwordSecret,
      },
      modelClaimName: store.claimName,
      modelPath:
        servedModel && servedVersion
          ? modelArtifactPath(servedModel.name, servedVersion)
          : undefined,
      trainedModels: env.models.map((m) => m.name),
      cpuQuery: NODE_CPU_QUERY,
      memoryQuery: NODE_MEMORY_QUERY,
    });

    const redis = new Redis(this, 'redis', {
      namespace,
      config: env.redis,
      clientPodLabels: scheduler.podLabels,
      prometheus,
    });

    new Trainer(this, 'trainer', {
      namespace,
      image: env.release.images.trainer,
      models: env.models,
      servedVersions: env.release.models,
      modelClaimName: store.claimName,
      prometheus,
      cpuQuery: NODE_CPU_QUERY,
      memoryQuery: NODE_MEMORY_QUERY,
    });

    const targets: ObservabilityTargets = {
      extenderJob: scheduler.extenderServiceName,
      redisJob: REDIS_NAME,
      schedulerName: env.scheduler.schedulerName,
      namespace,
      trainerCronJob: TRAINER_NAME,
    };
    new Monitoring(this, 'monitoring', {
      namespace,
      selectorLabels: monitoring.selectorLabels,
      ruleGroups: props.ruleGroups(targets),
      targets: [
        {
          serviceName: scheduler.extenderServiceName,
          selector: scheduler.extenderServiceLabels,
          port: 'http',
        },
        {
          serviceName: scheduler.schedulerServiceName,
          selector: scheduler.schedulerServiceLabels,
          port: 'https-metrics',
          secure: true,
        },
        { serviceName: REDIS_NAME, selector: redis.serviceLabels, port: 'metrics' },
      ],
    });

    new GrafanaDashboards(this, 'dashboards', {
      namespace: monitoring.grafana.namespace,
      folder: monitoring.grafana.folder,
      dashboards: props.dashboards(targets),
    });

    applySyncWaves(this);
  }
}
