import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';

import { POD_SECURITY_VERSION } from '../kubernetes.js';
import { PART_OF } from './labels.js';
import { podsIn, tcp, udp } from './network.js';

export interface ProjectNamespaceProps {
  readonly name: string;
}

/**
 * The namespace, locked down before anything runs in it: Pod Security Admission enforces the
 * `restricted` standard, and a default-deny policy blocks all traffic in and out except DNS.
 * Each component then opens exactly the flows it needs, next to its own definition.
 */
export class ProjectNamespace extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: ProjectNamespaceProps) {
    super(scope, id);
    this.name = props.name;

    const psa = Object.fromEntries(
      (['enforce', 'audit', 'warn'] as const).flatMap((mode) => [
        [`pod-security.kubernetes.io/${mode}`, 'restricted'],
        [`pod-security.kubernetes.io/${mode}-version`, POD_SECURITY_VERSION],
      ]),
    );
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: { name: props.name, labels: { ...PART_OF, ...psa } },
    });

    new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: { name: 'default-deny-all', namespace: props.name, labels: { ...PART_OF } },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });

    // Every pod resolves Service names (Redis, Prometheus); only the cluster DNS may answer.
    new k8s.KubeNetworkPolicy(this, 'allow-dns', {
      metadata: { name: 'allow-dns-egress', namespace: props.name, labels: { ...PART_OF } },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [podsIn('kube-system', { 'k8s-app': 'kube-dns' })],
            ports: [udp(53), tcp(53)],
          },
        ],
      },
    });
  }
}
