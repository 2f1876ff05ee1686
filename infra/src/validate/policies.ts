import { parse } from 'yaml';

import type { ExternalObject } from '../envs/external.js';
import type { KubeObject } from '../render.js';
import { SYNC_WAVE_ANNOTATION } from '../constructs/sync-wave.js';
import { kubeSchedulerConfigProblems } from './kube-scheduler-config.js';
import {
  allContainers,
  type Container,
  matches,
  podTemplate,
  type PodTemplate,
  ref,
} from './objects.js';

/** What one cluster receives: the rendered objects and what they may reference outside them. */
export interface ValidationContext {
  readonly objects: readonly KubeObject[];
  readonly external: readonly ExternalObject[];
}

export interface Violation {
  readonly policy: string;
  readonly object: string;
  readonly message: string;
}

export interface Policy {
  readonly id: string;
  /** What the policy requires, in one line. */
  readonly summary: string;
  check(ctx: ValidationContext): Violation[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** IANA service name: what a container or Service port name must be. */
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DIGEST = /@sha256:[0-9a-f]{64}$/;
/** Registries whose release tags are immutable by policy, with the tag shape they promise. */
const IMMUTABLE_TAG_REGISTRIES: readonly { prefix: string; tag: RegExp }[] = [
  { prefix: 'registry.k8s.io/', tag: /^v\d+\.\d+\.\d+$/ },
];
/** Kinds whose names are DNS-1123 labels rather than subdomains. */
const LABEL_NAMED_KINDS = new Set(['Namespace', 'Service']);

function violation(policy: string, object: KubeObject | string, message: string): Violation {
  return { policy, object: typeof object === 'string' ? object : ref(object), message };
}

function templates(ctx: ValidationContext): PodTemplate[] {
  return ctx.objects.flatMap((o) => podTemplate(o) ?? []);
}

function containersOf(t: PodTemplate): { container: Container; at: string }[] {
  return allContainers(t.spec).map((container) => ({
    container,
    at: `${t.path}.spec container ${container.name}`,
  }));
}

function inNamespace(ctx: ValidationContext, namespace: string | undefined): KubeObject[] {
  return ctx.objects.filter((o) => o.metadata.namespace === namespace);
}

const imagePinned: Policy = {
  id: 'image-pinned',
  summary: 'every container has an image pinned by digest (or an immutable registry tag)',
  check: (ctx) =>
    templates(ctx).flatMap((t) =>
      containersOf(t).flatMap(({ container, at }) => {
        const image = container.image;
        if (typeof image !== 'string' || image.trim() === '') {
          return [violation('image-pinned', t.owner, `${at}: no image`)];
        }
        if (DIGEST.test(image)) return [];
        const registry = IMMUTABLE_TAG_REGISTRIES.find((r) => image.startsWith(r.prefix));
        const tag = /:([^/:@]+)$/.exec(image)?.[1];
        if (registry && tag && registry.tag.test(tag)) return [];
        return [violation('image-pinned', t.owner, `${at}: ${image} is not pinned by digest`)];
      }),
    ),
};

const noLatest: Policy = {
  id: 'no-latest-tag',
  summary: 'no image uses the latest tag, even next to a digest',
  check: (ctx) =>
    templates(ctx).flatMap((t) =>
      containersOf(t).flatMap(({ container, at }) => {
        const name = (container.image ?? '').split('@')[0] as string;
        const tag = /:([^/:]+)$/.exec(name)?.[1];
        return tag === 'latest'
          ? [violation('no-latest-tag', t.owner, `${at}: ${container.image} uses latest`)]
          : [];
      }),
    ),
};

const validNames: Policy = {
  id: 'dns-names',
  summary: 'object, container and port names, and label values, are valid Kubernetes names',
  check: (ctx) =>
    ctx.objects.flatMap((o) => {
      const out: Violation[] = [];
      const name = o.metadata.name;
      const labelNamed = LABEL_NAMED_KINDS.has(o.kind);
      const ok = labelNamed
        ? DNS_LABEL.test(name) && name.length <= 63
        : DNS_SUBDOMAIN.test(name) && name.length <= 253;
      if (!ok) {
        out.push(
          violation(
            'dns-names',
            o,
            `metadata.name ${JSON.stringify(name)} is not a DNS-1123 ${labelNamed ? 'label' : 'subdomain'}`,
          ),
        );
      }
      if (o.metadata.namespace !== undefined && !DNS_LABEL.test(o.metadata.namespace)) {
        out.push(
          violation(
            'dns-names',
            o,
            `metadata.namespace ${o.metadata.namespace} is not a DNS-1123 label`,
          ),
        );
      }
      for (const [key, value] of Object.entries(o.metadata.labels ?? {})) {
        if (value.length > 63 || !LABEL_VALUE.test(value)) {
          out.push(
            violation(
              'dns-names',
              o,
              `label ${key}=${JSON.stringify(value)} is not a valid label value`,
            ),
          );
        }
      }
      const t = podTemplate(o);
      for (const { container, at } of t ? containersOf(t) : []) {
        if (!DNS_LABEL.test(container.name))
          out.push(violation('dns-names', o, `${at}: name is not a DNS-1123 label`));
        for (const port of container.ports ?? []) {
          if (port.name !== undefined && (port.name.length > 15 || !PORT_NAME.test(port.name))) {
            out.push(
              violation(
                'dns-names',
                o,
                `${at}: port name ${port.name} is not an IANA service name`,
              ),
            );
          }
        }
      }
      return out;
    }),
};

interface SelectorOwner {
  readonly object: KubeObject;
  readonly what: string;
  readonly selector: Readonly<Record<string, string>>;
}

/** Objects that select pods in their own namespace by `matchLabels` (or a Service's selector). */
function podSelectors(ctx: ValidationContext): SelectorOwner[] {
  const out: SelectorOwner[] = [];
  for (const o of ctx.objects) {
    const spec = (o.spec ?? {}) as Record<string, unknown>;
    const matchLabels = (s: unknown) =>
      (s as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
    if (o.kind === 'Service' && spec.selector) {
      out.push({
        object: o,
        what: 'spec.selector',
        selector: spec.selector as Record<string, string>,
      });
    }
    if (o.kind === 'PodDisruptionBudget') {
      out.push({ object: o, what: 'spec.selector', selector: matchLabels(spec.selector) ?? {} });
    }
    const np = matchLabels(spec.podSelector);
    // The empty selector of a default-deny policy selects every pod by design.
    if (o.kind === 'NetworkPolicy' && np && Object.keys(np).length > 0) {
      out.push({ object: o, what: 'spec.podSelector', selector: np });
    }
  }
  return out;
}

const selectorsMatch: Policy = {
  id: 'selectors-match',
  summary: 'every selector selects the pods it is meant for (workloads, Services, PDBs, policies)',
  check: (ctx) => {
    const out: Violation[] = [];
    const all = templates(ctx);
    for (const t of all) {
      const selector = (t.owner.spec as { selector?: { matchLabels?: Record<string, string> } })
        .selector;
      if (t.owner.kind !== 'CronJob' && t.owner.kind !== 'Job') {
        if (!selector?.matchLabels || Object.keys(selector.matchLabels).length === 0) {
          out.push(violation('selectors-match', t.owner, 'spec.selector.matchLabels is empty'));
        } else if (!matches(selector.matchLabels, t.labels)) {
          out.push(
            violation(
              'selectors-match',
              t.owner,
              'spec.selector does not match the pod template labels',
            ),
          );
        }
      }
      for (const [i, c] of (t.spec.topologySpreadConstraints ?? []).entries()) {
        if (!matches(c.labelSelector?.matchLabels, t.labels) || !c.labelSelector?.matchLabels) {
          out.push(
            violation(
              'selectors-match',
              t.owner,
              `topologySpreadConstraints[${i}] does not select its own pods`,
            ),
          );
        }
      }
    }
    for (const s of podSelectors(ctx)) {
      const hit = all.some(
        (t) =>
          t.owner.metadata.namespace === s.object.metadata.namespace &&
          matches(s.selector, t.labels),
      );
      if (!hit) out.push(violation('selectors-match', s.object, `${s.what} selects no pod`));
    }
    for (const o of ctx.objects.filter((x) => x.kind === 'ServiceMonitor')) {
      const spec = o.spec as {
        selector?: { matchLabels?: Record<string, string> };
        namespaceSelector?: { matchNames?: string[] };
        endpoints?: { port?: string }[];
      };
      const namespaces = spec.namespaceSelector?.matchNames ?? [o.metadata.namespace];
      const services = ctx.objects.filter(
        (x) =>
          x.kind === 'Service' &&
          namespaces.includes(x.metadata.namespace) &&
          matches(spec.selector?.matchLabels, x.metadata.labels ?? {}),
      );
      if (services.length === 0)
        out.push(violation('selectors-match', o, 'spec.selector selects no Service'));
      for (const ep of spec.endpoints ?? []) {
        const has = services.some((svc) =>
          ((svc.spec as { ports?: { name?: string }[] }).ports ?? []).some(
            (p) => p.name === ep.port,
          ),
        );
        if (services.length > 0 && !has) {
          out.push(
            violation('selectors-match', o, `endpoint port ${ep.port} is on no selected Service`),
          );
        }
      }
    }
    return out;
  },
};

const servicePorts: Policy = {
  id: 'service-ports',
  summary: "every Service port's targetPort is a port of each container group it selects",
  check: (ctx) =>
    ctx.objects
      .filter((o) => o.kind === 'Service')
      .flatMap((svc) => {
        const spec = svc.spec as {
          selector?: Record<string, string>;
          ports?: { name?: string; port: number; targetPort?: string | number }[];
        };
        if (!spec.selector) return [];
        const pods = templates(ctx).filter(
          (t) =>
            t.owner.metadata.namespace === svc.metadata.namespace &&
            matches(spec.selector, t.labels),
        );
        return (spec.ports ?? []).flatMap((p) => {
          const target = p.targetPort ?? p.port;
          return pods.flatMap((t) => {
            const ports = t.spec.containers.flatMap((c) => c.ports ?? []);
            const found = ports.some((cp) =>
              typeof target === 'string' ? cp.name === target : cp.containerPort === target,
            );
            return found
              ? []
              : [
                  violation(
                    'service-ports',
                    svc,
                    `port ${p.name ?? p.port} → ${target} is no container port of ${ref(t.owner)}`,
                  ),
                ];
          });
        });
      }),
};

/** Every reference from pods and RBAC to another object, with what it must resolve to. */
function references(
  o: KubeObject,
): { kind: string; namespace?: string; name: string; key?: string; at: string }[] {
  const out: { kind: string; namespace?: string; name: string; key?: string; at: string }[] = [];
  const ns = o.metadata.namespace;
  const t = podTemplate(o);
  if (t) {
    const claimTemplates = new Set(
      (
        (o.spec as { volumeClaimTemplates?: { metadata?: { name?: string } }[] })
          .volumeClaimTemplates ?? []
      ).map((v) => v.metadata?.name),
    );
    for (const v of t.spec.volumes ?? []) {
      if (v.configMap)
        out.push({
          kind: 'ConfigMap',
          namespace: ns,
          name: v.configMap.name,
          at: `volume ${v.name}`,
        });
      if (v.secret)
        out.push({
          kind: 'Secret',
          namespace: ns,
          name: v.secret.secretName,
          at: `volume ${v.name}`,
        });
      if (v.persistentVolumeClaim) {
        out.push({
          kind: 'PersistentVolumeClaim',
          namespace: ns,
          name: v.persistentVolumeClaim.claimName,
          at: `volume ${v.name}`,
        });
      }
      for (const s of v.projected?.sources ?? []) {
        if (s.configMap)
          out.push({
            kind: 'ConfigMap',
            namespace: ns,
            name: s.configMap.name,
            at: `volume ${v.name}`,
          });
        if (s.secret)
          out.push({ kind: 'Secret', namespace: ns, name: s.secret.name, at: `volume ${v.name}` });
      }
    }
    for (const c of allContainers(t.spec)) {
      for (const e of c.env ?? []) {
        const cm = e.valueFrom?.configMapKeyRef;
        const sec = e.valueFrom?.secretKeyRef;
        if (cm)
          out.push({
            kind: 'ConfigMap',
            namespace: ns,
            name: cm.name,
            key: cm.key,
            at: `env ${e.name}`,
          });
        if (sec) out.push({ kind: 'Secret', namespace: ns, name: sec.name, at: `env ${e.name}` });
      }
      for (const e of c.envFrom ?? []) {
        if (e.configMapRef)
          out.push({ kind: 'ConfigMap', namespace: ns, name: e.configMapRef.name, at: 'envFrom' });
        if (e.secretRef)
          out.push({ kind: 'Secret', namespace: ns, name: e.secretRef.name, at: 'envFrom' });
      }
      for (const m of c.volumeMounts ?? []) {
        const declared =
          (t.spec.volumes ?? []).some((v) => v.name === m.name) || claimTemplates.has(m.name);
        if (!declared)
          out.push({
            kind: 'Volume',
            namespace: ns,
            name: m.name,
            at: `container ${c.name} mount`,
          });
      }
    }
    if (t.spec.serviceAccountName) {
      out.push({
        kind: 'ServiceAccount',
        namespace: ns,
        name: t.spec.serviceAccountName,
        at: 'serviceAccountName',
      });
    }
    const serviceName = (o.spec as { serviceName?: string }).serviceName;
    if (o.kind === 'StatefulSet' && serviceName) {
      out.push({ kind: 'Service', namespace: ns, name: serviceName, at: 'spec.serviceName' });
    }
  }
  if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
    const roleRef = (o as unknown as { roleRef: { kind: string; name: string } }).roleRef;
    out.push({
      kind: roleRef.kind,
      namespace: roleRef.kind === 'Role' ? ns : undefined,
      name: roleRef.name,
      at: 'roleRef',
    });
    for (const s of (
      o as unknown as { subjects?: { kind: string; name: string; namespace?: string }[] }
    ).subjects ?? []) {
      if (s.kind === 'ServiceAccount') {
        out.push({ kind: 'ServiceAccount', namespace: s.namespace, name: s.name, at: 'subjects' });
      }
    }
  }
  return out;
}

const referencesResolve: Policy = {
  id: 'references',
  summary:
    'every ConfigMap, Secret, claim, account and role referred to is rendered or declared external',
  check: (ctx) =>
    ctx.objects.flatMap((o) =>
      references(o).flatMap((r) => {
        if (r.kind === 'Volume') {
          return [
            violation('references', o, `${r.at}: volume ${r.name} is not declared in the pod`),
          ];
        }
        const rendered = ctx.objects.find(
          (x) =>
            x.kind === r.kind && x.metadata.name === r.name && x.metadata.namespace === r.namespace,
        );
        const external = ctx.external.find(
          (x) => x.kind === r.kind && x.name === r.name && x.namespace === r.namespace,
        );
        if (r.kind === 'Secret' && rendered) {
          return [
            violation(
              'references',
              o,
              `${r.at}: Secret ${r.name} is rendered; secrets never go to Git`,
            ),
          ];
        }
        if (!rendered && !external) {
          return [
            violation(
              'references',
              o,
              `${r.at}: ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name} is neither rendered nor declared external`,
            ),
          ];
        }
        if (rendered && r.key !== undefined) {
          const data = (rendered as { data?: Record<string, string> }).data ?? {};
          if (!(r.key in data))
            return [violation('references', o, `${r.at}: ConfigMap ${r.name} has no key ${r.key}`)];
        }
        return [];
      }),
    ),
};

const securityContext: Policy = {
  id: 'security-context',
  summary:
    'restricted security context: non-root, read-only root, no escalation, drop ALL, RuntimeDefault',
  check: (ctx) =>
    templates(ctx).flatMap((t) => {
      const out: Violation[] = [];
      const pod = t.spec.securityContext ?? {};
      const v = (msg: string) => out.push(violation('security-context', t.owner, msg));
      if (t.spec.hostNetwork || t.spec.hostPID || t.spec.hostIPC)
        v(`${t.path}: shares a host namespace`);
      if ((t.spec.volumes ?? []).some((vol) => vol.hostPath !== undefined))
        v(`${t.path}: mounts a hostPath`);
      if (pod.runAsUser === 0) v(`${t.path}.spec.securityContext.runAsUser is 0`);
      for (const { container, at } of containersOf(t)) {
        const c = container.securityContext ?? {};
        if ((c.runAsNonRoot ?? pod.runAsNonRoot) !== true) v(`${at}: runAsNonRoot is not true`);
        if (c.runAsUser === 0) v(`${at}: runAsUser is 0`);
        if (c.allowPrivilegeEscalation !== false) v(`${at}: allowPrivilegeEscalation is not false`);
        if (c.readOnlyRootFilesystem !== true) v(`${at}: readOnlyRootFilesystem is not true`);
        if (c.privileged === true) v(`${at}: privileged`);
        if (!(c.capabilities?.drop ?? []).includes('ALL')) v(`${at}: capabilities.drop lacks ALL`);
        if ((c.capabilities?.add ?? []).length > 0) v(`${at}: adds capabilities`);
        const seccomp = c.seccompProfile?.type ?? pod.seccompProfile?.type;
        if (seccomp !== 'RuntimeDefault') v(`${at}: seccompProfile is not RuntimeDefault`);
      }
      return out;
    }),
};

const resourceLimits: Policy = {
  id: 'resource-limits',
  summary: 'every container requests and limits CPU and memory',
  check: (ctx) =>
    templates(ctx).flatMap((t) =>
      containersOf(t).flatMap(({ container, at }) =>
        (['requests', 'limits'] as const).flatMap((kind) =>
          (['cpu', 'memory'] as const).flatMap((res) =>
            container.resources?.[kind]?.[res] === undefined
              ? [
                  violation(
                    'resource-limits',
                    t.owner,
                    `${at}: resources.${kind}.${res} is not set`,
                  ),
                ]
              : [],
          ),
        ),
      ),
    ),
};

const probes: Policy = {
  id: 'probes',
  summary: 'every long-running container has a liveness and a readiness probe',
  check: (ctx) =>
    templates(ctx)
      .filter((t) => t.longRunning)
      .flatMap((t) =>
        t.spec.containers.flatMap((c) => [
          ...(c.livenessProbe
            ? []
            : [violation('probes', t.owner, `container ${c.name}: no livenessProbe`)]),
          ...(c.readinessProbe
            ? []
            : [violation('probes', t.owner, `container ${c.name}: no readinessProbe`)]),
        ]),
      ),
};

/** Env names that carry credentials and so must come from a Secret. */
const SECRET_ENV = /PASSWORD|PASSWD|TOKEN|SECRET|API_?KEY|CREDENTIAL|PRIVATE_?KEY|REDISCLI_AUTH/i;
/** Mapping keys whose string value would be a credential. */
const SECRET_KEY =
  /^(password|passwd|token|secret|api[-_]?key|credentials?|auth|requirepass|masterauth)$/i;
/** Credential shapes in any string. */
const SECRET_TEXT: readonly { what: string; re: RegExp }[] = [
  { what: 'a private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: 'an AWS access key', re: /\bAKIA[0-9A-Z]{16}\b/ },
  { what: 'a GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { what: 'a JWT', re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/ },
  { what: 'a URL with a password', re: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i },
  { what: 'a Redis password directive', re: /^\s*(requirepass|masterauth)\s+\S+/m },
];

const noSecretValues: Policy = {
  id: 'no-secret-values',
  summary: 'no Secret objects and no credential literals anywhere in the manifests',
  check: (ctx) =>
    ctx.objects.flatMap((o) => {
      const out: Violation[] = [];
      if (o.kind === 'Secret')
        out.push(violation('no-secret-values', o, 'Secret objects are never rendered'));
      const t = podTemplate(o);
      for (const { container, at } of t ? containersOf(t) : []) {
        for (const e of container.env ?? []) {
          if (SECRET_ENV.test(e.name) && e.value !== undefined) {
            out.push(violation('no-secret-values', o, `${at}: env ${e.name} has a literal value`));
          }
        }
      }
      const walk = (value: unknown, path: string): void => {
        if (typeof value === 'string') {
          for (const s of SECRET_TEXT) {
            if (s.re.test(value))
              out.push(violation('no-secret-values', o, `${path}: looks like ${s.what}`));
          }
          return;
        }
        if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${path}[${i}]`));
        if (typeof value === 'object' && value !== null) {
          for (const [k, v] of Object.entries(value)) {
            const at = path ? `${path}.${k}` : k;
            if (SECRET_KEY.test(k) && typeof v === 'string' && v !== '') {
              out.push(violation('no-secret-values', o, `${at}: holds a literal credential`));
            }
            walk(v, at);
          }
        }
      };
      walk(o, '');
      return out;
    }),
};

/** Verbs that let an account grant itself more than it has. */
const ESCALATING_VERBS = new Set(['escalate', 'bind', 'impersonate', '*']);

const rbacLeastPrivilege: Policy = {
  id: 'rbac-least-privilege',
  summary: 'no wildcard verbs, resources or groups; no secrets; no escalating verbs',
  check: (ctx) =>
    ctx.objects
      .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
      .flatMap((o) =>
        ((o as unknown as { rules?: Record<string, string[] | undefined>[] }).rules ?? []).flatMap(
          (rule, i) => {
            const out: Violation[] = [];
            const at = `rules[${i}]`;
            for (const field of [
              'verbs',
              'resources',
              'apiGroups',
              'resourceNames',
              'nonResourceURLs',
            ]) {
              if ((rule[field] ?? []).some((x) => x.includes('*'))) {
                out.push(violation('rbac-least-privilege', o, `${at}.${field} has a wildcard`));
              }
            }
            if ((rule.verbs ?? []).some((x) => ESCALATING_VERBS.has(x))) {
              out.push(
                violation('rbac-least-privilege', o, `${at}.verbs grants an escalating verb`),
              );
            }
            if ((rule.resources ?? []).some((r) => r === 'secrets' || r.startsWith('secrets/'))) {
              out.push(violation('rbac-least-privilege', o, `${at}: grants access to secrets`));
            }
            return out;
          },
        ),
      ),
};

const podSecurityAdmission: Policy = {
  id: 'pod-security-admission',
  summary: 'every rendered namespace enforces the restricted Pod Security Standard',
  check: (ctx) =>
    ctx.objects
      .filter((o) => o.kind === 'Namespace')
      .flatMap((o) =>
        o.metadata.labels?.['pod-security.kubernetes.io/enforce'] === 'restricted'
          ? []
          : [
              violation(
                'pod-security-admission',
                o,
                'pod-security.kubernetes.io/enforce is not restricted',
              ),
            ],
      ),
};

const defaultDeny: Policy = {
  id: 'network-default-deny',
  summary: 'every namespace with workloads has a default-deny policy for ingress and egress',
  check: (ctx) => {
    const namespaces = new Set(templates(ctx).map((t) => t.owner.metadata.namespace));
    return [...namespaces].flatMap((ns) => {
      const denies = inNamespace(ctx, ns).some((o) => {
        if (o.kind !== 'NetworkPolicy') return false;
        const spec = o.spec as {
          podSelector?: { matchLabels?: object };
          policyTypes?: string[];
          ingress?: unknown[];
          egress?: unknown[];
        };
        const all = Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0;
        const types = spec.policyTypes ?? [];
        return (
          all &&
          types.includes('Ingress') &&
          types.includes('Egress') &&
          !spec.ingress?.length &&
          !spec.egress?.length
        );
      });
      return denies
        ? []
        : [violation('network-default-deny', `Namespace ${ns}`, 'no default-deny NetworkPolicy')];
    });
  },
};

const syncWaves: Policy = {
  id: 'sync-waves',
  summary: 'every object carries an Argo CD sync wave; namespaces and RBAC sync before workloads',
  check: (ctx) => {
    const out: Violation[] = [];
    const wave = (o: KubeObject) => Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION]);
    for (const o of ctx.objects) {
      if (!Number.isInteger(wave(o)))
        out.push(violation('sync-waves', o, `no integer ${SYNC_WAVE_ANNOTATION}`));
    }
    const first = [
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
    ];
    const earliestWorkload = Math.min(
      ...ctx.objects
        .filter((o) => podTemplate(o))
        .map(wave)
        .filter(Number.isInteger),
    );
    for (const o of ctx.objects.filter((x) => first.includes(x.kind))) {
      if (wave(o) >= earliestWorkload)
        out.push(violation('sync-waves', o, 'must sync before every workload'));
    }
    return out;
  },
};

const placement: Policy = {
  id: 'placement',
  summary: 'long-running pods stay off control-plane nodes and spread over the workers',
  check: (ctx) =>
    templates(ctx).flatMap((t) => {
      const out: Violation[] = [];
      const spec = t.spec as unknown as {
        affinity?: {
          nodeAffinity?: {
            requiredDuringSchedulingIgnoredDuringExecution?: {
              nodeSelectorTerms?: { matchExpressions?: { key: string; operator: string }[] }[];
            };
          };
        };
        tolerations?: unknown[];
      };
      const terms =
        spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
          ?.nodeSelectorTerms ?? [];
      const workersOnly =
        terms.length > 0 &&
        terms.every((term) =>
          (term.matchExpressions ?? []).some(
            (e) =>
              e.key === 'node-role.kubernetes.io/control-plane' && e.operator === 'DoesNotExist',
          ),
        );
      if (!workersOnly) out.push(violation('placement', t.owner, 'not restricted to worker nodes'));
      if ((spec.tolerations ?? []).length > 0)
        out.push(violation('placement', t.owner, 'tolerates taints'));
      const spread = (t.spec.topologySpreadConstraints ?? []) as { topologyKey?: string }[];
      if (t.longRunning && !spread.some((c) => c.topologyKey === 'kubernetes.io/hostname')) {
        out.push(violation('placement', t.owner, 'no topology spread over nodes'));
      }
      return out;
    }),
};

/** Finds the KubeSchedulerConfiguration a kube-scheduler container loads with `--config`. */
const kubeSchedulerConfig: Policy = {
  id: 'kube-scheduler-config',
  summary:
    'the KubeSchedulerConfiguration uses only documented fields and follows the extender rules',
  check: (ctx) => {
    const out: Violation[] = [];
    for (const t of templates(ctx)) {
      for (const c of t.spec.containers) {
        const flag = [...(c.command ?? []), ...(c.args ?? [])].find((a) =>
          a.startsWith('--config='),
        );
        if (!(c.command ?? [])[0]?.endsWith('kube-scheduler') || !flag) continue;
        const file = flag.slice('--config='.length);
        const mount = (c.volumeMounts ?? []).find((m) => file.startsWith(`${m.mountPath}/`));
        const volume = (t.spec.volumes ?? []).find((v) => v.name === mount?.name);
        const cm = ctx.objects.find(
          (o) =>
            o.kind === 'ConfigMap' &&
            o.metadata.name === volume?.configMap?.name &&
            o.metadata.namespace === t.owner.metadata.namespace,
        );
        const text = (cm as { data?: Record<string, string> } | undefined)?.data?.[
          file.slice((mount?.mountPath.length ?? 0) + 1)
        ];
        if (text === undefined) {
          out.push(
            violation('kube-scheduler-config', t.owner, `${file} is not a rendered ConfigMap key`),
          );
          continue;
        }
        const config = parse(text) as Record<string, unknown>;
        for (const p of kubeSchedulerConfigProblems(config))
          out.push(violation('kube-scheduler-config', cm as KubeObject, p));
        // The extender is the sidecar: urlPrefix must point at one of this pod's own ports.
        for (const x of (config.extenders ?? []) as { urlPrefix?: string }[]) {
          const m = /^http:\/\/(127\.0\.0\.1|localhost):(\d+)$/.exec(x.urlPrefix ?? '');
          const ports = t.spec.containers.flatMap((k) =>
            (k.ports ?? []).map((p) => p.containerPort),
          );
          if (!m || !ports.includes(Number(m[2]))) {
            out.push(
              violation(
                'kube-scheduler-config',
                t.owner,
                `extender ${x.urlPrefix} is no port of this pod`,
              ),
            );
          }
        }
        const le = config.leaderElection as { resourceNamespace?: string } | undefined;
        if (le?.resourceNamespace !== t.owner.metadata.namespace) {
          out.push(
            violation(
              'kube-scheduler-config',
              t.owner,
              'leader election lock is not in the pod namespace',
            ),
          );
        }
      }
    }
    return out;
  },
};

/** Every policy, in the order violations are reported. */
export const POLICIES: readonly Policy[] = [
  imagePinned,
  noLatest,
  validNames,
  selectorsMatch,
  servicePorts,
  referencesResolve,
  securityContext,
  resourceLimits,
  probes,
  noSecretValues,
  rbacLeastPrivilege,
  podSecurityAdmission,
  defaultDeny,
  syncWaves,
  placement,
  kubeSchedulerConfig,
];

export function policyViolations(ctx: ValidationContext, policies = POLICIES): Violation[] {
  return policies.flatMap((p) => p.check(ctx));
}
