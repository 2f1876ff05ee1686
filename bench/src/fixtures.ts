/**
 * The cluster every benchmark runs against: Node objects the size a kubelet really posts, the
 * pods bound to each node, and half an hour of load samples per node. Everything is derived
 * from a seed, so two runs (and the extender and the baseline within a run) see the same nodes.
 */
import {
  generateSyntheticSeries,
  seededRandom,
  type NodeRequestView,
  type NodeSample,
  type PodRequests,
} from '@mlsched/core';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Sample period of the history, as the extender's default refresh writes it. */
export const SAMPLE_STEP_SECONDS = 15;
/** History kept per node: the model's full window (HISTORY_SECONDS). */
export const HISTORY_SPAN_SECONDS = 1800;
/** Unix seconds of the first history sample. */
export const HISTORY_START = 1_700_000_000;
/** Every this-many-th node runs hot, so the filter has nodes to reject. */
export const HOT_NODE_EVERY = 10;

interface NodeShape {
  readonly instanceType: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly maxPods: number;
}

// Three common general-purpose sizes; kube-reserved takes ~90 millicores and ~1.1 GiB from each
// in allocatable, as on a managed node group.
const SHAPES: readonly NodeShape[] = [
  { instanceType: 'm6i.2xlarge', cores: 8, memoryGiB: 32, maxPods: 58 },
  { instanceType: 'm6i.4xlarge', cores: 16, memoryGiB: 64, maxPods: 110 },
  { instanceType: 'm6i.8xlarge', cores: 32, memoryGiB: 128, maxPods: 110 },
];
const RESERVED_CPU_MILLI = 90;
const RESERVED_MEMORY_BYTES = 1_153_433_600;

/** Requests of the pods already on the nodes (millicores, bytes), cycled per node. */
const BOUND_POD_REQUESTS: readonly (readonly [number, number])[] = [
  [100, 128 * MiB],
  [250, 256 * MiB],
  [500, 512 * MiB],
  [1000, 2 * GiB],
  [0, 0],
  [200, 384 * MiB],
];

/** What kube-scheduler asks about: a Deployment's pod requesting 500m and 512Mi. */
export const POD_CPU_MILLI = 500;
export const POD_MEMORY_BYTES = 512 * MiB;

export interface BenchNode {
  readonly name: string;
  readonly internalIP: string;
  readonly allocatableCpuMilli: number;
  readonly allocatableMemoryBytes: number;
  readonly maxPods: number;
  /** The Node object's resourceVersion, so the store and the requests agree on it. */
  readonly resourceVersion: string;
  /** Requests of the pods bound to the node (millicores, bytes). */
  readonly pods: readonly (readonly [number, number])[];
  /** Load samples, oldest first, HISTORY_SPAN_SECONDS long. */
  readonly history: readonly NodeSample[];
}

export interface BenchCluster {
  readonly nodes: readonly BenchNode[];
  /** Time the benchmarks run at: just after every node's newest sample. */
  readonly now: number;
}

/** A node name as a managed node group assigns them (from the InternalIP). */
function nodeName(ip: string): string {
  return `ip-${ip.replaceAll('.', '-')}.eu-west-1.compute.internal`;
}

