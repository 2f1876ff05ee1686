/**
 * Fixtures shared by the extender tests: configuration, Kubernetes objects shaped like the ones
 * kube-scheduler sends, a deterministic stand-in for the trained model, and log capture.
 */
import type { LoadForecast, LoadPredictor, NodeSample } from '@mlsched/core';
import pino from 'pino';
import { Writable } from 'node:stream';
import { loadConfig, type ExtenderConfig } from '../src/config.js';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

/** Configuration from defaults plus overrides, as the process would read it. */
export function testConfig(env: Record<string, string> = {}): ExtenderConfig {
  return loadConfig({ LOG_LEVEL: 'silent', ...env });
}

/**
 * A deterministic model: forecasts the mean of the history it is given, plus `bias`. A test
 * double for the trained model (the extender only sees the LoadPredictor interface).
 */
export class MeanPredictor implements LoadPredictor {
  readonly version = '2026-01-02T03-04-05Z-test01';
  readonly horizonSeconds = 300;
  readonly historySeconds = 900;
  calls = 0;
  closed = false;

  constructor(private readonly bias = 0) {}

  predict(history: readonly NodeSample[], _now: number): LoadForecast | undefined {
    this.calls++;
    if (history.length === 0) return undefined;
    let cpu = 0;
    let mem = 0;
    for (const s of history) {
      cpu += s.cpu;
      mem += s.mem;
    }
    return { cpu: cpu / history.length + this.bias, mem: mem / history.length + this.bias };
  }

  close(): void {
    this.closed = true;
  }
}

export interface PodOptions {
  readonly name?: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly limitsOnly?: boolean;
  readonly daemonSet?: boolean;
  readonly uid?: string;
  readonly nodeName?: string;
  readonly phase?: string;
}

/** A Pod as kube-scheduler sends it in ExtenderArgs. */
export function makePod(opts: PodOptions = {}): Record<string, unknown> {
  const amounts: Record<string, string> = {};
  if (opts.cpu) amounts.cpu = opts.cpu;
  if (opts.memory) amounts.memory = opts.memory;
  const resources = opts.limitsOnly ? { limits: amounts } : { requests: amounts };
  return {
    metadata: {
      name: opts.name ?? 'web-0',
      namespace: 'default',
      uid: opts.uid ?? `uid-${opts.name ?? 'web-0'}`,
      ownerReferences: opts.daemonSet
        ? [
            {
              apiVersion: 'apps/v1',
              kind: 'DaemonSet',
              name: 'node-exporter',
              uid: 'ds-1',
              controller: true,
            },
          ]
        : [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: 'web-5d8f',
              uid: 'rs-1',
              controller: true,
            },
          ],
    },
    spec: {
      ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      containers: [{ name: 'app', image: 'registry.example/web:1.2.3', resources }],
      schedulerName: 'default-scheduler',
    },
    status: { phase: opts.phase ?? 'Pending' },
  };
}

export interface NodeOptions {
  readonly cpu?: string;
  readonly memory?: string;
  readonly ip?: string;
  /** Container images listed in status.images; realistic nodes carry dozens. */
  readonly images?: number;
}

const digest = (i: number): string => (i * 7919).toString(16).padStart(64, 'a');

/** A full Node object of realistic size: labels, annotations, conditions, images. */
export function makeNode(name: string, opts: NodeOptions = {}): Record<string, unknown> {
  const images = Array.from({ length: opts.images ?? 40 }, (_, i) => ({
    names: [
      `registry.example/team-${i % 7}/service-${i}@sha256:${digest(i)}`,
      `registry.example/team-${i % 7}/service-${i}:v${i}.${i % 10}.0`,
    ],
    sizeBytes: 50_000_000 + i * 1_234_567,
  }));
  const ip = opts.ip ?? '10.0.0.1';
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: {
      name,
      uid: `node-uid-${name}`,
      resourceVersion: '12345',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'm6i.4xlarge',
        'topology.kubernetes.io/region': 'eu-west-1',
        'topology.kubernetes.io/zone': 'eu-west-1a',
        'node-role.kubernetes.io/worker': '',
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        'csi.volume.kubernetes.io/nodeid': JSON.stringify({ 'ebs.csi.aws.com': `i-0${name}` }),
      },
    },
    spec: {
      podCIDR: '10.244.1.0/24',
      podCIDRs: ['10.244.1.0/24'],
      providerID: `aws:///eu-west-1a/i-0${name}`,
    },
    status: {
      capacity: {
        cpu: opts.cpu ?? '16',
        memory: opts.memory ?? '65536Mi',
        pods: '110',
        'ephemeral-storage': '100Gi',
      },
      allocatable: {
        cpu: opts.cpu ?? '16',
        memory: opts.memory ?? '65536Mi',
        pods: '110',
        'ephemeral-storage': '95Gi',
      },
      conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({
        type,
        status: type === 'Ready' ? 'True' : 'False',
        lastHeartbeatTime: '2026-01-01T00:10:00Z',
        lastTransitionTime: '2026-01-01T00:00:00Z',
        reason: type === 'Ready' ? 'KubeletReady' : `KubeletHasNo${type}`,
        message: type === 'Ready' ? 'kubelet is posting ready status' : `kubelet has no ${type}`,
      })),
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: 'ec2a0000000000000000000000000000',
        systemUUID: 'ec2a0000-0000-0000-0000-000000000000',
        bootID: '00000000-0000-0000-0000-000000000000',
        kernelVersion: '6.1.0-18-amd64',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        containerRuntimeVersion: 'containerd://1.7.13',
        kubeletVersion: 'v1.32.2',
        kubeProxyVersion: 'v1.32.2',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      images,
    },
  };
}

/** An ExtenderArgs body in nodeCacheCapable mode. */
export function namesArgs(pod: unknown, names: readonly string[]): Record<string, unknown> {
  return { Pod: pod, Nodes: null, NodeNames: names };
}

/** An ExtenderArgs body with full Node objects (nodeCacheCapable: false). */
export function nodesArgs(pod: unknown, nodes: readonly unknown[]): Record<string, unknown> {
  return { Pod: pod, Nodes: { metadata: {}, items: nodes }, NodeNames: null };
}

/** A pino logger whose lines are kept in memory as parsed objects. */
export function captureLog(level = 'debug'): {
  logger: pino.Logger;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

/** Value of one series in Prometheus text format, or undefined when absent. */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (.+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[3] ?? '';
    const found: Record<string, string> = {};
    for (const m of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      found[m[1] as string] = m[2] as string;
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[4]);
  }
  return undefined;
}
