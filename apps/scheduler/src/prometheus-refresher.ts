/**
 * Pulls node utilisation from Prometheus in the background and writes it into the store. The
 * request path never waits on Prometheus: when it is slow or down, requests keep being answered
 * from what the store holds, and that data ages into `stale` on its own.
 *
 * Each refresh runs two instant queries (`/api/v1/query`), CPU and memory, at the clock's "now".
 * A series belongs to the node named by its `node` label if it has one, else by its `instance`
 * label (node name or InternalIP, with or without `:port`; IPv6 in brackets).
 *
 * Sample age comes from the data, not from the query. Prometheus stamps every instant-query
 * answer with the query time, and a range function such as `irate(...[2m])` keeps answering
 * from the window's old samples for minutes after an exporter died (range vectors ignore
 * staleness markers). A third query, the freshness query, returns per node the time of the
 * newest raw sample (`timestamp()` of an instant selector, which does honour staleness markers
 * and so returns nothing once a target is lost). A node's reading is stored at that time; a node
 * without a freshness series is not stored at all, so it ages into `stale` and then `missing`.
 */
import { systemClock, type Clock } from './clock.js';
import { LogLimiter, silentLog, type Log } from './log.js';
import type { NodeMetricsStore, ResourceName } from './node-metrics.js';

export interface PrometheusRefresherProps {
  /** Base URL, e.g. `http://prometheus:9090` (a path prefix is kept). */
  readonly url: string;
  readonly cpuQuery: string;
  readonly memoryQuery: string;
  /**
   * Instant vector whose value is the Unix time of each node's newest sample (e.g.
   * `max by (instance) (timestamp(node_cpu_seconds_total{mode="idle"}))`). Unset: readings are
   * stamped with the query time, which is only right for series that cannot outlive their source.
   */
  readonly freshnessQuery?: string;
  readonly refreshSeconds: number;
  readonly store: NodeMetricsStore;
  /** @default systemClock */
  readonly clock?: Clock;
  readonly log?: Log;
  /**
   * Per-query timeout.
   * @default half the refresh period, between 1 and 10 seconds
   */
  readonly timeoutMs?: number;
  /** Seconds between repeated warnings about the same condition. @default 600 */
  readonly warnIntervalSeconds?: number;
}

/** What one refresh found. */
export interface RefreshOutcome {
  readonly ok: boolean;
  /** Nodes written into the store. */
  readonly nodes: number;
  /** Series per resource (0 = the query returned nothing at all). */
  readonly series: Readonly<Record<ResourceName, number>>;
  /** Nodes with CPU or memory values but no freshness series, so not stored (freshness only). */
  readonly unstamped?: number;
  readonly error?: string;
}

interface PromSample {
  readonly metric?: Record<string, string>;
  readonly value?: [number, string];
}

/** Raised for a Prometheus answer the refresher cannot use; the message says why. */
export class PrometheusQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusQueryError';
  }
}

export class PrometheusRefresher {
  /** Refreshes that failed since start. */
  failedRefreshes = 0;
  /** Refreshes that succeeded since start. */
  succeededRefreshes = 0;
  /** Outcome of the latest refresh; undefined before the first. */
  lastOutcome: RefreshOutcome | undefined;

  private readonly clock: Clock;
  private readonly log: Log;
  private readonly timeoutMs: number;
  private readonly limiter: LogLimiter;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RefreshOutcome> | undefined;
  private abort: AbortController | undefined;
  private stopped = true;
  private readonly emptyResources = new Set<ResourceName>();

  constructor(private readonly props: PrometheusRefresherProps) {
    this.clock = props.clock ?? systemClock;
    this.log = props.log ?? silentLog;
    this.timeoutMs =
      props.timeoutMs ?? Math.min(10_000, Math.max(1_000, (props.refreshSeconds * 1000) / 2));
    this.limiter = new LogLimiter(props.warnIntervalSeconds ?? 600);
  }

  /** Refreshes now, then every `refreshSeconds` (never two refreshes at once). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = (): void => {
      if (this.stopped) return;
      void this.refreshOnce().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.props.refreshSeconds * 1000);
      });
    };
    loop();
  }

  /** Stops the loop and abandons a refresh in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort?.abort();
    await this.running?.catch(() => undefined);
  }

  /** True while the latest refresh failed. */
  get failing(): boolean {
    return this.lastOutcome !== undefined && !this.lastOutcome.ok;
  }

