import { DEFAULT_TARGETS, ruleGroups } from '@mlsched/alerts';
import { dashboards } from '@mlsched/dashboards';

import { buildApp } from '../src/app';
import { environments } from '../src/envs/index';
import { renderApp } from '../src/render';
import { find, objectsOf, synthesized } from './support';

/* eslint-disable @typescript-eslint/no-explicit-any -- assertions read nested manifest fields */

const ENVS = ['dev', 'staging', 'prod'] as const;
const get = (chart: string, kind: string, name: string) => find(chart, kind, name) as any;
const pod = (chart: string) => get(chart, 'Deployment', 'mlsched-scheduler').spec.template.spec;
const extender = (chart: string) => pod(chart).containers.find((c: any) => c.name === 'extender');
const wave = (o: any) => o.metadata.annotations['argocd.argoproj.io/sync-wave'];

describe('snapshots of the rendered manifests', () => {
  // The rule groups and dashboards are other workspaces' output and have their own tests; the
  // snapshot covers what infra composes. Paired with the assertions below.
  const composed = (chart: string) =>
    synthesized()
      .files.filter(
        (f) =>
          f.path.startsWith(`${chart}/`) &&
          !f.path.includes('/prometheusrule-') &&
          !f.path.includes('/configmap-mlsched-dashboard-'),
      )
      .map((f) => `--- ${f.path}\n${f.content}`)
      .join('');

  test.each(['dev', 'prod', 'argocd'])('%s', (chart) => {
    expect(composed(chart)).toMatchSnapshot();
  });
});

