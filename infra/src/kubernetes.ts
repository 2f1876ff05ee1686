/**
 * The Kubernetes release every environment runs, declared once. Everything version-bound derives
 * from it: the cdk8s-plus line the manifests are typed with (cdk8s-plus-34), the kube-scheduler
 * image the ML scheduler runs, and the Pod Security Admission version the namespace enforces. A
 * test fails when these drift apart.
 *
 * 1.34 is the newest release with a cdk8s-plus line; clusters on 1.35 accept these manifests
 * too (kube-scheduler may be one minor older than the API server), but the typed API stops at
 * 1.34, so a field added later cannot be used here without a newer cdk8s-plus line.
 */
export const KUBERNETES_MINOR = '1.34';

/**
 * kube-scheduler for the second scheduler. Its minor must equal `KUBERNETES_MINOR`: the
 * KubeSchedulerConfiguration fields, default plugins and RBAC needs below are those of 1.34.
 * Tag and digest as published on registry.k8s.io (whose tags are immutable); the digest is the
 * multi-arch index digest.
 */
export const KUBE_SCHEDULER_IMAGE =
  'registry.k8s.io/kube-scheduler:v1.34.3' +
  '@sha256:f9a9bc7948fd804ef02255fe82ac2e85d2a66534bae2fe1348c14849260a1fe2';

/** The Pod Security Standards version the namespaces enforce, e.g. `v1.34`. */
export const POD_SECURITY_VERSION = `v${KUBERNETES_MINOR}`;
