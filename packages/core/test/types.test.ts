import { SIX_NODE_CLUSTER } from '../src/index';

describe('the reference six-node cluster', () => {
  it('has three tainted control-plane nodes and three workers', () => {
    const roles = SIX_NODE_CLUSTER.map((n) => `${n.role}:${n.tainted}`);

    expect(roles.filter((r) => r === 'control-plane:true')).toHaveLength(3);
    expect(roles.filter((r) => r === 'worker:false')).toHaveLength(3);
  });
});