  /** Runs one refresh; never throws (a failure is logged, counted and returned). */
  refreshOnce(): Promise<RefreshOutcome> {
    if (!this.running) {
      this.running = this.refresh().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async refresh(): Promise<RefreshOutcome> {
    const t = this.clock.now();
    this.abort = new AbortController();
    let outcome: RefreshOutcome;
    try {
      // Both queries settle before the refresh ends, so no request outlives its refresh.
      const { freshnessQuery } = this.props;
      const [cpuResult, memResult, freshResult] = await Promise.allSettled([
        this.query(this.props.cpuQuery, t, this.abort.signal),
        this.query(this.props.memoryQuery, t, this.abort.signal),
        freshnessQuery === undefined
          ? Promise.resolve(undefined)
          : this.query(freshnessQuery, t, this.abort.signal),
      ]);
      if (cpuResult.status === 'rejected') throw cpuResult.reason;
      if (memResult.status === 'rejected') throw memResult.reason;
      if (freshResult.status === 'rejected') throw freshResult.reason;
      const cpu = cpuResult.value;
      const mem = memResult.value;
      const stamps = freshResult.value && this.sampleTimes(t, freshResult.value);
      const { nodes, unstamped } = this.ingest(t, cpu, mem, stamps);
      this.noteEmpty('cpu', cpu.length, this.props.cpuQuery);
      this.noteEmpty('memory', mem.length, this.props.memoryQuery);
      outcome = {
        ok: true,
        nodes,
        series: { cpu: cpu.length, memory: mem.length },
        ...(stamps ? { unstamped } : {}),
      };
      if (unstamped > 0 && this.limiter.allow('unstamped', this.clock.now())) {
        this.log.warn(
          { nodes: unstamped, query: freshnessQuery },
          'nodes without a freshness series; their readings are not used',
        );
      }
      this.succeededRefreshes++;
      if (this.failing)
        this.log.info({ failedRefreshes: this.failedRefreshes }, 'metrics refresh recovered');
      this.limiter.reset('refresh-failed');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      outcome = { ok: false, nodes: 0, series: { cpu: 0, memory: 0 }, error: message };
      this.failedRefreshes++;
      if (this.limiter.allow('refresh-failed', this.clock.now())) {
        this.log.warn(
          { error: message, url: this.props.url, failedRefreshes: this.failedRefreshes },
          'metrics refresh failed; serving from cached data',
        );
      }
    }
    this.props.store.prune(this.clock.now());
    this.lastOutcome = outcome;
    return outcome;
  }

  private async query(expr: string, t: number, signal: AbortSignal): Promise<PromSample[]> {
    const url = `${this.props.url}/api/v1/query`;
    const body = new URLSearchParams({ query: expr, time: t.toFixed(3) });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new PrometheusQueryError(`HTTP ${response.status} with a body that is not JSON`);
    }
    const answer = parsed as {
      status?: string;
      error?: string;
      data?: { resultType?: string; result?: unknown };
    };
    if (!response.ok || answer.status !== 'success') {
      throw new PrometheusQueryError(`HTTP ${response.status}: ${answer.error ?? 'query failed'}`);
    }
    if (answer.data?.resultType !== 'vector' || !Array.isArray(answer.data.result)) {
      throw new PrometheusQueryError(
        `query must return an instant vector, got ${answer.data?.resultType ?? 'nothing'}: ${expr}`,
      );
    }
    return answer.data.result as PromSample[];
  }

  /**
   * Node → time of its newest sample, from the freshness query's answer. A time after the query
   * time (clock skew between Prometheus and this host) is capped at the query time; a value that
   * is not a finite time is left out, so that node counts as unstamped.
   */
  private sampleTimes(t: number, samples: PromSample[]): Map<string, number> {
    const stamps = new Map<string, number>();
    for (const sample of samples) {
      const label = sample.metric?.node ?? sample.metric?.instance;
      const raw = sample.value?.[1];
      if (label === undefined || raw === undefined) continue;
      const at = Number.parseFloat(raw);
      if (!Number.isFinite(at) || at <= 0) continue;
      const node = this.props.store.resolve(label);
      stamps.set(node, Math.max(stamps.get(node) ?? -Infinity, Math.min(at, t)));
    }
    return stamps;
  }

  private ingest(
    t: number,
    cpu: PromSample[],
    mem: PromSample[],
    stamps: Map<string, number> | undefined,
  ): { nodes: number; unstamped: number } {
    const { store } = this.props;
    const byNode = new Map<string, { cpu?: number; mem?: number }>();
    const collect = (samples: PromSample[], key: 'cpu' | 'mem'): void => {
      for (const sample of samples) {
        const label = sample.metric?.node ?? sample.metric?.instance;
        const raw = sample.value?.[1];
        if (label === undefined || raw === undefined) continue;
        const node = store.resolve(label);
        const value = Number.parseFloat(raw);
        const reading = byNode.get(node) ?? {};
        const previous = reading[key];
        // Two series for one node (e.g. two exporters on one host): keep the higher valid value,
        // the safer reading for a hot-node filter.
        if (previous === undefined || !Number.isFinite(previous) || value > previous)
          reading[key] = value;
        byNode.set(node, reading);
      }
    };
    collect(cpu, 'cpu');
    collect(mem, 'mem');
    let nodes = 0;
    let unstamped = 0;
    for (const [node, reading] of byNode) {
      const at = stamps ? stamps.get(node) : t;
      // No freshness series: the values come from samples Prometheus already holds stale (a
      // range function's window outliving its exporter); acting on them would be acting on the
      // past as if it were now.
      if (at === undefined) {
        unstamped++;
        continue;
      }
      store.ingest(node, { t: at, ...reading });
      nodes++;
    }
    return { nodes, unstamped };
  }

  // A query that returns no series at all (a missing recording rule, an exporter not deployed)
  // turns load-awareness off for that resource on every node: worth a warning, but one per
  // interval, not one per refresh.
  private noteEmpty(resource: ResourceName, series: number, query: string): void {
    if (series > 0) {
      if (this.emptyResources.delete(resource)) {
        this.log.info({ resource, series }, 'metrics query returns series again');
        this.limiter.reset(`empty-${resource}`);
      }
      return;
    }
    this.emptyResources.add(resource);
    if (this.limiter.allow(`empty-${resource}`, this.clock.now())) {
      this.log.warn(
        { resource, query },
        'metrics query returned no series; scoring this resource neutrally',
      );
    }
  }

  /** Resources whose latest query returned no series. */
  get emptyQueries(): ReadonlySet<ResourceName> {
    return this.emptyResources;
  }
}
