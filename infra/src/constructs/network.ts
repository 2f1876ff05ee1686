import { k8s } from 'cdk8s-plus-34';

/** A peer for the pods labelled `podLabels` in namespace `namespace`. */
export function podsIn(
  namespace: string,
  podLabels: Readonly<Record<string, string>>,
): k8s.NetworkPolicyPeer {
  return {
    // Every namespace carries this label (set by the API server since 1.22).
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
    podSelector: { matchLabels: { ...podLabels } },
  };
}

export function tcp(port: number): k8s.NetworkPolicyPort {
  return { protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) };
}

export function udp(port: number): k8s.NetworkPolicyPort {
  return { protocol: 'UDP', port: k8s.IntOrString.fromNumber(port) };
}