describe.each(ENVS)('%s: the ML scheduler', (env) => {
  test('names that rules, dashboards and runbooks refer to are the alerts defaults', () => {
    expect(get(env, 'Service', DEFAULT_TARGETS.extenderJob).kind).toBe('Service');
    expect(get(env, 'Service', DEFAULT_TARGETS.redisJob).kind).toBe('Service');
    expect(get(env, 'Namespace', DEFAULT_TARGETS.namespace).kind).toBe('Namespace');
    expect(
      objectsOf(env)
        .filter((o) => o.kind === 'CronJob')
        .map((o) => o.metadata.name),
    ).toEqual([`${DEFAULT_TARGETS.trainerCronJob}-node-load`]);
    expect(get(env, 'ConfigMap', 'mlsched-scheduler-config').data['config.yaml']).toContain(
      `schedulerName: ${DEFAULT_TARGETS.schedulerName}\n`,
    );
  });

  test('runs kube-scheduler and the extender side by side, restricted', () => {
    const spec = pod(env);

    expect(spec.containers.map((c: any) => c.name)).toEqual(['kube-scheduler', 'extender']);
    expect(spec.containers[0].command).toEqual([
      'kube-scheduler',
      '--config=/etc/kubernetes/mlsched-scheduler/config.yaml',
    ]);
    expect(spec.containers[1].command).toEqual(['node', 'apps/scheduler/lib/main.js']);
    expect(spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    for (const c of spec.containers) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
    expect(spec.serviceAccountName).toBe('mlsched-scheduler');
    expect(spec.automountServiceAccountToken).toBe(true);
    // The Deployment's own pods are placed by the default scheduler, not by themselves.
    expect(spec.schedulerName).toBeUndefined();
  });

  test('probes: kube-scheduler over HTTPS on 10259, the extender on its HTTP port', () => {
    const [scheduler, ext] = pod(env).containers;

    expect(scheduler.livenessProbe.httpGet).toEqual({
      path: '/healthz',
      port: 'https-metrics',
      scheme: 'HTTPS',
    });
    expect(scheduler.readinessProbe.httpGet).toEqual({
      path: '/readyz',
      port: 'https-metrics',
      scheme: 'HTTPS',
    });
    expect(scheduler.ports).toEqual([{ name: 'https-metrics', containerPort: 10259 }]);
    expect(ext.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http', scheme: 'HTTP' });
    expect(ext.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http', scheme: 'HTTP' });
    expect(ext.startupProbe.httpGet.path).toBe('/healthz');
    expect(ext.ports).toEqual([{ name: 'http', containerPort: 8888 }]);
  });

  test('the extender gets exactly the contract environment, the password by reference', () => {
    const vars = Object.fromEntries(
      extender(env).env.map((e: any) => [e.name, e.value ?? e.valueFrom]),
    );

    expect(vars).toEqual({
      PORT: '8888',
      LOG_LEVEL: env === 'dev' ? 'debug' : 'info',
      PROMETHEUS_URL: 'http://prometheus-operated.monitoring.svc:9090',
      PROMETHEUS_CPU_QUERY:
        '1 - avg by (instance) (irate(node_cpu_seconds_total{mode="idle"}[2m]))',
      PROMETHEUS_MEMORY_QUERY: '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes',
      METRICS_REFRESH_SECONDS: '15',
      METRICS_STALE_SECONDS: '180',
      METRICS_HISTORY_SECONDS: '1800',
      TARGET_UTILIZATION: '0.7',
      HOT_THRESHOLD: '0.85',
      REMEDIATION_THRESHOLD: '0.9',
      KUBE_WATCH_PODS: 'true',
      TRAINER_REPORTS_DIRS: 'node-load=/models/node-load/reports',
      TRAINER_REPORTS_REFRESH_SECONDS: '60',
      REDIS_URL: 'redis://mlsched-redis.mlsched.svc:6379',
      REDIS_PASSWORD: { secretKeyRef: { name: 'mlsched-redis-auth', key: 'password' } },
    });
  });

  test('replicas, rollout, spread over workers and disruption budget', () => {
    const deployment = get(env, 'Deployment', 'mlsched-scheduler');
    const selector = {
      'app.kubernetes.io/name': 'mlsched-scheduler',
      'app.kubernetes.io/part-of': 'mlsched',
    };

    expect(deployment.spec.replicas).toBe(env === 'dev' ? 2 : 3);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({
      maxSurge: env === 'dev' ? 2 : 1,
      maxUnavailable: 0,
    });
    expect(deployment.spec.selector.matchLabels).toEqual(selector);
    expect(pod(env).topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: selector },
        matchLabelKeys: ['pod-template-hash'],
      },
    ]);
    expect(
      pod(env).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
        .nodeSelectorTerms,
    ).toEqual([
      {
        matchExpressions: [
          { key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' },
        ],
      },
    ]);
    expect(get(env, 'PodDisruptionBudget', 'mlsched-scheduler').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: selector },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('a new scheduler configuration rolls the pods (its hash is on the template)', () => {
    const config = get(env, 'ConfigMap', 'mlsched-scheduler-config').data['config.yaml'];
    const { createHash } = jest.requireActual('node:crypto');

    expect(get(env, 'Deployment', 'mlsched-scheduler').spec.template.metadata.annotations).toEqual({
      'mlsched.io/config-sha256': createHash('sha256').update(config).digest('hex'),
    });
  });
});

describe.each(ENVS)('%s: RBAC', (env) => {
  const subject = [{ kind: 'ServiceAccount', name: 'mlsched-scheduler', namespace: 'mlsched' }];

  test("the extender's reads are nodes and pods, nothing else", () => {
    expect(get(env, 'ClusterRole', 'mlsched-scheduler-extender').rules).toEqual([
      { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(get(env, 'ClusterRoleBinding', 'mlsched-scheduler-extender').subjects).toEqual(subject);
  });

  test('kube-scheduler binds pods, reads what its plugins read, and writes no secrets', () => {
    const rules = get(env, 'ClusterRole', 'mlsched-scheduler-kube-scheduler').rules;
    const grants = (group: string, resource: string, verb: string) =>
      rules.some(
        (r: any) =>
          r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
      );

    expect(grants('', 'pods/binding', 'create')).toBe(true);
    expect(grants('', 'pods', 'delete')).toBe(true);
    expect(grants('resource.k8s.io', 'resourceslices', 'list')).toBe(true);
    expect(grants('authorization.k8s.io', 'subjectaccessreviews', 'create')).toBe(true);
    expect(grants('coordination.k8s.io', 'leases', 'create')).toBe(false);
    expect(JSON.stringify(rules)).not.toContain('secrets');
  });

  test('leader election is limited to its own lease in its namespace', () => {
    expect(get(env, 'Role', 'mlsched-scheduler-leader-election').rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['mlsched-scheduler'],
        verbs: ['get', 'update'],
      },
    ]);
    expect(get(env, 'RoleBinding', 'mlsched-scheduler-auth-reader').metadata.namespace).toBe(
      'kube-system',
    );
  });

  test('the trainer holds no API token and no role', () => {
    const bindings = objectsOf(env).filter((o) => o.kind.endsWith('Binding'));

    expect(get(env, 'ServiceAccount', 'mlsched-trainer').automountServiceAccountToken).toBe(false);
    expect(JSON.stringify(bindings)).not.toContain('mlsched-trainer');
  });
});

describe.each(ENVS)('%s: network policies', (env) => {
  const prometheus = {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
  };
  const port = (p: number) => ({ protocol: 'TCP', port: p });

  test('default deny in and out, DNS allowed to kube-dns only', () => {
    expect(get(env, 'NetworkPolicy', 'default-deny-all').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
    expect(get(env, 'NetworkPolicy', 'allow-dns-egress').spec.egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
  });

  test('scheduler pods: Prometheus scrapes in; out to the API server, Prometheus and Redis', () => {
    const spec = get(env, 'NetworkPolicy', 'mlsched-scheduler').spec;

    expect(spec.ingress).toEqual([{ from: [prometheus], ports: [port(8888), port(10259)] }]);
    expect(spec.egress).toEqual([
      {
        to: ['10.0.0.11', '10.0.0.12', '10.0.0.13'].map((ip) => ({
          ipBlock: { cidr: `${ip}/32` },
        })),
        ports: [port(6443)],
      },
      { to: [prometheus], ports: [port(9090)] },
      {
        to: [
          {
            podSelector: {
              matchLabels: {
                'app.kubernetes.io/name': 'mlsched-redis',
                'app.kubernetes.io/part-of': 'mlsched',
              },
            },
          },
        ],
        ports: [port(6379)],
      },
    ]);
  });

  test('Redis: only the scheduler pods connect, only Prometheus scrapes, nothing goes out', () => {
    const spec = get(env, 'NetworkPolicy', 'mlsched-redis').spec;

    expect(spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: {
                'app.kubernetes.io/name': 'mlsched-scheduler',
                'app.kubernetes.io/part-of': 'mlsched',
              },
            },
          },
        ],
        ports: [port(6379)],
      },
      { from: [prometheus], ports: [port(9121)] },
    ]);
    expect(spec.egress).toEqual([]);
  });

  test('trainer: out to Prometheus only, nothing in', () => {
    const spec = get(env, 'NetworkPolicy', 'mlsched-trainer').spec;

    expect(spec.ingress).toEqual([]);
    expect(spec.egress).toEqual([{ to: [prometheus], ports: [port(9090)] }]);
  });
});

describe.each(ENVS)('%s: trainer, Redis, namespace', (env) => {
  test('one CronJob per model with concurrency, deadlines, history limits and resources', () => {
    const cron = get(env, 'CronJob', 'mlsched-trainer-node-load');
    const job = cron.spec.jobTemplate.spec;
    const container = job.template.spec.containers[0];

    expect(cron.spec).toMatchObject({
      schedule: '17 */6 * * *',
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 900,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
    });
    expect(job).toMatchObject({
      activeDeadlineSeconds: 3600,
      backoffLimit: 1,
      ttlSecondsAfterFinished: 172800,
    });
    expect(job.template.spec.restartPolicy).toBe('Never');
    expect(container.resources).toEqual({
      requests: { cpu: '500m', memory: '1024Mi' },
      limits: { cpu: '2000m', memory: '2048Mi' },
    });
    expect(container.command).toEqual(['node', 'apps/trainer/lib/cli.js']);
    expect(container.args.slice(0, 5)).toEqual([
      'train',
      '--source',
      'prometheus',
      '--prometheus-url',
      'http://prometheus-operated.monitoring.svc:9090',
    ]);
    expect(container.args).toEqual(
      expect.arrayContaining(['--models-dir', '/models/node-load/versions']),
    );
  });

  test('the trainer reads the very series the extender serves from', () => {
    const args: string[] = get(env, 'CronJob', 'mlsched-trainer-node-load').spec.jobTemplate.spec
      .template.spec.containers[0].args;
    const vars = Object.fromEntries(extender(env).env.map((e: any) => [e.name, e.value]));

    expect(args[args.indexOf('--cpu-query') + 1]).toBe(vars.PROMETHEUS_CPU_QUERY);
    expect(args[args.indexOf('--memory-query') + 1]).toBe(vars.PROMETHEUS_MEMORY_QUERY);
  });

  test('the extender reads run records where the trainer writes them, on its read-only mount', () => {
    const args: string[] = get(env, 'CronJob', 'mlsched-trainer-node-load').spec.jobTemplate.spec
      .template.spec.containers[0].args;
    const vars = Object.fromEntries(extender(env).env.map((e: any) => [e.name, e.value]));
    const mount = extender(env).volumeMounts.find((m: any) => m.name === 'models');

    expect(vars.TRAINER_REPORTS_DIRS).toBe(`node-load=${args[args.indexOf('--reports-dir') + 1]}`);
    expect(args[args.indexOf('--reports-dir') + 1]).toBe('/models/node-load/reports');
    expect(mount).toEqual({ name: 'models', mountPath: '/models', readOnly: true });
  });

  test('Redis persists to a claim and takes its password from the Secret, never from Git', () => {
    const sts = get(env, 'StatefulSet', 'mlsched-redis');
    const redis = sts.spec.template.spec.containers.find((c: any) => c.name === 'redis');

    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'standard',
      resources: { requests: { storage: env === 'prod' ? '5Gi' : '2Gi' } },
    });
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    expect(redis.command).toEqual([
      'redis-server',
      '/etc/redis/redis.conf',
      '--requirepass',
      '$(REDIS_PASSWORD)',
    ]);
    expect(redis.env[0]).toEqual({
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'mlsched-redis-auth', key: 'password' } },
    });
    expect(get(env, 'ConfigMap', 'mlsched-redis-config').data['redis.conf']).not.toMatch(/pass/);
    expect(objectsOf(env).some((o) => o.kind === 'Secret')).toBe(false);
  });

  test('the namespace enforces the restricted Pod Security Standard of 1.34', () => {
    expect(get(env, 'Namespace', 'mlsched').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.34',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  test('sync waves: foundation, then Redis and the model store, then workloads, then rules and dashboards', () => {
    expect(wave(get(env, 'Namespace', 'mlsched'))).toBe('0');
    expect(wave(get(env, 'ClusterRole', 'mlsched-scheduler-kube-scheduler'))).toBe('0');
    expect(wave(get(env, 'NetworkPolicy', 'mlsched-redis'))).toBe('0');
    expect(wave(get(env, 'StatefulSet', 'mlsched-redis'))).toBe('1');
    expect(wave(get(env, 'PersistentVolumeClaim', 'mlsched-models'))).toBe('1');
    expect(wave(get(env, 'Deployment', 'mlsched-scheduler'))).toBe('2');
    expect(wave(get(env, 'CronJob', 'mlsched-trainer-node-load'))).toBe('2');
    expect(wave(get(env, 'PrometheusRule', 'mlsched'))).toBe('3');
    expect(wave(get(env, 'ServiceMonitor', 'mlsched-extender'))).toBe('3');
  });

  test('the published models are never pruned by Argo CD', () => {
    expect(get(env, 'PersistentVolumeClaim', 'mlsched-models').metadata.annotations).toMatchObject({
      'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
    });
    expect(get(env, 'PersistentVolumeClaim', 'mlsched-models').spec.accessModes).toEqual([
      'ReadWriteMany',
    ]);
  });
});

