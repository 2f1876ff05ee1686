/**
 * X11: full Node objects at scale, against a real listening server started the way the process
 * starts it (`startExtender`), compared with the same request in NodeNames form. Correctness
 * only; timings belong to bench/.
 */
import { ConfigError } from '../src/config.js';
import { startExtender, type RunningExtender } from '../src/main.js';
import { captureLog, makeNode, makePod, namesArgs, nodesArgs } from './helpers.js';

const env = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', KUBE_WATCH_PODS: 'false' };

async function post(url: string, body: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, json: await res.json() };
}

describe('X11: 1,000 full Node objects vs 1,000 NodeNames on a listening server', () => {
  let server: RunningExtender;
  const nodes = Array.from({ length: 1000 }, (_, i) =>
    makeNode(`node-${i}`, { ip: `10.1.${i >> 8}.${i & 255}` }),
  );
  const names = nodes.map((n) => (n.metadata as { name: string }).name);
  const pod = makePod({ cpu: '250m', memory: '256Mi' });

  beforeAll(async () => {
    server = await startExtender(env, captureLog('warn').logger);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('filters both forms to the same nodes, echoing full objects untouched', async () => {
    const objectsBody = JSON.stringify(nodesArgs(pod, nodes));
    const namesBody = JSON.stringify(namesArgs(pod, names));
    expect(objectsBody.length).toBeGreaterThan(8_000_000);

    const byObjects = await post(`${server.url}/filter`, objectsBody);
    const byNames = await post(`${server.url}/filter`, namesBody);

    expect(byObjects.status).toBe(200);
    expect(byNames.status).toBe(200);
    const objectsReply = byObjects.json as { Nodes: { items: unknown[] }; NodeNames?: string[] };
    const namesReply = byNames.json as { Nodes?: unknown; NodeNames: string[] };
    expect(objectsReply.Nodes.items).toEqual(nodes);
    expect(objectsReply.NodeNames).toBeUndefined();
    expect(namesReply.NodeNames).toEqual(names);
    expect(namesReply.Nodes).toBeUndefined();
  });

  it('prioritizes both forms with one integer score per node', async () => {
    const byObjects = await post(`${server.url}/prioritize`, JSON.stringify(nodesArgs(pod, nodes)));
    const byNames = await post(`${server.url}/prioritize`, JSON.stringify(namesArgs(pod, names)));

    for (const reply of [byObjects, byNames]) {
      expect(reply.status).toBe(200);
      const list = reply.json as { Host: string; Score: number }[];
      expect(list.map((h) => h.Host)).toEqual(names);
      expect(list.every((h) => h.Score === 5)).toBe(true);
    }
  });
});

describe('body limit on a listening server', () => {
  it('answers 413 naming BODY_LIMIT_BYTES for 10 MB, holds memory, and keeps serving', async () => {
    const server = await startExtender(
      { ...env, BODY_LIMIT_BYTES: String(1024 * 1024) },
      captureLog('warn').logger,
    );
    try {
      const big = JSON.stringify(
        nodesArgs(
          makePod(),
          Array.from({ length: 1200 }, (_, i) => makeNode(`n${i}`)),
        ),
      );
      expect(big.length).toBeGreaterThan(10_000_000);
      global.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;

      for (let i = 0; i < 5; i++) {
        const reply = await post(`${server.url}/filter`, big);
        expect(reply.status).toBe(413);
        expect(reply.json).toEqual({
          Error: 'request body is larger than BODY_LIMIT_BYTES (1048576 bytes)',
        });
      }
      const small = await post(
        `${server.url}/prioritize`,
        JSON.stringify(namesArgs(makePod(), ['a'])),
      );

      expect(small).toEqual({ status: 200, json: [{ Host: 'a', Score: 5 }] });
      // Five refused 10 MB bodies were never parsed: the heap did not grow by their size.
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(40 * 1024 * 1024);
    } finally {
      await server.stop();
    }
  });
});

describe('startExtender', () => {
  it('refuses settings that cannot work before listening, naming them', async () => {
    await expect(
      startExtender({ ...env, HOT_THRESHOLD: '0.95', REMEDIATION_THRESHOLD: '0.65' }),
    ).rejects.toThrow(ConfigError);
    await expect(
      startExtender({ ...env, HOT_THRESHOLD: '0.95', REMEDIATION_THRESHOLD: '0.65' }),
    ).rejects.toThrow(/HOT_THRESHOLD \(0\.95\) must not exceed REMEDIATION_THRESHOLD \(0\.65\)/);
  });

  it('serves health, readiness and metrics, and stops cleanly', async () => {
    const server = await startExtender(env, captureLog('warn').logger);
    const health = await fetch(`${server.url}/healthz`);
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as {
      ready: boolean;
      degraded: string[];
    };
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    await server.stop();

    expect(health.status).toBe(200);
    expect(ready).toMatchObject({ ready: true, degraded: ['no_metrics_source'] });
    expect(metrics).toContain('mlsched_extender_degraded_active{reason="no_metrics_source"} 1');
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
