import type { k8s } from 'cdk8s-plus-34';

/** The uid/gid the project's own images run as (the `node` user of the Node.js images). */
export const APP_UID = 1000;

export interface PodIdentity {
  readonly uid: number;
  readonly gid: number;
  /** Group that owns mounted volumes; needed where a pod writes to a persistent volume. */
  readonly fsGroup?: number;
}

/**
 * Pod-level half of the Pod Security Standard `restricted`: never root, the runtime's seccomp
 * profile. Explicit ids, because `runAsNonRoot` alone rejects images whose USER is a name.
 */
export function restrictedPodSecurity(id: PodIdentity): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: id.uid,
    runAsGroup: id.gid,
    ...(id.fsGroup === undefined
      ? {}
      : { fsGroup: id.fsGroup, fsGroupChangePolicy: 'OnRootMismatch' }),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Container-level half: no privilege escalation, no capabilities, a read-only root filesystem
 * (writable paths are explicit emptyDir or persistent volumes).
 */
export function restrictedContainerSecurity(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
