import { ManualClock } from '../src/clock.js';
import { InflightTracker, type InflightChange } from '../src/inflight.js';
import { makePod, MiB } from './helpers.js';

const DEFAULTS = { cpuMillicores: 100, memoryBytes: 200 * MiB };

function tracker(
  clock = new ManualClock(),
  lastSample: Record<string, number> = {},
): InflightTracker {
  return new InflightTracker({
    clock,
    defaults: DEFAULTS,
    lastSampleAt: (node) => lastSample[node] ?? NaN,
  });
}

describe('InflightTracker (X06)', () => {
  it('counts a placed pod on its node until deleted, then returns to exactly zero', () => {
    const t = tracker();
    t.place({ uid: 'a', node: 'n1', cpuMillicores: 500, memoryBytes: 256 * MiB });
    t.place({ uid: 'b', node: 'n1', cpuMillicores: 250, memoryBytes: 64 * MiB });
    expect(t.inflight('n1')).toEqual({ pods: 2, cpuMillicores: 750, memoryBytes: 320 * MiB });

    t.remove('a');
    t.remove('b');

    expect(t.inflight('n1')).toEqual({ pods: 0, cpuMillicores: 0, memoryBytes: 0 });
    expect(t.requested('n1')).toEqual({ pods: 0, cpuMillicores: 0, memoryBytes: 0 });
    expect([...t.inflightNodes()]).toEqual([]);
  });

  it('moves a pod that shows up on another node in one event', () => {
    const t = tracker();
    t.place({ uid: 'a', node: 'n1', cpuMillicores: 500, memoryBytes: 256 * MiB });

    t.place({ uid: 'a', node: 'n2', cpuMillicores: 500, memoryBytes: 256 * MiB });

    expect(t.inflight('n1').pods).toBe(0);
    expect(t.inflight('n1').cpuMillicores).toBe(0);
    expect(t.inflight('n2')).toEqual({ pods: 1, cpuMillicores: 500, memoryBytes: 256 * MiB });
  });

  it('ends the estimate when the node reports a sample taken after the placement', () => {
    const clock = new ManualClock();
    const t = tracker(clock);
    t.place({ uid: 'a', node: 'n1', cpuMillicores: 500, memoryBytes: 256 * MiB });
    const placedAt = clock.now();

    t.sampleIngested('n1', placedAt - 5);
    expect(t.inflight('n1').pods).toBe(1);
    t.sampleIngested('n2', placedAt + 15);
    expect(t.inflight('n1').pods).toBe(1);
    t.sampleIngested('n1', placedAt + 15);

    expect(t.inflight('n1').pods).toBe(0);
    // Still bound: request-based scoring keeps counting it.
    expect(t.requested('n1').cpuMillicores).toBe(500);
  });

  it('does not count pods bound before the node’s newest sample as in flight', () => {
    const clock = new ManualClock();
    const t = tracker(clock, { n1: clock.now() });
    t.place({
      uid: 'a',
      node: 'n1',
      cpuMillicores: 500,
      memoryBytes: 1,
      placedAt: clock.now() - 60,
    });
    expect(t.inflight('n1').pods).toBe(0);
    expect(t.requested('n1').pods).toBe(1);
  });

  it('expires estimates of nodes that never report again', () => {
    const clock = new ManualClock();
    const t = new InflightTracker({ clock, maxAgeSeconds: 120 });
    t.place({ uid: 'a', node: 'n1', cpuMillicores: 500, memoryBytes: 1 });
    clock.advance(121);
    t.expire();
    expect(t.inflight('n1').pods).toBe(0);
  });

  it('follows pod watch events: bind, move, fail, delete', () => {
    const t = tracker();
    const pod = makePod({
      name: 'p',
      cpu: '300m',
      memory: '100Mi',
      nodeName: 'n1',
      phase: 'Running',
    });
    t.handlePodEvent('add', pod as never);
    expect(t.inflight('n1')).toEqual({ pods: 1, cpuMillicores: 300, memoryBytes: 100 * MiB });

    t.handlePodEvent(
      'update',
      makePod({ name: 'p', cpu: '300m', memory: '100Mi', nodeName: 'n2' }) as never,
    );
    expect(t.inflight('n1').pods).toBe(0);
    expect(t.inflight('n2').pods).toBe(1);

    t.handlePodEvent('update', makePod({ name: 'p', nodeName: 'n2', phase: 'Failed' }) as never);
    expect(t.inflight('n2').pods).toBe(0);

    t.handlePodEvent('add', makePod({ name: 'q', nodeName: 'n3' }) as never);
    expect(t.inflight('n3')).toEqual({ pods: 1, cpuMillicores: 100, memoryBytes: 200 * MiB });
    t.handlePodEvent('delete', makePod({ name: 'q', nodeName: 'n3' }) as never);
    expect(t.inflight('n3').pods).toBe(0);
    expect(t.size).toBe(0);
  });

  it('forgets a pod whose binding was undone (no nodeName any more)', () => {
    const t = tracker();
    t.handlePodEvent('add', makePod({ name: 'p', nodeName: 'n1' }) as never);
    t.handlePodEvent('update', makePod({ name: 'p' }) as never);
    expect(t.inflight('n1').pods).toBe(0);
  });

  it('uses the PodScheduled time of listed pods, so old pods are not in flight', () => {
    const clock = new ManualClock(Date.parse('2026-01-01T01:00:00Z') / 1000);
    const t = tracker(clock, { n1: clock.now() - 10 });
    const pod = makePod({ name: 'old', nodeName: 'n1', phase: 'Running' }) as Record<
      string,
      unknown
    >;
    const status = {
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
      ],
    };
    t.handlePodEvent('add', { ...pod, status } as never);
    expect(t.inflight('n1').pods).toBe(0);
    expect(t.requested('n1').pods).toBe(1);
  });

  it('reports pods entering and leaving flight, and amounts that change, nothing else', () => {
    const clock = new ManualClock(1000);
    const t = tracker(clock, { n2: 2000 });
    const changes: InflightChange[] = [];
    t.onInflightChange((c) => changes.push(c));

    t.place({ uid: 'a', node: 'n1', cpuMillicores: 500, memoryBytes: MiB });
    t.place({ uid: 'a', node: 'n1', cpuMillicores: 500, memoryBytes: MiB });
    t.place({ uid: 'a', node: 'n1', cpuMillicores: 700, memoryBytes: MiB });
    t.place({ uid: 'old', node: 'n2', cpuMillicores: 1, memoryBytes: 1, placedAt: 1500 });
    t.sampleIngested('n1', 1001);
    t.remove('old');

    expect(changes).toEqual([
      {
        kind: 'inflight',
        uid: 'a',
        placement: { uid: 'a', node: 'n1', cpuMillicores: 500, memoryBytes: MiB, placedAt: 1000 },
      },
      {
        kind: 'inflight',
        uid: 'a',
        placement: { uid: 'a', node: 'n1', cpuMillicores: 700, memoryBytes: MiB, placedAt: 1000 },
      },
      { kind: 'settled', uid: 'a' },
    ]);
    expect(t.maxAge).toBe(600);
  });
});
