import type { NodeSpec } from './types.js';

const GiB = 1024 ** 3;

/**
 * The cluster every environment runs on and the demo replays against: three control-plane nodes
 * (tainted NoSchedule, so only DaemonSets and the control plane land there) and three workers.
 * Capacities are allocatable, not raw, which is what the scheduler compares requests against.
 */
export const SIX_NODE_CLUSTER: readonly NodeSpec[] = [
  {
    name: 'cp-1',
    role: 'control-plane',
    internalIP: '10.0.0.11',
    cpuCores: 4,
    memoryBytes: 16 * GiB,
    tainted: true,
  },
  {
    name: 'cp-2',
    role: 'control-plane',
    internalIP: '10.0.0.12',
    cpuCores: 4,
    memoryBytes: 16 * GiB,
    tainted: true,
  },
  {
    name: 'cp-3',
    role: 'control-plane',
    internalIP: '10.0.0.13',
    cpuCores: 4,
    memoryBytes: 16 * GiB,
    tainted: true,
  },
  {
    name: 'worker-1',
    role: 'worker',
    internalIP: '10.0.1.21',
    cpuCores: 16,
    memoryBytes: 64 * GiB,
    tainted: false,
  },
  {
    name: 'worker-2',
    role: 'worker',
    internalIP: '10.0.1.22',
    cpuCores: 16,
    memoryBytes: 64 * GiB,
    tainted: false,
  },
  {
    name: 'worker-3',
    role: 'worker',
    internalIP: '10.0.1.23',
    cpuCores: 16,
    memoryBytes: 64 * GiB,
    tainted: false,
  },
];
