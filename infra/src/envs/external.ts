import type { EnvironmentConfig } from './types.js';

/** An object the manifests refer to that is deliberately not rendered. */
export interface ExternalObject {
  readonly kind: 'Secret' | 'Role' | 'ClusterRole' | 'ConfigMap';
  readonly namespace?: string;
  readonly name: string;
  /** Why it is not in Git, and who creates it. */
  readonly reason: string;
}

/**
 * What an environment's cluster must already have. The validation tests accept a reference to
 * these and to nothing else outside the rendered manifests; infra/README.md lists them for the
 * person preparing a cluster.
 */
export function externalObjects(env: EnvironmentConfig): ExternalObject[] {
  return [
    {
      kind: 'Secret',
      namespace: env.namespace,
      name: env.redis.passwordSecret.name,
      reason: `Redis password (key ${env.redis.passwordSecret.key}); created out of band, never in Git`,
    },
    {
      kind: 'Role',
      namespace: 'kube-system',
      name: 'extension-apiserver-authentication-reader',
      reason: 'built-in role every cluster bootstraps',
    },
  ];
}
