/**
 * Redis as the extenders' shared warm state. Every scheduler replica runs an extender beside its
 * kube-scheduler; when the leader changes, or a replica restarts, the extender that takes over
 * should not start cold. So each extender writes through, asynchronously, what it cannot rebuild
 * at once from the cluster:
 *
 *   mlsched:inflight:<pod uid>  pods placed and not yet visible in their node's metrics
 *                               (JSON {node, cpuMillicores, memoryBytes, placedAt}), expiring
 *                               when the tracker would drop the estimate (placedAt + 10 min);
 *   mlsched:anomaly:<node>      nodes the anomaly detector flags (JSON {reason, since, lastT}),
 *                               expiring METRICS_STALE_SECONDS after the newest sample that
 *                               confirmed the flag, the point where no extender acts on it.
 *
 * and reads them once at start-up. Redis is never on the request path: writes go into a bounded
 * queue (one pending write per key; the oldest key is dropped when full) that a background loop
 * sends while Redis is connected. Redis down costs warm state, not scheduling: a warning at most
 * every 10 minutes, `degraded_active{reason="redis_unavailable"}`, and readiness unaffected.
 */
import { Redis } from 'ioredis';
import type { AnomalyDetector, AnomalyFlagRecord, AnomalyReason } from './anomaly.js';
import { systemClock, type Clock } from './clock.js';
import type { InflightTracker, PodPlacement } from './inflight.js';
import { LogLimiter, silentLog, type Log } from './log.js';
import type { NodeMetricsStore } from './node-metrics.js';

export const SHARED_STATE_PREFIX = 'mlsched:';
const INFLIGHT = `${SHARED_STATE_PREFIX}inflight:`;
const ANOMALY = `${SHARED_STATE_PREFIX}anomaly:`;

export interface SharedStateProps {
  /** REDIS_URL, `redis://host:port[/db]` (`rediss://` for TLS). */
  readonly url: string;
  /** REDIS_PASSWORD; takes precedence over a password in the URL. */
  readonly password?: string;
  readonly log?: Log;
  /** @default systemClock */
  readonly clock?: Clock;
  /**
   * Keys with a write pending at most; beyond it the oldest is dropped (and counted).
   * @default 10000
   */
  readonly maxQueue?: number;
  /** Longest start-up waits for Redis before starting cold. @default 2000 */
  readonly connectTimeoutMs?: number;
  /** Seconds between repeated warnings about the same condition. @default 600 */
  readonly warnIntervalSeconds?: number;
}

/** What a start-up read found. */
export interface RestoredState {
  readonly placements: readonly Required<PodPlacement>[];
  readonly anomalies: readonly AnomalyFlagRecord[];
  /** Keys whose value could not be used (skipped, each with a warning). */
  readonly refused: number;
}

type Write =
  | { readonly kind: 'set'; readonly value: string; readonly expireAt: number }
  | { readonly kind: 'del' };

const ANOMALY_REASONS: readonly AnomalyReason[] = ['deviation', 'cpu_saturated'];
/** Writes sent per round trip. */
const BATCH = 500;

export class RedisSharedState {
  /** Writes dropped: queue full, or lost with a connection. */
  droppedWrites = 0;
  /** Writes Redis acknowledged. */
  writtenOps = 0;
  /** Why Redis is unusable, when it is; names the setting to fix when it is one. */
  lastError: string | undefined;

  private readonly client: Redis;
  private readonly log: Log;
  private readonly clock: Clock;
  private readonly limiter: LogLimiter;
  private readonly maxQueue: number;
  private readonly queue = new Map<string, Write>();
  private readonly endpoint: string;
  private draining = false;
  private restoring = false;
  private wasReady = false;
  private stopped = false;