/** Builds `count` nodes with bound pods and load history, deterministic for `seed`. */
export function buildCluster(count: number, seed = 7): BenchCluster {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`nodes must be a positive integer, got ${count}`);
  }
  const series = [
    ...generateSyntheticSeries({
      seed,
      nodes: count,
      startTime: HISTORY_START,
      durationSeconds: HISTORY_SPAN_SECONDS,
      stepSeconds: SAMPLE_STEP_SECONDS,
    }).values(),
  ];
  const rand = seededRandom(seed + 1);
  const nodes: BenchNode[] = [];
  for (let i = 0; i < count; i++) {
    const shape = SHAPES[i % SHAPES.length] as NodeShape;
    const ip = `10.${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    const podCount = 4 + Math.floor(rand() * 16);
    const pods = Array.from(
      { length: podCount },
      (_, p) => BOUND_POD_REQUESTS[(i + p) % BOUND_POD_REQUESTS.length] as [number, number],
    );
    const samples = series[i] as NodeSample[];
    const hot = i % HOT_NODE_EVERY === HOT_NODE_EVERY - 1;
    nodes.push({
      name: nodeName(ip),
      internalIP: ip,
      allocatableCpuMilli: shape.cores * 1000 - RESERVED_CPU_MILLI,
      allocatableMemoryBytes: shape.memoryGiB * GiB - RESERVED_MEMORY_BYTES,
      maxPods: shape.maxPods,
      resourceVersion: String(800_000_000 + i * 17),
      pods,
      history: hot
        ? samples.map((s) => ({ t: s.t, cpu: Math.min(0.99, s.cpu + 0.5), mem: s.mem }))
        : samples,
    });
  }
  const newest = (nodes[0] as BenchNode).history.at(-1) as NodeSample;
  return { nodes, now: newest.t + 5 };
}

/** The pod of every request, as kube-scheduler serialises it. */
export function benchPod(): Record<string, unknown> {
  return {
    metadata: {
      name: 'checkout-7f9c6d5b8-x2vqk',
      generateName: 'checkout-7f9c6d5b8-',
      namespace: 'shop',
      uid: '5c1f2a9e-3b7d-4e61-9a0c-2f8e6d4b1a73',
      resourceVersion: '918273645',
      creationTimestamp: '2026-03-02T10:15:42Z',
      labels: { app: 'checkout', 'pod-template-hash': '7f9c6d5b8' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'checkout-7f9c6d5b8',
          uid: '0d4e8b1c-6a2f-4c93-8e57-b1f0a3d92c64',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: [
        {
          name: 'checkout',
          image: 'registry.example.com/shop/checkout:2.14.1',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          resources: {
            requests: { cpu: `${POD_CPU_MILLI}m`, memory: `${POD_MEMORY_BYTES / MiB}Mi` },
            limits: { memory: '1Gi' },
          },
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      serviceAccountName: 'checkout',
      schedulerName: 'default-scheduler',
      priority: 0,
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
    },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

/** The same pod as the request-based baseline reads it. */
export function benchPodRequests(): PodRequests {
  return {
    name: 'shop/checkout-7f9c6d5b8-x2vqk',
    cpuMilli: POD_CPU_MILLI,
    memBytes: POD_MEMORY_BYTES,
    toleratesControlPlane: false,
  };
}

/** The nodes as kube-scheduler's in-tree resource plugins see them. */
export function requestViews(nodes: readonly BenchNode[]): NodeRequestView[] {
  return nodes.map((node) => {
    let cpu = 0;
    let mem = 0;
    let nzCpu = 0;
    let nzMem = 0;
    for (const [podCpu, podMem] of node.pods) {
      cpu += podCpu;
      mem += podMem;
      // The scheduler's non-zero defaults for pods that request nothing (LeastAllocated).
      nzCpu += podCpu === 0 ? 100 : podCpu;
      nzMem += podMem === 0 ? 200 * MiB : podMem;
    }
    return {
      name: node.name,
      allocatableCpuMilli: node.allocatableCpuMilli,
      allocatableMemBytes: node.allocatableMemoryBytes,
      requestedCpuMilli: cpu,
      requestedMemBytes: mem,
      nonZeroRequestedCpuMilli: nzCpu,
      nonZeroRequestedMemBytes: nzMem,
      pods: node.pods.length,
      maxPods: node.maxPods,
      tainted: false,
    };
  });
}

const hex = (rand: () => number, length: number): string => {
  let out = '';
  while (out.length < length) out += Math.floor(rand() * 0x100000000).toString(16);
  return out.slice(0, length);
};

const uuid = (rand: () => number): string =>
  [8, 4, 4, 4, 12].map((length) => hex(rand, length)).join('-');

// Images a typical worker has pulled: the node's DaemonSets plus the workloads that ran there.
const IMAGE_REPOS: readonly string[] = [
  '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni',
  '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni-init',
  '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy',
  '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/pause',
  '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/aws-ebs-csi-driver',
  '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/csi-node-driver-registrar',
  '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/livenessprobe',
  'quay.io/prometheus/node-exporter',
  'docker.io/fluent/fluent-bit',
  'registry.k8s.io/ingress-nginx/controller',
  'quay.io/jetstack/cert-manager-controller',
  'docker.io/grafana/promtail',
  'registry.example.com/shop/checkout',
  'registry.example.com/shop/cart',
  'registry.example.com/shop/catalog',
  'registry.example.com/shop/payments',
  'registry.example.com/shop/search',
  'registry.example.com/shop/recommendations',
  'registry.example.com/platform/auth-proxy',
  'registry.example.com/platform/feature-flags',
  'docker.io/library/redis',
  'docker.io/library/nginx',
  'docker.io/bitnami/kafka-exporter',
  'quay.io/oauth2-proxy/oauth2-proxy',
  'registry.example.com/data/etl-worker',
  'registry.example.com/data/stream-joiner',
];

/**
 * A Node object as the API server serves it to kube-scheduler (about 9 KB of JSON): labels,
 * annotations, taints-free spec, capacity and allocatable, five conditions, addresses, node info
 * and the images the kubelet reports (its default cap is 50; a worker that has run a few
 * dozen workloads reports 25–40). managedFields are left out: kube-scheduler's informer drops
 * them before objects reach an extender.
 */
export function kubeletNode(node: BenchNode, index: number): Record<string, unknown> {
  const rand = seededRandom(1000 + index);
  const shape = SHAPES[index % SHAPES.length] as NodeShape;
  const zone = `eu-west-1${'abc'[index % 3] as string}`;
  const instanceId = `i-0${hex(rand, 16)}`;
  const memoryKi = (shape.memoryGiB * GiB) / KiB - 520_000;
  const allocatableKi = node.allocatableMemoryBytes / KiB;
  const heartbeat = '2026-03-02T10:14:58Z';
  const conditions = [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
  ].map(([type, status, reason, message]) => ({
    type,
    status,
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: '2026-02-27T08:02:11Z',
    reason,
    message,
  }));
  const imageCount = 26 + Math.floor(rand() * 8);
  const images = Array.from({ length: imageCount }, (_, i) => {
    const repo = IMAGE_REPOS[(index + i) % IMAGE_REPOS.length] as string;
    return {
      names: [`${repo}@sha256:${hex(rand, 64)}`, `${repo}:v${1 + (i % 4)}.${i % 17}.${i % 5}`],
      sizeBytes: 8_000_000 + Math.floor(rand() * 400_000_000),
    };
  });

  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: {
      name: node.name,
      uid: uuid(rand),
      resourceVersion: node.resourceVersion,
      creationTimestamp: '2026-02-27T08:01:37Z',
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/instance-type': shape.instanceType,
        'beta.kubernetes.io/os': 'linux',
        'eks.amazonaws.com/capacityType': 'ON_DEMAND',
        'eks.amazonaws.com/nodegroup': `general-${shape.instanceType.split('.')[1] as string}`,
        'eks.amazonaws.com/nodegroup-image': 'ami-0a1b2c3d4e5f60718',
        'eks.amazonaws.com/sourceLaunchTemplateId': `lt-0${hex(rand, 16)}`,
        'eks.amazonaws.com/sourceLaunchTemplateVersion': '4',
        'failure-domain.beta.kubernetes.io/region': 'eu-west-1',
        'failure-domain.beta.kubernetes.io/zone': zone,
        'k8s.io/cloud-provider-aws': hex(rand, 32),
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': shape.instanceType,
        'topology.ebs.csi.aws.com/zone': zone,
        'topology.k8s.aws/zone-id': `euw1-az${1 + (index % 3)}`,
        'topology.kubernetes.io/region': 'eu-west-1',
        'topology.kubernetes.io/zone': zone,
      },
      annotations: {
        'alpha.kubernetes.io/provided-node-ip': node.internalIP,
        'csi.volume.kubernetes.io/nodeid': JSON.stringify({ 'ebs.csi.aws.com': instanceId }),
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { providerID: `aws:///${zone}/${instanceId}` },
    status: {
      capacity: {
        cpu: String(shape.cores),
        'ephemeral-storage': '104845292Ki',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: `${memoryKi}Ki`,
        pods: String(shape.maxPods),
      },
      allocatable: {
        cpu: `${node.allocatableCpuMilli}m`,
        'ephemeral-storage': '95551679124',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: `${allocatableKi}Ki`,
        pods: String(node.maxPods),
      },
      conditions,
      addresses: [
        { type: 'InternalIP', address: node.internalIP },
        { type: 'InternalDNS', address: node.name },
        { type: 'Hostname', address: node.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: hex(rand, 32),
        systemUUID: `ec2${uuid(rand).slice(3)}`,
        bootID: uuid(rand),
        kernelVersion: '6.1.128-136.201.amzn2023.x86_64',
        osImage: 'Amazon Linux 2023.6.20250218',
        containerRuntimeVersion: 'containerd://1.7.25',
        kubeletVersion: 'v1.32.1-eks-5d632ec',
        kubeProxyVersion: 'v1.32.1-eks-5d632ec',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      images,
    },
  };
}
