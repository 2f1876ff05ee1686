import {
  isDaemonSetPod,
  nodeAllocatable,
  nodeInternalIPs,
  podDemand,
} from '../src/kube-objects.js';
import { parseCpuMillicores, parseMemoryBytes, parseQuantity } from '../src/quantity.js';
import {
  exceedsHot,
  nodeScore,
  projectResource,
  resourceFitness,
  MAX_EXTENDER_PRIORITY,
  NEUTRAL_SCORE,
} from '../src/scoring.js';
import { GiB, makeNode, makePod, MiB } from './helpers.js';

const T = 0.7;
const DEFAULTS = { cpuMillicores: 100, memoryBytes: 200 * MiB };

describe('resourceFitness', () => {
  it.each([
    [0, 1],
    [0.35, 0.8],
    [0.7, 0.6],
    [0.85, 0.25],
    [1, 0],
    [1.3, 0],
  ])('at utilisation %p is %p', (u, expected) => {
    expect(resourceFitness(u, T)).toBeCloseTo(expected, 10);
  });

  it('gives an unknown resource the neutral 0.5', () => {
    expect(resourceFitness(NaN, T)).toBe(0.5);
  });

  it('ranks every node under the target above every node over it', () => {
    for (let under = 0; under <= T; under += 0.01) {
      for (let over = T + 0.001; over <= 1.2; over += 0.01) {
        expect(resourceFitness(under, T)).toBeGreaterThan(resourceFitness(over, T));
      }
    }
  });
});

describe('nodeScore', () => {
  it.each([
    // cpu, mem, score: balanced half-full, exactly at target, imbalanced, hot, over full, idle
    [0.35, 0.35, 8],
    [0.7, 0.7, 6],
    // min(1 - 0.4 * 0.6 / 0.7, 1 - 0.4 * 0.1 / 0.7) - 0.2 * 0.5 = 0.557 -> 6
    [0.6, 0.1, 6],
    [0.95, 0.4, 0],
    [1.2, 0.2, 0],
    [0, 0, 10],
  ])('cpu %p mem %p scores %p', (cpu, mem, score) => {
    expect(nodeScore(cpu, mem, T)).toBe(score);
  });

  it('is neutral when nothing is known, and capped at neutral when one resource is unknown', () => {
    expect(nodeScore(NaN, NaN, T)).toBe(NEUTRAL_SCORE);
    expect(nodeScore(NaN, 0.3, T)).toBe(NEUTRAL_SCORE);
    // Memory alone still warns of a hot node: 0.5 * (1 - 0.9) / 0.3 = 0.167 -> 2.
    expect(nodeScore(NaN, 0.9, T)).toBe(2);
  });

  it('returns integers 0..10 for every input, NaN and infinities included', () => {
    const values = [NaN, -Infinity, -1, 0, 0.1, 0.5, 0.69, 0.7, 0.71, 0.9, 1, 1.5, Infinity];
    for (const cpu of values) {
      for (const mem of values) {
        const score = nodeScore(cpu, mem, T);
        expect(Number.isInteger(score)).toBe(true);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(MAX_EXTENDER_PRIORITY);
      }
    }
  });

  it('prefers the node predicted to stay emptier, as long as both stay under the target', () => {
    expect(nodeScore(0.2, 0.2, T)).toBeGreaterThan(nodeScore(0.6, 0.6, T));
    expect(nodeScore(0.69, 0.69, T)).toBeGreaterThan(nodeScore(0.72, 0.72, T));
  });

  it('prefers the balanced node of two with the same busiest resource', () => {
    expect(nodeScore(0.5, 0.5, T)).toBeGreaterThan(nodeScore(0.5, 0.05, T));
  });
});

describe('projectResource', () => {
  it('adds the pod and in-flight pods as fractions of capacity to the forecast', () => {
    expect(projectResource(0.5, NaN, 0, 16000, 1600)).toBeCloseTo(0.6, 10);
    expect(projectResource(0.5, NaN, 800, 16000, 1600)).toBeCloseTo(0.65, 10);
  });

  it('falls back to requests over allocatable, not counting in-flight twice', () => {
    expect(projectResource(NaN, 8000, 800, 16000, 1600)).toBeCloseTo(0.6, 10);
  });

  it('is unknown without metrics and without request data', () => {
    expect(projectResource(NaN, NaN, 0, 16000, 1600)).toBeNaN();
    expect(projectResource(NaN, 8000, 0, NaN, 1600)).toBeNaN();
  });

  it('keeps the forecast alone when capacity is unknown, and never goes below zero', () => {
    expect(projectResource(0.5, NaN, 800, NaN, 1600)).toBe(0.5);
    expect(projectResource(-0.2, NaN, 0, 16000, 0)).toBe(0);
  });
});

describe('exceedsHot', () => {
  it('is true only above the threshold and never for unknown', () => {
    expect(exceedsHot(0.86, 0.85)).toBe(true);
    expect(exceedsHot(0.85, 0.85)).toBe(false);
    expect(exceedsHot(NaN, 0.85)).toBe(false);
  });
});