  constructor(private readonly props: SharedStateProps) {
    this.log = props.log ?? silentLog;
    this.clock = props.clock ?? systemClock;
    this.limiter = new LogLimiter(props.warnIntervalSeconds ?? 600);
    this.maxQueue = props.maxQueue ?? 10_000;
    const url = new URL(props.url);
    this.endpoint = `${url.hostname}:${url.port || '6379'}`;

    this.client = new Redis(props.url, {
      ...(props.password !== undefined ? { password: props.password } : {}),
      lazyConnect: true,
      // Commands fail at once while disconnected; the queue here is the only buffer.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: props.connectTimeoutMs ?? 2000,
      commandTimeout: 2000,
      // Keep trying, at most every 5 s: Redis restarts on its own (StatefulSet).
      retryStrategy: (times) => Math.min(5000, 200 * times),
      connectionName: 'mlsched-extender',
    });
    this.client.on('ready', () => this.onReady());
    this.client.on('error', (err: Error) => this.onError(err));
    this.client.on('close', () => this.onClose());
  }

  /** True while Redis is connected and authenticated. */
  get available(): boolean {
    return this.client.status === 'ready';
  }

  /** Keys with a write pending. */
  get queued(): number {
    return this.queue.size;
  }

  /**
   * Connects, waiting at most `connectTimeoutMs`; resolves to whether Redis is usable. Never
   * rejects: without Redis the extender starts cold and keeps trying in the background.
   */
  async start(): Promise<boolean> {
    const timeout = this.props.connectTimeoutMs ?? 2000;
    const ready = new Promise<boolean>((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        this.client.off('error', onError);
        resolve(ok);
      };
      const onReady = (): void => done(true);
      // A refused password will not be accepted on a retry: no point waiting for it.
      const onError = (err: Error): void => {
        if (isAuthError(err)) done(false);
      };
      const timer = setTimeout(() => done(false), timeout);
      this.client.on('ready', onReady);
      this.client.on('error', onError);
    });
    this.client.connect().catch(() => undefined);
    const ok = await ready;
    if (!ok) {
      this.log.warn(
        { redis: this.endpoint, error: this.lastError ?? `no answer within ${timeout} ms` },
        'starting without shared state',
      );
    }
    return ok;
  }

  /**
   * Reads every in-flight placement and anomaly flag once, at start-up. Values that cannot be
   * used are skipped with a warning naming the key. Resolves to nothing read when Redis is down.
   */
  async read(): Promise<RestoredState> {
    const placements: Required<PodPlacement>[] = [];
    const anomalies: AnomalyFlagRecord[] = [];
    let refused = 0;
    if (!this.available) return { placements, anomalies, refused };

    try {
      for (const [key, value] of await this.scan(`${INFLIGHT}*`)) {
        const placement = parsePlacement(key.slice(INFLIGHT.length), value);
        if (placement) placements.push(placement);
        else refused += this.refuse(key, value);
      }
      for (const [key, value] of await this.scan(`${ANOMALY}*`)) {
        const flag = parseAnomaly(key.slice(ANOMALY.length), value);
        if (flag) anomalies.push(flag);
        else refused += this.refuse(key, value);
      }
    } catch (err) {
      this.log.warn(
        { redis: this.endpoint, error: (err as Error).message },
        'shared state could not be read; starting cold',
      );
    }
    return { placements, anomalies, refused };
  }

  /**
   * Reads the shared state and hands it to the tracker and the detector. What it restores is
   * not written back.
   */
  async restore(into: {
    readonly inflight: InflightTracker;
    readonly anomalies?: AnomalyDetector;
  }): Promise<RestoredState> {
    const state = await this.read();
    this.restoring = true;
    try {
      for (const placement of state.placements) into.inflight.place(placement);
      for (const flag of state.anomalies) into.anomalies?.restore(flag);
    } finally {
      this.restoring = false;
    }
    this.log.info(
      {
        placements: state.placements.length,
        anomalies: state.anomalies.length,
        refused: state.refused,
      },
      'shared state restored',
    );
    return state;
  }

  savePlacement(placement: Required<PodPlacement>, expireAt: number): void {
    const { node, cpuMillicores, memoryBytes, placedAt } = placement;
    this.enqueue(`${INFLIGHT}${placement.uid}`, {
      kind: 'set',
      value: JSON.stringify({ node, cpuMillicores, memoryBytes, placedAt }),
      expireAt,
    });
  }

  forgetPlacement(uid: string): void {
    this.enqueue(`${INFLIGHT}${uid}`, { kind: 'del' });
  }

  saveAnomaly(flag: AnomalyFlagRecord, expireAt: number): void {
    const { reason, since, lastT } = flag;
    this.enqueue(`${ANOMALY}${flag.node}`, {
      kind: 'set',
      value: JSON.stringify({ reason, since, lastT }),
      expireAt,
    });
  }

  forgetAnomaly(node: string): void {
    this.enqueue(`${ANOMALY}${node}`, { kind: 'del' });
  }

  /** Sends what is queued if Redis is there (waiting at most `flushMs`), then disconnects. */
  async stop(flushMs = 1000): Promise<void> {
    if (this.stopped) return;
    const deadline = Date.now() + flushMs;
    while (this.available && this.queue.size > 0 && Date.now() < deadline) {
      await this.drain();
    }
    this.stopped = true;
    this.client.disconnect();
  }

  private enqueue(key: string, write: Write): void {
    if (this.restoring || this.stopped) return;
    // One pending write per key: a newer one replaces it and moves to the back.
    this.queue.delete(key);
    if (this.queue.size >= this.maxQueue) {
      const oldest = this.queue.keys().next().value as string;
      this.queue.delete(oldest);
      this.droppedWrites++;
      this.warnOnce(
        'queue-full',
        { redis: this.endpoint, maxQueue: this.maxQueue },
        'shared state writes dropped',
      );
    }
    this.queue.set(key, write);
    if (this.available && !this.draining) setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.available && this.queue.size > 0) {
        const batch = [...this.queue].slice(0, BATCH);
        for (const [key] of batch) this.queue.delete(key);
        const now = this.clock.now();
        const pipeline = this.client.pipeline();
        let sent = 0;
        for (const [key, write] of batch) {
          if (write.kind === 'del') {
            pipeline.del(key);
            sent++;
            continue;
          }
          const ttl = Math.ceil(write.expireAt - now);
          // Already expired: the extender would not act on it any more, nor should another.
          if (ttl <= 0) continue;
          pipeline.set(key, write.value, 'EX', ttl);
          sent++;
        }
        if (sent === 0) continue;
        try {
          const results = (await pipeline.exec()) ?? [];
          for (const [err] of results) {
            if (err) this.droppedWrites++;
            else this.writtenOps++;
          }
        } catch (err) {
          // Lost with the connection: warm state is best effort, the next change rewrites it.
          this.droppedWrites += sent;
          this.warnOnce(
            'write-failed',
            { redis: this.endpoint, error: (err as Error).message },
            'shared state writes lost',
          );
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async scan(pattern: string): Promise<Array<[string, string]>> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < keys.length; i += BATCH) {
      const chunk = keys.slice(i, i + BATCH);
      const values = await this.client.mget(...chunk);
      chunk.forEach((key, j) => {
        const value = values[j];
        // A key that expired between SCAN and MGET is simply gone.
        if (value !== null && value !== undefined) pairs.push([key, value]);
      });
    }
    return pairs;
  }

  private refuse(key: string, value: string): number {
    this.log.warn({ key, value: value.slice(0, 200) }, 'shared state entry refused');
    return 1;
  }

  private onReady(): void {
    this.lastError = undefined;
    if (this.wasReady) this.log.info({ redis: this.endpoint }, 'shared state available again');
    this.wasReady = true;
    this.limiter.reset('unavailable');
    void this.drain();
  }

  private onError(err: Error): void {
    this.lastError = describeRedisError(err, this.endpoint, this.props.password !== undefined);
    this.warnOnce(
      'unavailable',
      { redis: this.endpoint, error: this.lastError },
      'shared state unavailable',
    );
  }

  private onClose(): void {
    if (this.stopped) return;
    this.lastError ??= `connection to Redis at ${this.endpoint} closed`;
    this.warnOnce(
      'unavailable',
      { redis: this.endpoint, error: this.lastError },
      'shared state unavailable',
    );
  }

  private warnOnce(key: string, fields: object, message: string): void {
    if (this.limiter.allow(key, this.clock.now())) this.log.warn(fields, message);
  }
}

