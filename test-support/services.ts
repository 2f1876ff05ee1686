/**
 * Real services for integration tests: each call starts its own process on a free loopback port,
 * in a temporary directory, and `stop()` ends it and removes the directory. The binaries come from
 * Debian's packages, installed by `scripts/install-services.sh` (which `npm test` runs first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningService {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  stop(): Promise<void>;
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

export interface PrometheusOptions {
  /** Scrape targets as `host:port`, scraped at `/metrics`. */
  readonly targets?: readonly string[];
  readonly scrapeIntervalSeconds?: number;
  /** Rule files' contents, written into the config's `rule_files`. */
  readonly rules?: readonly string[];
  /** A TSDB directory to use instead of an empty one (e.g. after `promtool tsdb create-blocks-from`). */
  readonly storagePath?: string;
}

/** Starts a real Prometheus on loopback. */
export async function startPrometheus(opts: PrometheusOptions = {}): Promise<RunningService> {
  const dir = mkdtempSync(join(tmpdir(), 'prom-'));
  const port = await freePort();
  const interval = `${opts.scrapeIntervalSeconds ?? 1}s`;
  const ruleFiles = (opts.rules ?? []).map((content, i) => {
    const file = join(dir, `rules-${i}.yaml`);
    writeFileSync(file, content);
    return file;
  });
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: ruleFiles,
    scrape_configs: opts.targets?.length
      ? [{ job_name: 'test', static_configs: [{ targets: [...opts.targets] }] }]
      : [],
  };
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config));

  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${opts.storagePath ?? join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=30d',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/-/ready`)).ok, 'prometheus', 20000);
  } catch (err) {
    await stopper(child, dir)();
    throw new Error(`${(err as Error).message}: ${stderr.slice(-2000)}`, { cause: err });
  }
  return { url, port, dir, stop: stopper(child, dir) };
}

/** Starts a real Redis on loopback with a password, no persistence. */
export async function startRedis(
  password = 'test-password',
): Promise<RunningService & { password: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--requirepass',
      password,
    ],
    { stdio: 'ignore' },
  );
  const { Socket } = await import('node:net');
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = new Socket();
        s.once('error', () => resolve(false));
        s.connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
      }),
    'redis',
    10000,
  );
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    port,
    dir,
    password,
    stop: stopper(child, dir),
  };
}
