import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startRedis } from '../../../test-support/services';
import { DEFAULT_ANOMALY_SETTINGS } from '../src/anomaly.js';
import { loadConfig } from '../src/config.js';
import { ANOMALOUS_MESSAGE } from '../src/extender.js';
import { startExtender, type RunningExtender } from '../src/main.js';
import { RedisSharedState } from '../src/shared-state.js';
import { captureLog, makePod, metricValue, MiB, namesArgs } from './helpers.js';

const { windowSamples: W, flagSamples: K } = DEFAULT_ANOMALY_SETTINGS;
const NOISE = [0, 0.01, -0.01, 0.02, -0.02];

interface RedisProcess {
  readonly port: number;
  readonly password: string;
  stop(): Promise<void>;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} within ${ms} ms`);
}

/** A redis-server on a given port (to restart one where the extender expects it). */
async function redisOn(port: number, password: string): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-again-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'].concat([
      '--dir',
      dir,
      '--requirepass',
      password,
    ]),
    { stdio: 'ignore' },
  );
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once('error', () => resolve(false));
      s.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
    });
  await waitFor(accepts, 'redis-server did not listen');
  return {
    port,
    password,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function envFor(redis: { port: number }, password?: string): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    KUBE_WATCH_PODS: 'false',
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    ...(password === undefined ? {} : { REDIS_PASSWORD: password }),
  };
}

/** W normal samples then K at 80 % CPU, the newest at `now`: the detector flags the node. */
function flagNode(ext: RunningExtender, node: string, now: number): void {
  const n = W + K;
  for (let i = 0; i < n; i++) {
    const t = now - (n - 1 - i) * 15;
    const cpu = i < W ? 0.3 + (NOISE[i % 5] as number) : 0.8;
    ext.store.ingest(node, { t, cpu, mem: 0.4 });
  }
}

async function get(ext: RunningExtender, path: string) {
  return fetch(`${ext.url}${path}`);
}

interface ReadyBody {
  readonly sharedState: { readonly error: string | null };
}

async function post(ext: RunningExtender, path: string, body: unknown) {
  return fetch(`${ext.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const redisUnavailable = async (ext: RunningExtender) =>
  metricValue(await (await get(ext, '/metrics')).text(), 'mlsched_extender_degraded_active', {
    reason: 'redis_unavailable',
  });

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

describe('shared warm state in a real Redis', () => {
  it('writes placements and flags through with TTLs, and a new extender starts warm', async () => {
    const redis = await startRedis();
    running.push(redis);
    const inspect = new Redis(redis.url);
    running.push({ stop: async () => void inspect.disconnect() });
    const first = await startExtender(envFor(redis, redis.password), captureLog('warn').logger);
    running.push(first);
    const now = Date.now() / 1000;

    first.inflight.place({
      uid: 'pod-1',
      node: 'n1',
      cpuMillicores: 500,
      memoryBytes: 256 * MiB,
      placedAt: now - 30,
    });
    first.inflight.place({ uid: 'pod-2', node: 'n3', cpuMillicores: 100, memoryBytes: MiB });
    flagNode(first, 'n2', now);
    await waitFor(
      async () => (await inspect.exists('mlsched:inflight:pod-2', 'mlsched:anomaly:n2')) === 2,
      'placement and flag were not written',
    );
    // A sample of n3 shows pod-2: it is no longer in flight, and no longer shared.
    first.store.ingest('n3', { t: Date.now() / 1000 + 1, cpu: 0.3, mem: 0.4 });
    await waitFor(
      async () => (await inspect.exists('mlsched:inflight:pod-2')) === 0,
      'settled placement was not deleted',
    );

    expect(JSON.parse((await inspect.get('mlsched:inflight:pod-1')) as string)).toEqual({
      node: 'n1',
      cpuMillicores: 500,
      memoryBytes: 256 * MiB,
      placedAt: now - 30,
    });
    // Expires when the tracker would drop it: 600 s after the placement, 30 s ago.
    const placementTtl = await inspect.ttl('mlsched:inflight:pod-1');
    expect(placementTtl).toBeGreaterThan(560);
    expect(placementTtl).toBeLessThanOrEqual(570);
    expect(JSON.parse((await inspect.get('mlsched:anomaly:n2')) as string)).toEqual({
      reason: 'deviation',
      since: now,
      lastT: now,
    });
    // Actionable until METRICS_STALE_SECONDS after its newest sample.
    const flagTtl = await inspect.ttl('mlsched:anomaly:n2');
    expect(flagTtl).toBeGreaterThan(170);
    expect(flagTtl).toBeLessThanOrEqual(180);

    await first.stop();
    const { logger, lines } = captureLog('info');
    const second = await startExtender(envFor(redis, redis.password), logger);
    running.push(second);

    expect(second.inflight.inflight('n1')).toEqual({
      pods: 1,
      cpuMillicores: 500,
      memoryBytes: 256 * MiB,
    });
    expect(second.inflight.inflight('n3').pods).toBe(0);
    expect(second.anomalies?.isAnomalous('n2', Date.now() / 1000)).toBe(true);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'shared state restored', placements: 1, anomalies: 1 }),
    );
    const filtered = await (
      await post(second, '/filter', namesArgs(makePod(), ['n1', 'n2']))
    ).json();
    expect(filtered).toMatchObject({ NodeNames: ['n1'], FailedNodes: { n2: ANOMALOUS_MESSAGE } });
    const ready = await (await get(second, '/readyz')).json();
    expect(ready).toMatchObject({
      ready: true,
      anomalousNodes: ['n2'],
      inflightPods: 1,
      sharedState: { available: true, error: null },
    });
  });

  it('keeps answering while Redis is down, shows it, and recovers when it is back', async () => {
    const redis = await startRedis();
    const { port, password } = redis;
    const { logger, lines } = captureLog('info');
    const ext = await startExtender(envFor(redis, password), logger);
    running.push(ext);
    expect(await redisUnavailable(ext)).toBe(0);

    await redis.stop();
    await waitFor(() => ext.sharedState?.available === false, 'the extender did not notice');
    ext.inflight.place({ uid: 'pod-3', node: 'n1', cpuMillicores: 200, memoryBytes: MiB });
    const started = performance.now();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const args = namesArgs(makePod({ name: `p${i}` }), ['n1', 'n2']);
      statuses.push((await post(ext, '/filter', args)).status);
      statuses.push((await post(ext, '/prioritize', args)).status);
    }
    const perCallMs = (performance.now() - started) / 40;
    // Several reconnect attempts fail meanwhile; one warning says so.
    await new Promise((r) => setTimeout(r, 1000));

    expect(statuses).toEqual(new Array(40).fill(200));
    expect(perCallMs).toBeLessThan(50);
    expect(await redisUnavailable(ext)).toBe(1);
    const ready = (await (await get(ext, '/readyz')).json()) as ReadyBody;
    expect(ready).toMatchObject({
      ready: true,
      degraded: expect.arrayContaining(['redis_unavailable']),
      sharedState: { available: false, queuedWrites: 1 },
    });
    expect(ready.sharedState.error).toMatch(new RegExp(`^Redis at 127.0.0.1:${port}`));
    expect(lines.filter((l) => l.msg === 'shared state unavailable')).toEqual([
      expect.objectContaining({ level: 40, redis: `127.0.0.1:${port}` }),
    ]);

    const again = await redisOn(port, password);
    running.push(again);
    await waitFor(() => ext.sharedState?.available === true, 'the extender did not reconnect');
    const inspect = new Redis(`redis://:${password}@127.0.0.1:${port}`);
    running.push({ stop: async () => void inspect.disconnect() });
    await waitFor(
      async () => (await inspect.exists('mlsched:inflight:pod-3')) === 1,
      'the write queued during the outage was not sent',
    );

    expect(await redisUnavailable(ext)).toBe(0);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 30, msg: 'shared state available again' }),
    );
  });

  it('refuses a wrong or missing password with an error naming REDIS_PASSWORD', async () => {
    const redis = await startRedis();
    running.push(redis);
    const wrong = captureLog('info');
    const missing = captureLog('info');

    const t0 = Date.now();
    const withWrong = await startExtender(envFor(redis, 'not-the-password'), wrong.logger);
    running.push(withWrong);
    const startMs = Date.now() - t0;
    const withNone = await startExtender(envFor(redis), missing.logger);
    running.push(withNone);

    const endpoint = `127.0.0.1:${redis.port}`;
    expect(withWrong.sharedState?.lastError).toMatch(
      new RegExp(`^Redis at ${endpoint} refused REDIS_PASSWORD \\(WRONGPASS`),
    );
    expect(withNone.sharedState?.lastError).toMatch(
      new RegExp(
        `^Redis at ${endpoint} requires a password and REDIS_PASSWORD is not set \\(NOAUTH`,
      ),
    );
    // A refused password is not waited for: start-up goes on at once, cold.
    expect(startMs).toBeLessThan(1500);
    expect(wrong.lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'starting without shared state',
        error: withWrong.sharedState?.lastError,
      }),
    );
    expect(JSON.stringify(wrong.lines)).not.toContain('not-the-password');
    expect(await redisUnavailable(withWrong)).toBe(1);
    const ready = await get(withWrong, '/readyz');
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as ReadyBody).sharedState.error).toContain('REDIS_PASSWORD');
    expect((await post(withWrong, '/prioritize', namesArgs(makePod(), ['n1']))).status).toBe(200);
  });

  it('skips entries it cannot use, naming the key', async () => {
    const redis = await startRedis();
    running.push(redis);
    const inspect = new Redis(redis.url);
    running.push({ stop: async () => void inspect.disconnect() });
    const now = Date.now() / 1000;
    await inspect.set('mlsched:inflight:bad', 'not json', 'EX', 60);
    await inspect.set(
      'mlsched:inflight:good',
      JSON.stringify({ node: 'n1', cpuMillicores: 100, memoryBytes: 1, placedAt: now }),
      'EX',
      60,
    );
    await inspect.set('mlsched:anomaly:n9', '{"reason":"bored","since":1,"lastT":2}', 'EX', 60);
    const { logger, lines } = captureLog('info');

    const ext = await startExtender(envFor(redis, redis.password), logger);
    running.push(ext);

    expect(ext.inflight.inflight('n1').pods).toBe(1);
    expect(
      lines.filter((l) => l.msg === 'shared state entry refused').map((l) => [l.level, l.key]),
    ).toEqual([
      [40, 'mlsched:inflight:bad'],
      [40, 'mlsched:anomaly:n9'],
    ]);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'shared state restored', placements: 1, refused: 2 }),
    );
  });

  it('bounds the write queue while Redis is away, one pending write per key', async () => {
    const port = await freePort();
    const state = new RedisSharedState({
      url: `redis://127.0.0.1:${port}`,
      maxQueue: 5,
      connectTimeoutMs: 200,
    });
    running.push(state);

    expect(await state.start()).toBe(false);
    for (let i = 0; i < 8; i++) {
      state.savePlacement(
        { uid: `p${i}`, node: 'n1', cpuMillicores: 1, memoryBytes: 1, placedAt: 0 },
        600,
      );
    }
    state.forgetPlacement('p7');

    expect(state.queued).toBe(5);
    expect(state.droppedWrites).toBe(3);
    expect(state.available).toBe(false);
  });
});

describe('REDIS_URL and REDIS_PASSWORD', () => {
  const problems = (env: Record<string, string>): readonly string[] => {
    try {
      loadConfig(env);
    } catch (err) {
      return (err as { problems: readonly string[] }).problems;
    }
    return [];
  };

  it('reads the URL and keeps the password as given', () => {
    const config = loadConfig({ REDIS_URL: 'redis://r.mlsched.svc:6379', REDIS_PASSWORD: ' pw ' });

    expect(config.redisUrl).toBe('redis://r.mlsched.svc:6379');
    expect(config.redisPassword).toBe(' pw ');
    expect(loadConfig({}).redisUrl).toBeUndefined();
  });

  it('refuses a URL that is not redis, without echoing a password in it', () => {
    expect(problems({ REDIS_URL: 'http://user:s3cret@r:6379' })).toEqual([
      "REDIS_URL must be a redis:// or rediss:// URL with a host, got 'http://user:***@r:6379'",
    ]);
    expect(problems({ REDIS_PASSWORD: 'pw' })).toEqual([
      'REDIS_PASSWORD is set but REDIS_URL is not: the password would go unused',
    ]);
  });
});