const AUTH_ERROR = /^WRONGPASS|^NOAUTH|invalid password|without any password configured/i;

function isAuthError(err: Error): boolean {
  return AUTH_ERROR.test(err.message);
}

/**
 * The message for an error Redis gave; authentication problems name REDIS_PASSWORD, the setting
 * to fix, since that is what an operator can act on.
 */
export function describeRedisError(err: Error, endpoint: string, passwordSet: boolean): string {
  const message = err.message;
  if (/^WRONGPASS|invalid password/i.test(message)) {
    return `Redis at ${endpoint} refused REDIS_PASSWORD (${message})`;
  }
  if (/^NOAUTH/i.test(message)) {
    return passwordSet
      ? `Redis at ${endpoint} did not accept REDIS_PASSWORD (${message})`
      : `Redis at ${endpoint} requires a password and REDIS_PASSWORD is not set (${message})`;
  }
  if (/without any password configured|no password is set/i.test(message)) {
    return `Redis at ${endpoint} has no password but REDIS_PASSWORD is set (${message})`;
  }
  return `Redis at ${endpoint}: ${message}`;
}

function finiteAtLeast(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min;
}

function parseJson(value: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function parsePlacement(uid: string, value: string): Required<PodPlacement> | undefined {
  const v = parseJson(value);
  if (!v || uid === '' || typeof v.node !== 'string' || v.node === '') return undefined;
  if (!finiteAtLeast(v.cpuMillicores, 0) || !finiteAtLeast(v.memoryBytes, 0)) return undefined;
  if (!finiteAtLeast(v.placedAt, 0)) return undefined;
  return {
    uid,
    node: v.node,
    cpuMillicores: v.cpuMillicores,
    memoryBytes: v.memoryBytes,
    placedAt: v.placedAt,
  };
}

function parseAnomaly(node: string, value: string): AnomalyFlagRecord | undefined {
  const v = parseJson(value);
  if (!v || node === '' || !ANOMALY_REASONS.includes(v.reason as AnomalyReason)) return undefined;
  if (!finiteAtLeast(v.since, 0) || !finiteAtLeast(v.lastT, 0)) return undefined;
  return { node, reason: v.reason as AnomalyReason, since: v.since, lastT: v.lastT };
}

export interface SharedStateWiring {
  readonly sharedState: RedisSharedState;
  readonly inflight: InflightTracker;
  readonly store: NodeMetricsStore;
  readonly anomalies?: AnomalyDetector;
  /** METRICS_STALE_SECONDS: how long a flag stays actionable after its newest sample. */
  readonly staleSeconds: number;
}

/**
 * Writes through every in-flight change and every anomaly flag. Listeners only queue, so they
 * cost nothing on the paths that call them (ingest, watch events, the request path's expiry).
 */
export function writeThrough(w: SharedStateWiring): void {
  const { sharedState, inflight, anomalies, staleSeconds } = w;
  inflight.onInflightChange((change) => {
    if (change.kind === 'settled') {
      sharedState.forgetPlacement(change.uid);
      return;
    }
    const expireAt = change.placement.placedAt + inflight.maxAge;
    sharedState.savePlacement(change.placement, expireAt);
  });
  if (!anomalies) return;

  anomalies.onChange((change) => {
    if (!change.anomalous) sharedState.forgetAnomaly(change.node);
  });
  // A flag is rewritten with each sample that confirms it, so its expiry follows the data.
  w.store.onSample((node) => {
    const status = anomalies.status(node);
    if (!status?.flagged || !status.reason) return;
    sharedState.saveAnomaly(
      { node, reason: status.reason, since: status.since, lastT: status.lastT },
      status.lastT + staleSeconds,
    );
  });
}
