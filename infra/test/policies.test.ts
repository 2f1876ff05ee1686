import { parse, stringify } from 'yaml';

import type { KubeObject } from '../src/render';
import { POLICIES, policyViolations, type Violation } from '../src/validate/policies';
import { clone, externalOf, objectsOf } from './support';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests break objects through any path */

type Objects = (KubeObject & Record<string, any> & { metadata: any })[];

/** dev's objects, deep-copied, with `mutate` applied; then the violations of one policy. */
function violationsAfter(policy: string, mutate: (objects: Objects) => void): Violation[] {
  const objects = clone(objectsOf('dev')) as Objects;
  mutate(objects);
  return policyViolations({ objects, external: externalOf('dev') }).filter(
    (v) => v.policy === policy,
  );
}

function get(objects: Objects, kind: string, name: string): any {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

const scheduler = (o: Objects) => get(o, 'Deployment', 'mlsched-scheduler');
const redis = (o: Objects) => get(o, 'StatefulSet', 'mlsched-redis');
const trainer = (o: Objects) => get(o, 'CronJob', 'mlsched-trainer-node-load');
const container = (w: any, name: string) => {
  const spec = w.kind === 'CronJob' ? w.spec.jobTemplate.spec.template.spec : w.spec.template.spec;
  return spec.containers.find((c: any) => c.name === name);
};
const podSpec = (w: any) =>
  w.kind === 'CronJob' ? w.spec.jobTemplate.spec.template.spec : w.spec.template.spec;

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** For each policy, objects broken on purpose and exactly what the policy must report. */
const BROKEN: Record<
  string,
  { readonly what: string; readonly mutate: (o: Objects) => void; readonly expected: Violation[] }[]
> = {
  'image-pinned': [
    {
      what: 'an image by tag only',
      mutate: (o) => {
        container(scheduler(o), 'extender').image = 'ghcr.io/mlsched/mlsched-scheduler:v1.2.3';
      },
      expected: [
        {
          policy: 'image-pinned',
          object: 'Deployment mlsched/mlsched-scheduler',
          message:
            'spec.template.spec container extender: ghcr.io/mlsched/mlsched-scheduler:v1.2.3 is not pinned by digest',
        },
      ],
    },
    {
      what: 'a container without an image',
      mutate: (o) => {
        delete container(trainer(o), 'trainer').image;
      },
      expected: [
        {
          policy: 'image-pinned',
          object: 'CronJob mlsched/mlsched-trainer-node-load',
          message: 'spec.jobTemplate.spec.template.spec container trainer: no image',
        },
      ],
    },
    {
      what: 'a version tag on a registry that does not promise immutable tags',
      mutate: (o) => {
        container(redis(o), 'redis').image = 'docker.io/library/redis:7.4.6-alpine';
      },
      expected: [
        {
          policy: 'image-pinned',
          object: 'StatefulSet mlsched/mlsched-redis',
          message:
            'spec.template.spec container redis: docker.io/library/redis:7.4.6-alpine is not pinned by digest',
        },
      ],
    },
  ],
  'no-latest-tag': [
    {
      what: 'latest, even with a digest',
      mutate: (o) => {
        container(redis(o), 'redis').image = `docker.io/library/redis:latest@${DIGEST}`;
      },
      expected: [
        {
          policy: 'no-latest-tag',
          object: 'StatefulSet mlsched/mlsched-redis',
          message: `spec.template.spec container redis: docker.io/library/redis:latest@${DIGEST} uses latest`,
        },
      ],
    },
  ],
  'dns-names': [
    {
      what: 'an upper-case name, a dotted Service name and a long port name',
      mutate: (o) => {
        get(o, 'ConfigMap', 'mlsched-redis-config').metadata.name = 'MLSched_Redis';
        get(o, 'Service', 'mlsched-redis-headless').metadata.name = 'mlsched.redis';
        container(redis(o), 'exporter').ports[0].name = 'redis-exporter-metrics';
      },
      expected: [
        {
          policy: 'dns-names',
          object: 'ConfigMap mlsched/MLSched_Redis',
          message: 'metadata.name "MLSched_Redis" is not a DNS-1123 subdomain',
        },
        {
          policy: 'dns-names',
          object: 'Service mlsched/mlsched.redis',
          message: 'metadata.name "mlsched.redis" is not a DNS-1123 label',
        },
        {
          policy: 'dns-names',
          object: 'StatefulSet mlsched/mlsched-redis',
          message:
            'spec.template.spec container exporter: port name redis-exporter-metrics is not an IANA service name',
        },
      ],
    },
  ],
  'selectors-match': [
    {
      what: 'a Deployment selector its pods do not carry, a Service selecting nothing, a monitor port no Service has',
      mutate: (o) => {
        scheduler(o).spec.selector.matchLabels['app.kubernetes.io/name'] = 'scheduler';
        get(o, 'Service', 'mlsched-redis').spec.selector['app.kubernetes.io/name'] = 'redis';
        get(o, 'ServiceMonitor', 'mlsched-extender').spec.endpoints[0].port = 'metrics';
      },
      expected: [
        {
          policy: 'selectors-match',
          object: 'Deployment mlsched/mlsched-scheduler',
          message: 'spec.selector does not match the pod template labels',
        },
        {
          policy: 'selectors-match',
          object: 'Service mlsched/mlsched-redis',
          message: 'spec.selector selects no pod',
        },
        {
          policy: 'selectors-match',
          object: 'ServiceMonitor mlsched/mlsched-extender',
          message: 'endpoint port metrics is on no selected Service',
        },
      ],
    },
  ],
  'service-ports': [
    {
      what: 'a targetPort no container has',
      mutate: (o) => {
        get(o, 'Service', 'mlsched-extender').spec.ports[0].targetPort = 'htp';
      },
      expected: [
        {
          policy: 'service-ports',
          object: 'Service mlsched/mlsched-extender',
          message: 'port http → htp is no container port of Deployment mlsched/mlsched-scheduler',
        },
      ],
    },
    {
      what: 'a numeric targetPort that is not the container port',
      mutate: (o) => {
        get(o, 'Service', 'mlsched-redis').spec.ports[0].targetPort = 6380;
      },
      expected: [
        {
          policy: 'service-ports',
          object: 'Service mlsched/mlsched-redis',
          message: 'port redis → 6380 is no container port of StatefulSet mlsched/mlsched-redis',
        },
      ],
    },
  ],
  references: [
    {
      what: 'a claim, a Secret and a ConfigMap key nobody renders or declares',
      mutate: (o) => {
        podSpec(trainer(o)).volumes[0].persistentVolumeClaim.claimName = 'mlsched-model';
        container(scheduler(o), 'extender').env.find(
          (e: any) => e.name === 'REDIS_PASSWORD',
        ).valueFrom.secretKeyRef.name = 'redis-auth';
        container(scheduler(o), 'extender').env.push({
          name: 'EXTRA',
          valueFrom: { configMapKeyRef: { name: 'mlsched-redis-config', key: 'missing.conf' } },
        });
      },
      expected: [
        {
          policy: 'references',
          object: 'CronJob mlsched/mlsched-trainer-node-load',
          message:
            'volume models: PersistentVolumeClaim mlsched/mlsched-model is neither rendered nor declared external',
        },
        {
          policy: 'references',
          object: 'Deployment mlsched/mlsched-scheduler',
          message:
            'env REDIS_PASSWORD: Secret mlsched/redis-auth is neither rendered nor declared external',
        },
        {
          policy: 'references',
          object: 'Deployment mlsched/mlsched-scheduler',
          message: 'env EXTRA: ConfigMap mlsched-redis-config has no key missing.conf',
        },
      ],
    },
    {
      what: 'a role binding to a role nobody renders, and a mount of an undeclared volume',
      mutate: (o) => {
        get(o, 'RoleBinding', 'mlsched-scheduler-leader-election').roleRef.name = 'leader-election';
        container(scheduler(o), 'kube-scheduler').volumeMounts.push({
          name: 'certs',
          mountPath: '/certs',
        });
      },
      expected: [
        {
          policy: 'references',
          object: 'Deployment mlsched/mlsched-scheduler',
          message: 'container kube-scheduler mount: volume certs is not declared in the pod',
        },
        {
          policy: 'references',
          object: 'RoleBinding mlsched/mlsched-scheduler-leader-election',
          message:
            'roleRef: Role mlsched/leader-election is neither rendered nor declared external',
        },
      ],
    },
  ],
  'security-context': [
    {
      what: 'a writable root filesystem, privilege escalation, an added capability, no seccomp, root',
      mutate: (o) => {
        const sc = container(trainer(o), 'trainer').securityContext;
        sc.readOnlyRootFilesystem = false;
        sc.allowPrivilegeEscalation = true;
        sc.capabilities = { drop: ['NET_RAW'], add: ['NET_ADMIN'] };
        sc.seccompProfile = { type: 'Unconfined' };
        sc.runAsNonRoot = false;
      },
      expected: [
        'runAsNonRoot is not true',
        'allowPrivilegeEscalation is not false',
        'readOnlyRootFilesystem is not true',
        'capabilities.drop lacks ALL',
        'adds capabilities',
        'seccompProfile is not RuntimeDefault',
      ].map((m) => ({
        policy: 'security-context',
        object: 'CronJob mlsched/mlsched-trainer-node-load',
        message: `spec.jobTemplate.spec.template.spec container trainer: ${m}`,
      })),
    },
    {
      what: 'host networking and a hostPath volume',
      mutate: (o) => {
        podSpec(redis(o)).hostNetwork = true;
        podSpec(redis(o)).volumes.push({ name: 'host', hostPath: { path: '/var/run' } });
      },
      expected: [
        {
          policy: 'security-context',
          object: 'StatefulSet mlsched/mlsched-redis',
          message: 'spec.template: shares a host namespace',
        },
        {
          policy: 'security-context',
          object: 'StatefulSet mlsched/mlsched-redis',
          message: 'spec.template: mounts a hostPath',
        },
      ],
    },
  ],
  'resource-limits': [
    {
      what: 'a container without a CPU limit',
      mutate: (o) => {
        delete container(redis(o), 'exporter').resources.limits.cpu;
      },
      expected: [
        {
          policy: 'resource-limits',
          object: 'StatefulSet mlsched/mlsched-redis',
          message: 'spec.template.spec container exporter: resources.limits.cpu is not set',
        },
      ],
    },
  ],
  probes: [
    {
      what: 'a long-running container without a readiness probe',
      mutate: (o) => {
        delete container(scheduler(o), 'extender').readinessProbe;
      },
      expected: [
        {
          policy: 'probes',
          object: 'Deployment mlsched/mlsched-scheduler',
          message: 'container extender: no readinessProbe',
        },
      ],
    },
  ],
  'no-secret-values': [
    {
      what: 'a literal password in env, in a config file and in a URL, and a Secret object',
      mutate: (o) => {
        const env = container(scheduler(o), 'extender').env;
        const i = env.findIndex((e: any) => e.name === 'REDIS_PASSWORD');
        env[i] = { name: 'REDIS_PASSWORD', value: 'hunter2-but-longer' };
        env.find((e: any) => e.name === 'REDIS_URL').value =
          'redis://default:hunter2@mlsched-redis:6379';
        const cm = get(o, 'ConfigMap', 'mlsched-redis-config');
        cm.data['redis.conf'] += 'requirepass hunter2\n';
        o.push({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'mlsched-redis-auth', namespace: 'mlsched' },
          stringData: { password: 'hunter2' },
        });
      },
      expected: [
        {
          policy: 'no-secret-values',
          object: 'ConfigMap mlsched/mlsched-redis-config',
          message: 'data.redis.conf: looks like a Redis password directive',
        },
        {
          policy: 'no-secret-values',
          object: 'Deployment mlsched/mlsched-scheduler',
          message: 'spec.template.spec container extender: env REDIS_PASSWORD has a literal value',
        },
        {
          policy: 'no-secret-values',
          object: 'Deployment mlsched/mlsched-scheduler',
          message: expect.stringMatching(
            /^spec\.template\.spec\.containers\[1\]\.env\[\d+\]\.value: looks like a URL with a password$/,
          ),
        },
        {
          policy: 'no-secret-values',
          object: 'Secret mlsched/mlsched-redis-auth',
          message: 'Secret objects are never rendered',
        },
        {
          policy: 'no-secret-values',
          object: 'Secret mlsched/mlsched-redis-auth',
          message: 'stringData.password: holds a literal credential',
        },
      ],
    },
    {
      what: 'a token in an annotation',
      mutate: (o) => {
        redis(o).metadata.annotations['example.com/deploy-token'] = `ghp_${'a1B2'.repeat(9)}`;
      },
      expected: [
        {
          policy: 'no-secret-values',
          object: 'StatefulSet mlsched/mlsched-redis',
          message: 'metadata.annotations.example.com/deploy-token: looks like a GitHub token',
        },
      ],
    },
  ],
  'rbac-least-privilege': [
    {
      what: 'a wildcard verb, secrets and an escalating verb',
      mutate: (o) => {
        get(o, 'ClusterRole', 'mlsched-scheduler-extender').rules.push(
          { apiGroups: [''], resources: ['configmaps'], verbs: ['*'] },
          { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
          {
            apiGroups: ['rbac.authorization.k8s.io'],
            resources: ['clusterroles'],
            verbs: ['bind'],
          },
        );
      },
      expected: [
        {
          policy: 'rbac-least-privilege',
          object: 'ClusterRole mlsched-scheduler-extender',
          message: 'rules[1].verbs has a wildcard',
        },
        {
          policy: 'rbac-least-privilege',
          object: 'ClusterRole mlsched-scheduler-extender',
          message: 'rules[1].verbs grants an escalating verb',
        },
        {
          policy: 'rbac-least-privilege',
          object: 'ClusterRole mlsched-scheduler-extender',
          message: 'rules[2]: grants access to secrets',
        },
        {
          policy: 'rbac-least-privilege',
          object: 'ClusterRole mlsched-scheduler-extender',
          message: 'rules[3].verbs grants an escalating verb',
        },
      ],
    },
  ],
  'pod-security-admission': [
    {
      what: 'a namespace enforcing only baseline',
      mutate: (o) => {
        get(o, 'Namespace', 'mlsched').metadata.labels['pod-security.kubernetes.io/enforce'] =
          'baseline';
      },
      expected: [
        {
          policy: 'pod-security-admission',
          object: 'Namespace mlsched',
          message: 'pod-security.kubernetes.io/enforce is not restricted',
        },
      ],
    },
  ],
  'network-default-deny': [
    {
      what: 'no default-deny policy',
      mutate: (o) => {
        o.splice(o.indexOf(get(o, 'NetworkPolicy', 'default-deny-all')), 1);
      },
      expected: [
        {
          policy: 'network-default-deny',
          object: 'Namespace mlsched',
          message: 'no default-deny NetworkPolicy',
        },
      ],
    },
    {
      what: 'a "default deny" that allows some egress',
      mutate: (o) => {
        get(o, 'NetworkPolicy', 'default-deny-all').spec.egress = [{}];
      },
      expected: [
        {
          policy: 'network-default-deny',
          object: 'Namespace mlsched',
          message: 'no default-deny NetworkPolicy',
        },
      ],
    },
  ],
  'sync-waves': [
    {
      what: 'an object without a wave, and RBAC after the workloads',
      mutate: (o) => {
        delete redis(o).metadata.annotations['argocd.argoproj.io/sync-wave'];
        get(o, 'ServiceAccount', 'mlsched-trainer').metadata.annotations[
          'argocd.argoproj.io/sync-wave'
        ] = '5';
      },
      expected: [
        {
          policy: 'sync-waves',
          object: 'StatefulSet mlsched/mlsched-redis',
          message: 'no integer argocd.argoproj.io/sync-wave',
        },
        {
          policy: 'sync-waves',
          object: 'ServiceAccount mlsched/mlsched-trainer',
          message: 'must sync before every workload',
        },
      ],
    },
  ],
  placement: [
    {
      what: 'a workload allowed onto control-plane nodes, tolerating taints, not spread',
      mutate: (o) => {
        delete podSpec(scheduler(o)).affinity;
        podSpec(scheduler(o)).tolerations = [
          { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
        ];
        delete podSpec(redis(o)).topologySpreadConstraints;
      },
      expected: [
        {
          policy: 'placement',
          object: 'Deployment mlsched/mlsched-scheduler',
          message: 'not restricted to worker nodes',
        },
        {
          policy: 'placement',
          object: 'Deployment mlsched/mlsched-scheduler',
          message: 'tolerates taints',
        },
        {
          policy: 'placement',
          object: 'StatefulSet mlsched/mlsched-redis',
          message: 'no topology spread over nodes',
        },
      ],
    },
  ],
  'kube-scheduler-config': [
    {
      what: 'nodeCacheCapable off and the extender on a port the pod does not have',
      mutate: (o) => {
        const cm = get(o, 'ConfigMap', 'mlsched-scheduler-config');
        const config = parse(cm.data['config.yaml']);
        config.extenders[0].nodeCacheCapable = false;
        config.extenders[0].urlPrefix = 'http://127.0.0.1:9999';
        cm.data['config.yaml'] = stringify(config);
      },
      expected: [
        {
          policy: 'kube-scheduler-config',
          object: 'ConfigMap mlsched/mlsched-scheduler-config',
          message: 'extenders[0].nodeCacheCapable: must be true (cases X11, X12)',
        },
        {
          policy: 'kube-scheduler-config',
          object: 'Deployment mlsched/mlsched-scheduler',
          message: 'extender http://127.0.0.1:9999 is no port of this pod',
        },
      ],
    },
    {
      what: 'a --config file the mounted ConfigMap does not hold',
      mutate: (o) => {
        container(scheduler(o), 'kube-scheduler').command[1] =
          '--config=/etc/kubernetes/mlsched-scheduler/scheduler.yaml';
      },
      expected: [
        {
          policy: 'kube-scheduler-config',
          object: 'Deployment mlsched/mlsched-scheduler',
          message:
            '/etc/kubernetes/mlsched-scheduler/scheduler.yaml is not a rendered ConfigMap key',
        },
      ],
    },
  ],
};

test('the unbroken dev objects violate no policy', () => {
  expect(policyViolations({ objects: objectsOf('dev'), external: externalOf('dev') })).toEqual([]);
});

test('every policy has a deliberately broken case below', () => {
  expect(Object.keys(BROKEN).sort()).toEqual(POLICIES.map((p) => p.id).sort());
});

describe.each(POLICIES.map((p) => [p.id, p.summary] as const))('policy %s (%s)', (id) => {
  test.each((BROKEN[id] ?? []).map((c) => [c.what, c] as const))('fails on %s', (_what, c) => {
    expect(violationsAfter(id, c.mutate)).toEqual(c.expected);
  });
});

test('an immutable registry tag (registry.k8s.io release) is accepted without a digest', () => {
  const found = violationsAfter('image-pinned', (o) => {
    container(scheduler(o), 'kube-scheduler').image = 'registry.k8s.io/kube-scheduler:v1.34.3';
  });

  expect(found).toEqual([]);
});