describe('quantities', () => {
  it.each([
    ['100m', 0.1],
    ['1.5', 1.5],
    ['200Mi', 200 * MiB],
    ['1Gi', GiB],
    ['1e3', 1000],
    ['1k', 1000],
    ['1G', 1e9],
    [7, 7],
  ])('%p is %p', (q, expected) => {
    expect(parseQuantity(q)).toBeCloseTo(expected, 6);
  });

  it.each([['abc'], ['-1'], [''], ['1Qi'], [null], [-3], [NaN], [{}]])('%p is unreadable', (q) => {
    expect(parseQuantity(q)).toBeUndefined();
  });

  it('converts CPU to millicores and memory to bytes, rounding up', () => {
    expect(parseCpuMillicores('100m')).toBe(100);
    expect(parseCpuMillicores('0.0001')).toBe(1);
    expect(parseCpuMillicores('2')).toBe(2000);
    expect(parseMemoryBytes('1Gi')).toBe(GiB);
    expect(parseMemoryBytes('1.5Ki')).toBe(1536);
  });
});

describe('podDemand', () => {
  it('reads requests', () => {
    expect(podDemand(makePod({ cpu: '500m', memory: '1Gi' }), DEFAULTS)).toEqual({
      cpuMillicores: 500,
      memoryBytes: GiB,
      cpuDefaulted: false,
      memoryDefaulted: false,
    });
  });

  it('reads limits when there are no requests', () => {
    const demand = podDemand(makePod({ cpu: '2', memory: '512Mi', limitsOnly: true }), DEFAULTS);
    expect([demand.cpuMillicores, demand.memoryBytes]).toEqual([2000, 512 * MiB]);
  });

  it('uses the defaults for a pod that states nothing, per resource', () => {
    expect(podDemand(makePod({}), DEFAULTS)).toEqual({
      cpuMillicores: 100,
      memoryBytes: 200 * MiB,
      cpuDefaulted: true,
      memoryDefaulted: true,
    });
    const cpuOnly = podDemand(makePod({ cpu: '250m' }), DEFAULTS);
    expect([cpuOnly.cpuMillicores, cpuOnly.memoryBytes, cpuOnly.memoryDefaulted]).toEqual([
      250,
      200 * MiB,
      true,
    ]);
  });

  it('sizes init containers, sidecars and overhead as the scheduler does', () => {
    const pod = {
      metadata: { name: 'p' },
      spec: {
        containers: [{ name: 'a', resources: { requests: { cpu: '200m' } } }],
        initContainers: [
          { name: 'sidecar', restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } },
          { name: 'migrate', resources: { requests: { cpu: '500m' } } },
        ],
        overhead: { cpu: '50m' },
      },
    };
    // app + sidecar = 300m; migrate runs beside the sidecar = 600m; the larger, plus 50m.
    expect(podDemand(pod, DEFAULTS).cpuMillicores).toBe(650);
  });

  it('survives any shape without throwing', () => {
    for (const pod of [null, 1, 'x', [], {}, { spec: null }, { spec: { containers: 'no' } }]) {
      expect(podDemand(pod, DEFAULTS).cpuMillicores).toBe(100);
    }
  });
});

describe('node and pod facts', () => {
  it('recognises DaemonSet pods by owner kind only', () => {
    expect(isDaemonSetPod(makePod({ daemonSet: true }))).toBe(true);
    expect(isDaemonSetPod(makePod({}))).toBe(false);
    expect(isDaemonSetPod({ metadata: { ownerReferences: 'DaemonSet' } })).toBe(false);
  });

  it('takes a DaemonSet pod only by its apps/v1 controller reference', () => {
    const withRef = (ref: Record<string, unknown>) => ({
      metadata: { name: 'p', ownerReferences: [{ name: 'ds', uid: 'u1', ...ref }] },
    });
    const controller = { apiVersion: 'apps/v1', kind: 'DaemonSet', controller: true };

    expect(isDaemonSetPod(withRef(controller))).toBe(true);
    expect(isDaemonSetPod(withRef({ kind: 'DaemonSet' }))).toBe(false);
    expect(isDaemonSetPod(withRef({ ...controller, controller: false }))).toBe(false);
    expect(isDaemonSetPod(withRef({ ...controller, controller: 'true' }))).toBe(false);
    expect(isDaemonSetPod(withRef({ ...controller, apiVersion: 'extensions/v1beta1' }))).toBe(
      false,
    );
    expect(isDaemonSetPod(withRef({ ...controller, apiVersion: 'example.com/v1' }))).toBe(false);
  });

  it('reads allocatable and InternalIP from a Node object', () => {
    const node = makeNode('n1', { cpu: '3500m', memory: '14Gi', ip: '10.1.2.3' });
    expect(nodeAllocatable(node)).toEqual({ cpuMillicores: 3500, memoryBytes: 14 * GiB });
    expect(nodeInternalIPs(node)).toEqual(['10.1.2.3']);
    expect(nodeAllocatable({ status: {} })).toEqual({ cpuMillicores: NaN, memoryBytes: NaN });
  });
});
