import { k8s } from 'cdk8s-plus-34';

import type { ResourceSpec } from '../envs/types.js';

/** An environment's resource setting as a container's `resources`, requests and limits both set. */
export function containerResources(spec: ResourceSpec): k8s.ResourceRequirements {
  return {
    requests: {
      cpu: k8s.Quantity.fromString(`${spec.requests.cpuMilli}m`),
      memory: k8s.Quantity.fromString(`${spec.requests.memoryMiB}Mi`),
    },
    limits: {
      cpu: k8s.Quantity.fromString(`${spec.limits.cpuMilli}m`),
      memory: k8s.Quantity.fromString(`${spec.limits.memoryMiB}Mi`),
    },
  };
}
