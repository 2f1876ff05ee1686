import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIX_NODE_CLUSTER, buildSyntheticWorkload, type PolicyStats } from '@mlsched/core';
import { UsageError, parseDemoArgs } from '../src/args';
import { ExtenderCallError, ExtenderClient, podJson } from '../src/extender-client';
import { explainPlacementCounts, percentile } from '../src/report';

describe('demo flags', () => {
  it('reads seed, hours and data dir, with defaults', () => {
    const args = parseDemoArgs(['--seed', '7', '--hours', '0.5', '--data-dir', '/tmp/x'], {});

    expect(args).toMatchObject({ seed: 7, hours: 0.5, dataDir: '/tmp/x', synthetic: false });
    expect(parseDemoArgs([], { MLSCHED_DATA_DIR: '/data' })).toMatchObject({
      seed: 1,
      hours: 4,
      dataDir: '/data',
      trainRows: 60_000,
    });
  });

  it('names the flag and the problem for bad values', () => {
    expect(() => parseDemoArgs(['--seed', '1.5'], {})).toThrow(
      new UsageError('--seed: "1.5" is not an integer in 0..4294967295'),
    );
    expect(() => parseDemoArgs(['--hours=-1'], {})).toThrow('--hours: "-1" is not a number');
    expect(() => parseDemoArgs(['--hours', 'NaN'], {})).toThrow('--hours: "NaN"');
    expect(() => parseDemoArgs(['--nope'], {})).toThrow(UsageError);
  });
});

describe('ExtenderClient checks replies as kube-scheduler would', () => {
  let server: Server;
  let reply: { status: number; body: string } = { status: 200, body: '{}' };
  const seen: unknown[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url, body: JSON.parse(body) });
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const client = (): ExtenderClient =>
    new ExtenderClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });
  const pod = podJson(
    buildSyntheticWorkload({ seed: 1, hours: 1, nodes: SIX_NODE_CLUSTER }).pods[0]!,
  );

  it('sends { Pod, NodeNames } and reads NodeNames back', async () => {
    reply = { status: 200, body: JSON.stringify({ NodeNames: ['worker-2'], FailedNodes: {} }) };
    const c = client();

    await expect(c.filter(pod, ['worker-1', 'worker-2'])).resolves.toEqual(['worker-2']);
    expect(seen.at(-1)).toEqual({
      url: '/filter',
      body: { Pod: pod, NodeNames: ['worker-1', 'worker-2'] },
    });
    expect(pod.spec.containers[0]?.resources.requests.cpu).toMatch(/^\d+m$/);
    expect(c.stats().filter).toEqual({ calls: 1, errors: 0 });
  });

  it('rejects a filter reply naming a node it was not asked about', async () => {
    reply = { status: 200, body: JSON.stringify({ NodeNames: ['cp-1'] }) };
    const c = client();

    await expect(c.filter(pod, ['worker-1'])).rejects.toThrow(
      new ExtenderCallError('filter', 'NodeNames holds nodes not asked about: cp-1'),
    );
    expect(c.stats().filter).toEqual({ calls: 1, errors: 1 });
  });

  it('rejects non-integer scores, non-arrays and non-200 replies to prioritize', async () => {
    const c = client();

    reply = { status: 200, body: JSON.stringify([{ Host: 'worker-1', Score: 2.5 }]) };
    await expect(c.prioritize(pod, ['worker-1'])).rejects.toThrow('is not {Host, integer Score}');
    reply = { status: 200, body: JSON.stringify({ Host: 'worker-1', Score: 2 }) };
    await expect(c.prioritize(pod, ['worker-1'])).rejects.toThrow('reply is not a JSON array');
    reply = { status: 500, body: '{"Error":"boom"}' };
    await expect(c.prioritize(pod, ['worker-1'])).rejects.toThrow('status 500');
    reply = { status: 200, body: JSON.stringify([{ Host: 'worker-1', Score: 7 }]) };
    await expect(c.prioritize(pod, ['worker-1'])).resolves.toEqual(new Map([['worker-1', 7]]));

    expect(c.stats().prioritize).toEqual({ calls: 4, errors: 3 });
    expect(c.stats().latenciesMs).toHaveLength(3);
  });
});

describe('report helpers', () => {
  it('takes nearest-rank percentiles', () => {
    expect(percentile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 0.99)).toBe(5);
    expect(percentile([], 0.5)).toBe(0);
  });

  it('explains a difference in placed pods from the counters', () => {
    const stats = (placed: number, notPlaced: number) =>
      ({ podsPlaced: placed, podsNotPlaced: notPlaced }) as PolicyStats;

    expect(explainPlacementCounts(stats(10, 2), stats(10, 2), 0)).toBe(
      'both policies placed the same number of pods',
    );
    expect(explainPlacementCounts(stats(8, 4), stats(10, 2), 1)).toBe(
      'ml-extender placed 2 fewer pods than kube-default: of its 4 unplaced pods, 1 were held ' +
        "back at least once by the extender's filter and 3 never found a worker with room by " +
        'requests (the policies spread requests differently, so later pods met different free space)',
    );
  });
});
