/**
 * The pod and node watch, with @kubernetes/client-node talking HTTP to a loopback server that
 * answers list and watch calls the way the API server does (JSON lists, newline-delimited watch
 * events on a held-open response).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../src/clock.js';
import { InflightTracker } from '../src/inflight.js';
import { NodeMetricsStore } from '../src/node-metrics.js';
import { startKubeWatch, type KubeWatch } from '../src/pod-watch.js';
import { captureLog, makeNode, makePod } from './helpers.js';

interface FakeApi {
  readonly url: string;
  /** Sends a watch event on every open pod watch. */
  podEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: unknown): void;
  /** Paths requested, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

async function startFakeApi(opts: { failFirstPodList?: boolean }): Promise<FakeApi> {
  const requests: string[] = [];
  const podWatches = new Set<ServerResponse>();
  let podLists = 0;
  const listed = makePod({
    name: 'web-0',
    uid: 'uid-web-0',
    cpu: '500m',
    memory: '256Mi',
    nodeName: 'n1',
    phase: 'Running',
  });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${url.pathname}${url.searchParams.get('watch') ? '?watch' : ''}`);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      if (url.pathname === '/api/v1/pods') {
        podWatches.add(res);
        res.on('close', () => podWatches.delete(res));
      }
      return;
    }
    if (url.pathname === '/api/v1/pods') {
      podLists++;
      if (opts.failFirstPodList && podLists === 1) {
        json(500, { kind: 'Status', status: 'Failure', message: 'etcd timeout', code: 500 });
        return;
      }
      expect(url.searchParams.get('fieldSelector')).toBe(
        'status.phase!=Succeeded,status.phase!=Failed',
      );
      json(200, {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '10' },
        items: [listed],
      });
      return;
    }
    if (url.pathname === '/api/v1/nodes') {
      json(200, {
        kind: 'NodeList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '11' },
        items: [makeNode('n1', { ip: '10.0.0.5', cpu: '8', memory: '32Gi' })],
      });
      return;
    }
    json(404, { kind: 'Status', code: 404 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    podEvent(type, pod) {
      for (const res of podWatches) res.write(`${JSON.stringify({ type, object: pod })}\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function kubeConfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server, skipTLSVerify: true }],
    users: [{ name: 'test', token: 'test-token' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
    currentContext: 'test',
  });
  return kc;
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('startKubeWatch', () => {
  let api: FakeApi;
  let watch: KubeWatch | undefined;
  afterEach(async () => {
    await watch?.stop();
    await api?.close();
  });

  it('feeds pods and node identities, follows moves and deletes, stops quietly', async () => {
    api = await startFakeApi({});
    const clock = new ManualClock();
    const inflight = new InflightTracker({ clock });
    const store = new NodeMetricsStore({ clock, staleSeconds: 180, historySeconds: 1800 });
    const log = captureLog('debug');

    watch = startKubeWatch({ inflight, store, kubeConfig: kubeConfig(api.url), log: log.logger });
    await watch.synced;

    expect(inflight.synced).toBe(true);
    expect(inflight.inflight('n1')).toEqual({
      pods: 1,
      cpuMillicores: 500,
      memoryBytes: 256 * 1024 ** 2,
    });
    expect(store.resolve('10.0.0.5:9100')).toBe('n1');
    expect(store.get('n1')?.cpuMillicores).toBe(8000);

    await eventually(() => api.requests.includes('/api/v1/pods?watch'), 'the pod watch');
    api.podEvent(
      'MODIFIED',
      makePod({ name: 'web-0', uid: 'uid-web-0', cpu: '500m', memory: '256Mi', nodeName: 'n2' }),
    );
    await eventually(() => inflight.inflight('n2').pods === 1, 'the move to n2');
    expect(inflight.inflight('n1').pods).toBe(0);

    api.podEvent('DELETED', makePod({ name: 'web-0', uid: 'uid-web-0', nodeName: 'n2' }));
    await eventually(() => inflight.size === 0, 'the delete');
    expect(inflight.inflight('n2').cpuMillicores).toBe(0);

    await watch.stop();
    watch = undefined;
    await new Promise((r) => setTimeout(r, 100));
    expect(log.lines.filter((l) => l.msg === 'watch failed; restarting')).toHaveLength(0);
  });

  it('restarts after a failed list and only then counts as synced', async () => {
    api = await startFakeApi({ failFirstPodList: true });
    const clock = new ManualClock();
    const inflight = new InflightTracker({ clock });
    const store = new NodeMetricsStore({ clock, staleSeconds: 180, historySeconds: 1800 });
    const log = captureLog('warn');

    watch = startKubeWatch({
      inflight,
      store,
      kubeConfig: kubeConfig(api.url),
      log: log.logger,
      retrySeconds: 0.05,
    });
    await watch.synced;
    expect(inflight.synced).toBe(false);

    await eventually(() => inflight.synced, 'the retried list');
    expect(inflight.inflight('n1').pods).toBe(1);
    const warnings = log.lines.filter((l) => l.msg === 'watch failed; restarting');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ watch: 'pods' });
  });
});
