/**
 * What the extender reads from Pod and Node objects. kube-scheduler forwards objects as the API
 * server stores them, but the extender treats every field as untrusted: a field of the wrong
 * shape counts as absent, and nothing here throws.
 */
import { parseCpuMillicores, parseMemoryBytes } from './quantity.js';

/** CPU and memory in the units the scheduler counts in. */
export interface ResourceAmounts {
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
}

/** What a pod is expected to use, and whether each figure is a configured default. */
export interface PodDemand extends ResourceAmounts {
  /** True when no container states CPU requests or limits, so the default was used. */
  readonly cpuDefaulted: boolean;
  /** True when no container states memory requests or limits, so the default was used. */
  readonly memoryDefaulted: boolean;
}

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Obj)
    : undefined;
}

function arr(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

interface ContainerAmounts {
  cpu: number;
  mem: number;
}

// Requests first, then limits: the API server copies limits into missing requests, so a pod
// object that has limits but no requests comes from a client that skipped defaulting.
function containerAmounts(container: unknown): ContainerAmounts {
  const resources = obj(obj(container)?.resources);
  const requests = obj(resources?.requests);
  const limits = obj(resources?.limits);
  return {
    cpu: parseCpuMillicores(requests?.cpu) ?? parseCpuMillicores(limits?.cpu) ?? 0,
    mem: parseMemoryBytes(requests?.memory) ?? parseMemoryBytes(limits?.memory) ?? 0,
  };
}

/**
 * A pod's effective demand, computed the way the scheduler sizes a pod: app containers and
 * restartable (sidecar) init containers run together; an ordinary init container runs alone
 * beside the sidecars started before it; the pod needs the larger of the two, plus overhead.
 * A resource the pod states nothing about gets the configured default, so an unannotated pod is
 * never treated as free.
 */
export function podDemand(pod: unknown, defaults: ResourceAmounts): PodDemand {
  const spec = obj(obj(pod)?.spec);
  let cpu = 0;
  let mem = 0;
  for (const container of arr(spec?.containers)) {
    const amounts = containerAmounts(container);
    cpu += amounts.cpu;
    mem += amounts.mem;
  }

  let sidecarCpu = 0;
  let sidecarMem = 0;
  let initPeakCpu = 0;
  let initPeakMem = 0;
  for (const container of arr(spec?.initContainers)) {
    const amounts = containerAmounts(container);
    if (obj(container)?.restartPolicy === 'Always') {
      sidecarCpu += amounts.cpu;
      sidecarMem += amounts.mem;
      initPeakCpu = Math.max(initPeakCpu, sidecarCpu);
      initPeakMem = Math.max(initPeakMem, sidecarMem);
    } else {
      initPeakCpu = Math.max(initPeakCpu, sidecarCpu + amounts.cpu);
      initPeakMem = Math.max(initPeakMem, sidecarMem + amounts.mem);
    }
  }
  cpu = Math.max(cpu + sidecarCpu, initPeakCpu);
  mem = Math.max(mem + sidecarMem, initPeakMem);

  const overhead = obj(spec?.overhead);
  cpu += parseCpuMillicores(overhead?.cpu) ?? 0;
  mem += parseMemoryBytes(overhead?.memory) ?? 0;

  return {
    cpuMillicores: cpu > 0 ? cpu : defaults.cpuMillicores,
    memoryBytes: mem > 0 ? mem : defaults.memoryBytes,
    cpuDefaulted: cpu <= 0,
    memoryDefaulted: mem <= 0,
  };
}

/**
 * True when a DaemonSet controls the pod: such pods must land on their node whatever its load.
 * Kubernetes identifies a DaemonSet's pods by the controller reference (`controller: true`,
 * `apps/v1`), as kube-scheduler itself does; any object may merely be listed as an owner, and a
 * pod must not skip the load filter by listing one.
 */
export function isDaemonSetPod(pod: unknown): boolean {
  const refs = arr(obj(obj(pod)?.metadata)?.ownerReferences);
  return refs.some((raw) => {
    const ref = obj(raw);
    return ref?.kind === 'DaemonSet' && ref.apiVersion === 'apps/v1' && ref.controller === true;
  });
}

/** `namespace/name` of a pod, for logs; `?` for parts that are missing. */
export function podKey(pod: unknown): string {
  const meta = obj(obj(pod)?.metadata);
  const ns = typeof meta?.namespace === 'string' ? meta.namespace : '?';
  const name = typeof meta?.name === 'string' ? meta.name : '?';
  return `${ns}/${name}`;
}

/** A node's allocatable CPU and memory; each is NaN when the object does not state it. */
export function nodeAllocatable(node: unknown): ResourceAmounts {
  const allocatable = obj(obj(obj(node)?.status)?.allocatable);
  return {
    cpuMillicores: parseCpuMillicores(allocatable?.cpu) ?? NaN,
    memoryBytes: parseMemoryBytes(allocatable?.memory) ?? NaN,
  };
}

/** The node's InternalIP addresses, which Prometheus `instance` labels usually carry. */
export function nodeInternalIPs(node: unknown): string[] {
  const ips: string[] = [];
  for (const address of arr(obj(obj(node)?.status)?.addresses)) {
    const a = obj(address);
    if (a?.type === 'InternalIP' && typeof a.address === 'string' && a.address.length > 0) {
      ips.push(a.address);
    }
  }
  return ips;
}

/** `metadata.name` of an object, or undefined. */
export function objectName(value: unknown): string | undefined {
  const name = obj(obj(value)?.metadata)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** `metadata.resourceVersion` of an object, or undefined. */
export function resourceVersion(value: unknown): string | undefined {
  const rv = obj(obj(value)?.metadata)?.resourceVersion;
  return typeof rv === 'string' ? rv : undefined;
}
