import type { k8s } from 'cdk8s-plus-34';

/** Workers only: control-plane nodes are tainted and reserved for the control plane. */
export function workerAffinity(): k8s.Affinity {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' },
            ],
          },
        ],
      },
    },
  };
}

/** At most one replica more on any worker than on another, counted per rollout revision. */
export function spreadOverWorkers(selector: Record<string, string>): k8s.TopologySpreadConstraint {
  return {
    maxSkew: 1,
    topologyKey: 'kubernetes.io/hostname',
    whenUnsatisfiable: 'DoNotSchedule',
    labelSelector: { matchLabels: selector },
    matchLabelKeys: ['pod-template-hash'],
  };
}
