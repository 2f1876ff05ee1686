import type { KubeObject } from '../render.js';

/** A container as the policies read it. */
export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly env?: readonly EnvVar[];
  readonly envFrom?: readonly {
    readonly configMapRef?: { readonly name: string };
    readonly secretRef?: { readonly name: string };
  }[];
  readonly resources?: {
    readonly requests?: Record<string, unknown>;
    readonly limits?: Record<string, unknown>;
  };
  readonly securityContext?: SecurityContext;
  readonly livenessProbe?: unknown;
  readonly readinessProbe?: unknown;
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string }[];
}

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly name: string; readonly key: string };
    readonly configMapKeyRef?: { readonly name: string; readonly key: string };
  };
}

export interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly allowPrivilegeEscalation?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly privileged?: boolean;
  readonly capabilities?: { readonly drop?: readonly string[]; readonly add?: readonly string[] };
  readonly seccompProfile?: { readonly type?: string };
}

export interface Volume {
  readonly name: string;
  readonly configMap?: {
    readonly name: string;
    readonly items?: readonly { readonly key: string }[];
  };
  readonly secret?: { readonly secretName: string };
  readonly persistentVolumeClaim?: { readonly claimName: string };
  readonly hostPath?: unknown;
  readonly projected?: {
    readonly sources?: readonly {
      readonly configMap?: { readonly name: string };
      readonly secret?: { readonly name: string };
    }[];
  };
}

export interface PodSpec {
  readonly containers: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly volumes?: readonly Volume[];
  readonly securityContext?: SecurityContext & { readonly runAsUser?: number };
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken?: boolean;
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly topologySpreadConstraints?: readonly {
    readonly labelSelector?: { readonly matchLabels?: Record<string, string> };
  }[];
}

/** A workload's pod template, with where it sits in the object for messages. */
export interface PodTemplate {
  readonly owner: KubeObject;
  readonly path: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: PodSpec;
  /** Deployments and StatefulSets run for good; Jobs run to completion. */
  readonly longRunning: boolean;
}

type Rec = Record<string, unknown>;

/** The pod template of a workload object, or undefined for other kinds. */
export function podTemplate(object: KubeObject): PodTemplate | undefined {
  const spec = object.spec as Rec | undefined;
  let template: Rec | undefined;
  let path: string;
  let longRunning = true;
  switch (object.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      template = spec?.template as Rec | undefined;
      path = 'spec.template';
      break;
    case 'Job':
      template = spec?.template as Rec | undefined;
      path = 'spec.template';
      longRunning = false;
      break;
    case 'CronJob':
      template = ((spec?.jobTemplate as Rec | undefined)?.spec as Rec | undefined)?.template as
        Rec | undefined;
      path = 'spec.jobTemplate.spec.template';
      longRunning = false;
      break;
    default:
      return undefined;
  }
  if (!template) return undefined;
  const metadata = (template.metadata ?? {}) as { labels?: Record<string, string> };
  return {
    owner: object,
    path,
    labels: metadata.labels ?? {},
    spec: (template.spec ?? { containers: [] }) as PodSpec,
    longRunning,
  };
}

export function allContainers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

/** `Kind namespace/name`, the way every violation names its object. */
export function ref(object: KubeObject): string {
  const ns = object.metadata.namespace;
  return `${object.kind} ${ns ? `${ns}/` : ''}${object.metadata.name}`;
}

/** Whether every label of `selector` is on `labels` (an empty selector matches everything). */
export function matches(
  selector: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}
