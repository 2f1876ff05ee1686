/**
 * The entry point as its own process: what an operator sees when it cannot start.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { startPrometheus, type RunningService } from '../../../test-support/services.js';

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs src/main.ts with `env`; resolves when it exits or after `timeoutMs` (then kills it). */
function runEntry(env: Record<string, string>, timeoutMs = 15_000): Promise<Exit> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['-r', join(__dirname, 'ts-entry.cjs'), join(__dirname, '..', 'src', 'main.ts')],
    { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, ms: Date.now() - started });
    });
  });
}

describe('the entry point when it cannot listen', () => {
  let prometheus: RunningService;
  let blocker: Server;
  let busyPort: number;

  beforeAll(async () => {
    prometheus = await startPrometheus();
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    busyPort = (blocker.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => blocker?.close(r));
    await prometheus?.stop();
  });

  it('exits 1 naming PORT when the port is taken, even with PROMETHEUS_URL set', async () => {
    const exit = await runEntry({
      PORT: String(busyPort),
      HOST: '127.0.0.1',
      PROMETHEUS_URL: prometheus.url,
      METRICS_REFRESH_SECONDS: '1',
      METRICS_STALE_SECONDS: '3',
      KUBE_WATCH_PODS: 'false',
      LOG_LEVEL: 'error',
    });

    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(`PORT (${busyPort}) is already in use on HOST (127.0.0.1)`);
  });

  it('exits 1 naming HOST when it cannot be resolved', async () => {
    const exit = await runEntry({
      PORT: '0',
      HOST: 'no-such-host.invalid',
      PROMETHEUS_URL: prometheus.url,
      KUBE_WATCH_PODS: 'false',
      LOG_LEVEL: 'error',
    });

    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('HOST (no-such-host.invalid) could not be resolved');
  });
});
