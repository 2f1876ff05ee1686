import {
  combineScores,
  createRng,
  kubeDefaultFilter,
  kubeDefaultScores,
  MAX_EXTENDER_PRIORITY,
  type NodeRequestView,
  type PodRequests,
  selectHost,
} from '@mlsched/core';
import { parse } from 'yaml';

import { goDuration } from '../src/kube-scheduler-config';
import { goDurationMs, kubeSchedulerConfigProblems } from '../src/validate/kube-scheduler-config';
import { clone, find } from './support';

const ENVS = ['dev', 'staging', 'prod'] as const;
const GiB = 1024 ** 3;

interface RenderedExtender {
  urlPrefix: string;
  weight: number;
  nodeCacheCapable: boolean;
  ignorable: boolean;
  httpTimeout: string;
  managedResources?: unknown;
}

/** The KubeSchedulerConfiguration as kube-scheduler reads it from the rendered ConfigMap. */
function renderedConfig(env: string): Record<string, unknown> & {
  extenders: RenderedExtender[];
  profiles: Record<string, unknown>[];
} {
  const cm = find(env, 'ConfigMap', 'mlsched-scheduler-config') as unknown as {
    data: Record<string, string>;
  };
  return parse(cm.data['config.yaml'] as string);
}

describe.each(ENVS)('the shipped KubeSchedulerConfiguration of %s', (env) => {
  test('has no problem: documented fields only, extender rules hold', () => {
    expect(kubeSchedulerConfigProblems(renderedConfig(env))).toEqual([]);
  });

  test('one extender on the pod loopback, filter and prioritize, ignorable, fast timeout', () => {
    const config = renderedConfig(env);

    expect(config.extenders).toEqual([
      {
        urlPrefix: 'http://127.0.0.1:8888',
        filterVerb: 'filter',
        prioritizeVerb: 'prioritize',
        weight: 2,
        enableHTTPS: false,
        httpTimeout: '1s',
        nodeCacheCapable: true,
        ignorable: true,
      },
    ]);
    expect(goDurationMs(config.extenders[0]?.httpTimeout)).toBeLessThan(5000);
  });

  test('schedules only its own profile and elects a leader in its namespace', () => {
    const config = renderedConfig(env);

    expect(config.profiles).toEqual([{ schedulerName: 'mlsched-scheduler' }]);
    expect(config.leaderElection).toEqual({
      leaderElect: true,
      leaseDuration: '15s',
      renewDeadline: '10s',
      retryPeriod: '2s',
      resourceLock: 'leases',
      resourceName: 'mlsched-scheduler',
      resourceNamespace: 'mlsched',
    });
  });

  test('X07: the shipped weight lets a full extender preference overturn a 150-point gap', () => {
    const weight = renderedConfig(env).extenders[0]!.weight;
    const inTree = new Map([
      ['A', 40],
      ['B', 190],
    ]);
    const extender = new Map([
      ['A', MAX_EXTENDER_PRIORITY],
      ['B', 0],
    ]);

    const shipped = combineScores({ inTree, extender, extenderWeight: weight });
    const lower = combineScores({ inTree, extender, extenderWeight: weight - 1 });

    expect(Object.fromEntries(shipped)).toEqual({ A: 240, B: 190 });
    expect(selectHost(shipped, createRng(7))).toBe('A');
    // One less and the extender decides nothing: the weight is what makes the difference.
    expect(selectHost(lower, createRng(7))).toBe('B');
  });

  test('X11: nodeCacheCapable is true, so kube-scheduler sends node names, not 1,000 Node objects', () => {
    expect(renderedConfig(env).extenders.map((x) => x.nodeCacheCapable)).toEqual([true]);
  });

  test('X12: the request-based plugins still score the real nodes and keep a pod off a busy one', () => {
    const config = renderedConfig(env);
    // Why it holds: with nodeCacheCapable the extender never returns Node objects for
    // kube-scheduler to score, and no plugin is disabled or reweighted, so NodeResourcesFit and
    // BalancedAllocation score kube-scheduler's own view of each node's requests.
    expect(config.extenders[0]!.nodeCacheCapable).toBe(true);
    expect(
      config.profiles.every((p) => p.plugins === undefined && p.pluginConfig === undefined),
    ).toBe(true);

    const node = (name: string, cpuMilli: number): NodeRequestView => ({
      name,
      allocatableCpuMilli: 16_000,
      allocatableMemBytes: 64 * GiB,
      requestedCpuMilli: cpuMilli,
      requestedMemBytes: cpuMilli === 0 ? 0 : 8 * GiB,
      nonZeroRequestedCpuMilli: cpuMilli,
      nonZeroRequestedMemBytes: cpuMilli === 0 ? 0 : 8 * GiB,
      pods: cpuMilli === 0 ? 0 : 6,
      maxPods: 110,
      tainted: false,
    });
    const nodes = [node('busy', 14_400), node('worker-2', 0), node('worker-3', 0)];
    const pod: PodRequests = {
      name: 'p',
      cpuMilli: 1000,
      memBytes: GiB,
      toleratesControlPlane: false,
    };
    const inTree = kubeDefaultScores(
      pod,
      nodes.filter((n) => kubeDefaultFilter(pod, nodes).feasible.includes(n.name)),
    );

    for (let seed = 0; seed < 20; seed++) {
      const total = combineScores({
        inTree: new Map([...inTree].map(([n, s]) => [n, s.total])),
        // The extender passes all three and has no reason to prefer one.
        extender: new Map(nodes.map((n) => [n.name, 5])),
        extenderWeight: config.extenders[0]!.weight,
      });
      expect(selectHost(total, createRng(seed))).not.toBe('busy');
    }
  });
});