describe.each(ENVS)('%s: rules, scrape targets and dashboards', (env) => {
  test('the PrometheusRule carries exactly the alerts workspace groups, selectable by Prometheus', () => {
    const rule = get(env, 'PrometheusRule', 'mlsched');

    expect(rule.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(rule.spec.groups).toEqual(JSON.parse(JSON.stringify(ruleGroups(DEFAULT_TARGETS))));
  });

  test('three scrape targets, kube-scheduler over HTTPS with the Prometheus token', () => {
    const endpoint = (name: string) => get(env, 'ServiceMonitor', name).spec.endpoints[0];

    expect(endpoint('mlsched-extender')).toMatchObject({ port: 'http', path: '/metrics' });
    expect(endpoint('mlsched-redis')).toMatchObject({ port: 'metrics', path: '/metrics' });
    expect(endpoint('mlsched-scheduler')).toMatchObject({
      port: 'https-metrics',
      scheme: 'https',
      bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
      tlsConfig: { insecureSkipVerify: true },
    });
  });

  test('one ConfigMap per dashboard, labelled for the Grafana sidecar, JSON unchanged', () => {
    const expected = dashboards(DEFAULT_TARGETS);
    const maps = objectsOf(env).filter((o) =>
      o.metadata.name.startsWith('mlsched-dashboard-'),
    ) as any[];

    expect(maps.map((m) => m.metadata.name).sort()).toEqual(
      expected.map((d) => `mlsched-dashboard-${d.uid}`).sort(),
    );
    for (const d of expected) {
      const cm = get(env, 'ConfigMap', `mlsched-dashboard-${d.uid}`);
      expect(cm.metadata.namespace).toBe('monitoring');
      expect(cm.metadata.labels.grafana_dashboard).toBe('1');
      expect(cm.metadata.annotations.grafana_folder).toBe('mlsched');
      expect(JSON.parse(cm.data[`${d.uid}.json`])).toEqual(d.json);
    }
  });
});

describe('Argo CD', () => {
  const app = (name: string) => get('argocd', 'Application', name);

  test('dev and staging prune and self-heal; prod syncs by hand and keeps its resources on delete', () => {
    for (const env of ['dev', 'staging']) {
      expect(app(`mlsched-${env}`).spec.syncPolicy.automated).toEqual({
        prune: true,
        selfHeal: true,
      });
      expect(app(`mlsched-${env}`).metadata.finalizers).toEqual([
        'resources-finalizer.argocd.argoproj.io',
      ]);
    }
    expect(app('mlsched-prod').spec.syncPolicy.automated).toBeUndefined();
    expect(app('mlsched-prod').metadata.finalizers).toBeUndefined();
  });

  test('each environment Application syncs its dist directory to its own cluster', () => {
    for (const env of ENVS) {
      expect(app(`mlsched-${env}`).spec.source).toEqual({
        repoURL: 'https://github.com/mlsched/mlsched.git',
        targetRevision: 'main',
        path: `dist/${env}`,
        directory: { recurse: false },
      });
      expect(app(`mlsched-${env}`).spec.destination).toEqual({
        name: `mlsched-${env}`,
        namespace: 'mlsched',
      });
      expect(app(`mlsched-${env}`).spec.syncPolicy.syncOptions).toEqual([
        'ServerSideApply=true',
        'PruneLast=true',
      ]);
    }
  });

  test('the root Application manages the argocd directory; projects sync before applications', () => {
    expect(app('mlsched-root').spec.source.path).toBe('dist/argocd');
    expect(app('mlsched-root').spec.project).toBe('mlsched-bootstrap');
    expect(wave(get('argocd', 'AppProject', 'mlsched'))).toBe('0');
    expect(wave(app('mlsched-dev'))).toBe('2');
  });

  test('the project allows exactly the kinds and namespaces the environments render', () => {
    const project = get('argocd', 'AppProject', 'mlsched').spec;
    const rendered = ENVS.flatMap((env) => objectsOf(env));
    const kindsOf = (clusterScoped: boolean) =>
      [
        ...new Set(
          rendered
            .filter((o) => (o.metadata.namespace === undefined) === clusterScoped)
            .map((o) => o.kind),
        ),
      ].sort();

    expect(project.clusterResourceWhitelist.map((k: any) => k.kind).sort()).toEqual(kindsOf(true));
    expect(project.namespaceResourceWhitelist.map((k: any) => k.kind).sort()).toEqual(
      kindsOf(false),
    );
    expect(JSON.stringify(project)).not.toContain('*');
    expect(project.destinations).toContainEqual({ name: 'mlsched-prod', namespace: 'kube-system' });
    expect(project.destinations).toContainEqual({ name: 'mlsched-dev', namespace: 'monitoring' });
  });
});

describe('model version in the release', () => {
  test('null serves without a model; a pinned version becomes MODEL_PATH', () => {
    const envs = environments();
    const pinned = envs.map((e) =>
      e.name === 'staging'
        ? {
            ...e,
            release: { ...e.release, models: { 'node-load': '2026-12-03T16-00-00Z-ab12cd' } },
          }
        : e,
    );
    const files = renderApp(buildApp({ environments: pinned }).app);
    const env = (chart: string) =>
      (files.find((f) => f.path === `${chart}/deployment-mlsched-scheduler.yaml`)?.object as any)
        .spec.template.spec.containers[1].env;

    expect(env('dev').some((e: any) => e.name === 'MODEL_PATH')).toBe(false);
    expect(env('staging')).toContainEqual({
      name: 'MODEL_PATH',
      value: '/models/node-load/versions/2026-12-03T16-00-00Z-ab12cd.json',
    });

    // The trainer publishes only what beats the pinned version; with none pinned its gate is the
    // last-value fallback, and it never writes the pinned file.
    const trainerArgs = (chart: string): string[] =>
      (
        files.find((f) => f.path === `${chart}/cronjob-mlsched-trainer-node-load.yaml`)
          ?.object as any
      ).spec.jobTemplate.spec.template.spec.containers[0].args;
    const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
    expect(after(trainerArgs('staging'), '--compare-with')).toBe(
      '/models/node-load/versions/2026-12-03T16-00-00Z-ab12cd.json',
    );
    expect(trainerArgs('staging')).not.toContain('--serving-model');
    expect(trainerArgs('dev')).not.toContain('--compare-with');
    expect(after(trainerArgs('dev'), '--rejected-dir')).toBe('/models/node-load/rejected');
  });
});

test('a dashboard uid that cannot name a ConfigMap fails synth, naming the dashboard', () => {
  const bad = () => [{ uid: 'Scheduler_Overview', title: 'Scheduler', json: {} }];

  expect(() => buildApp({ dashboards: bad })).toThrow(
    'dashboard "Scheduler": uid "Scheduler_Overview" must be a DNS-1123 label of at most 40 characters (it names the ConfigMap)',
  );
});