describe('KubeSchedulerConfiguration checks fail on a broken configuration', () => {
  const base = () =>
    clone(renderedConfig('dev')) as unknown as Record<string, unknown> & {
      extenders: Record<string, unknown>[];
    };

  test('an undocumented field anywhere', () => {
    const config = base();
    config.extenders[0]!.timeout = '1s';
    (config.leaderElection as Record<string, unknown>).leaseSeconds = 15;

    expect(kubeSchedulerConfigProblems(config)).toEqual([
      'leaderElection.leaseSeconds: unknown field',
      'extenders[0].timeout: unknown field',
    ]);
  });

  test.each([
    ['urlPrefix', 'http://127.0.0.1:8888/', 'extenders[0].urlPrefix: must not end with /'],
    ['urlPrefix', 'localhost:8888', 'extenders[0].urlPrefix: must be an http(s) URL'],
    ['filterVerb', undefined, 'extenders[0].filterVerb: required, a plain path segment'],
    [
      'prioritizeVerb',
      '/prioritize',
      'extenders[0].prioritizeVerb: required, a plain path segment',
    ],
    ['weight', 0, 'extenders[0].weight: must be a positive integer when prioritizeVerb is set'],
    ['weight', 1.5, 'extenders[0].weight: must be a positive integer when prioritizeVerb is set'],
    ['httpTimeout', '5s', 'extenders[0].httpTimeout: must be a Go duration above 0 and below 5s'],
    [
      'httpTimeout',
      '1 second',
      'extenders[0].httpTimeout: must be a Go duration above 0 and below 5s',
    ],
    ['nodeCacheCapable', false, 'extenders[0].nodeCacheCapable: must be true (cases X11, X12)'],
    [
      'ignorable',
      false,
      'extenders[0].ignorable: must be true, or an extender outage blocks all scheduling',
    ],
    [
      'managedResources',
      [{ name: 'example.com/gpu' }],
      'extenders[0].managedResources: must be absent, or pods skip the extender',
    ],
    ['bindVerb', 'bind', 'extenders[0].bindVerb: the extender does not bind; kube-scheduler must'],
    ['enableHTTPS', true, 'extenders[0].enableHTTPS: must match the scheme of urlPrefix'],
  ])('extender %s = %j', (field, value, problem) => {
    const config = base();
    if (value === undefined) delete config.extenders[0]![field];
    else config.extenders[0]![field] = value;

    expect(kubeSchedulerConfigProblems(config)).toEqual([problem]);
  });

  test('no profiles, or the default-scheduler profile, would compete with the default scheduler', () => {
    const none = base();
    delete none.profiles;
    const taken = base();
    taken.profiles = [{ schedulerName: 'default-scheduler' }];

    expect(kubeSchedulerConfigProblems(none)).toEqual([
      'profiles: required; without them this scheduler claims default-scheduler pods',
    ]);
    expect(kubeSchedulerConfigProblems(taken)).toEqual([
      'profiles[0].schedulerName: default-scheduler belongs to the default scheduler',
    ]);
  });

  test('leader election off, on the default lock, or with impossible timings', () => {
    const config = base();
    Object.assign(config.leaderElection as object, {
      leaderElect: false,
      resourceName: 'kube-scheduler',
      renewDeadline: '20s',
    });

    expect(kubeSchedulerConfigProblems(config)).toEqual([
      'leaderElection.leaderElect: must be true, or every replica schedules at once',
      'leaderElection.resourceName: must not be the default scheduler lock',
      'leaderElection.leaseDuration: must exceed renewDeadline',
    ]);
  });

  test('a wrong apiVersion or kind', () => {
    const config = base();
    config.apiVersion = 'kubescheduler.config.k8s.io/v1beta3';
    config.kind = 'Policy';

    expect(kubeSchedulerConfigProblems(config)).toEqual([
      'apiVersion: must be kubescheduler.config.k8s.io/v1',
      'kind: must be KubeSchedulerConfiguration',
    ]);
  });
});

describe('Go durations', () => {
  test.each([
    ['1s', 1000],
    ['750ms', 750],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['2h', 7_200_000],
  ])('%s is %d ms', (text, ms) => {
    expect(goDurationMs(text)).toBe(ms);
  });

  test.each(['', '1', 's', '1 s', '-1s', 5])('%j is not a duration', (value) => {
    expect(goDurationMs(value)).toBeUndefined();
  });

  test('milliseconds render as the shortest Go duration', () => {
    expect([goDuration(1000), goDuration(750), goDuration(2500)]).toEqual([
      '1s',
      '750ms',
      '2500ms',
    ]);
  });
});
