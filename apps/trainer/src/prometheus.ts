/**
 * Training data from a live Prometheus: two range queries (CPU and memory utilisation per
 * node), joined on a label into node series.
 */
import {
  MAX_VALID_UTILISATION,
  NODE_CPU_QUERY,
  NODE_MEMORY_QUERY,
  type NodeSample,
} from '@mlsched/core';

/** The extender's queries, so the model is trained on the series it is served. */
export const DEFAULT_CPU_QUERY = NODE_CPU_QUERY;
export const DEFAULT_MEMORY_QUERY = NODE_MEMORY_QUERY;
/** Prometheus refuses a range query that returns more than 11,000 points per series. */
export const PROMETHEUS_MAX_POINTS = 11_000;

export interface PrometheusSourceOptions {
  /** Base URL, e.g. `http://127.0.0.1:9090`. */
  readonly url: string;
  /** Unix seconds. */
  readonly start: number;
  /** Unix seconds. */
  readonly end: number;
  /** Resolution of the range queries. @default 60 */
  readonly stepSeconds?: number;
  /** @default DEFAULT_CPU_QUERY */
  readonly cpuQuery?: string;
  /** @default DEFAULT_MEMORY_QUERY */
  readonly memoryQuery?: string;
  /** Label that names the node in both queries' results. @default 'instance' */
  readonly seriesLabel?: string;
  /** Points per series per request; requests are split to stay under it. @default 11000 */
  readonly maxPointsPerQuery?: number;
  /** Per request. @default 30000 */
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: {
    query: 'cpu' | 'memory';
    chunk: number;
    chunks: number;
  }) => void;
}

export interface PrometheusReadReport {
  readonly format: 'prometheus';
  readonly url: string;
  readonly queries: { readonly cpu: string; readonly memory: string };
  readonly range: { readonly start: number; readonly end: number; readonly stepSeconds: number };
  /** Range requests made per query. */
  readonly requestsPerQuery: number;
  readonly series: number;
  readonly samples: number;
  /** Points not used, by reason. */
  readonly skipped: Readonly<Record<string, number>>;
}

type Point = [t: number, value: number];

function nodeKey(metric: Record<string, string>, label: string): string {
  return metric[label] ?? JSON.stringify(metric);
}

/** Splits [start, end] into pieces of at most `maxPoints` steps, on the same step grid. */
export function chunkRange(
  start: number,
  end: number,
  step: number,
  maxPoints: number,
): Array<[number, number]> {
  const span = (maxPoints - 1) * step;
  const chunks: Array<[number, number]> = [];
  for (let s = start; s <= end; s += span + step) chunks.push([s, Math.min(end, s + span)]);
  return chunks;
}

async function queryRangeOnce(
  url: string,
  query: string,
  start: number,
  end: number,
  step: number,
  timeoutMs: number,
): Promise<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>> {
  const body = new URLSearchParams({
    query,
    start: String(start),
    end: String(end),
    step: String(step),
  });
  let res: Response;
  try {
    res = await fetch(new URL('/api/v1/query_range', url), {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new Error(`prometheus at ${url} unreachable: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  let doc: {
    status?: string;
    errorType?: string;
    error?: string;
    data?: { resultType?: string; result?: unknown };
  };
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(
      `prometheus query_range answered HTTP ${res.status} with non-JSON: ${text.slice(0, 200)}`,
    );
  }
  if (!res.ok || doc.status !== 'success') {
    throw new Error(
      `prometheus query_range failed (HTTP ${res.status} ${doc.errorType ?? ''}): ${doc.error ?? text.slice(0, 200)}`,
    );
  }
  if (doc.data?.resultType !== 'matrix' || !Array.isArray(doc.data.result)) {
    throw new Error(
      `prometheus query_range returned ${doc.data?.resultType ?? 'no'} result, expected a matrix: ${query}`,
    );
  }
  return doc.data.result as Array<{
    metric: Record<string, string>;
    values: Array<[number, string]>;
  }>;
}

/** All points of `query` over the range, per node, sorted by time. Values may be NaN. */
export async function queryRangeChunked(
  opts: PrometheusSourceOptions,
  query: string,
  which: 'cpu' | 'memory',
): Promise<{ points: Map<string, Point[]>; requests: number }> {
  const step = opts.stepSeconds ?? 60;
  const label = opts.seriesLabel ?? 'instance';
  const chunks = chunkRange(
    opts.start,
    opts.end,
    step,
    opts.maxPointsPerQuery ?? PROMETHEUS_MAX_POINTS,
  );
  const points = new Map<string, Point[]>();
  for (const [i, [s, e]] of chunks.entries()) {
    const result = await queryRangeOnce(opts.url, query, s, e, step, opts.timeoutMs ?? 30_000);
    for (const r of result) {
      const key = nodeKey(r.metric ?? {}, label);
      let list = points.get(key);
      if (!list) points.set(key, (list = []));
      for (const [t, v] of r.values) list.push([Number(t), Number(v)]);
    }
    opts.onProgress?.({ query: which, chunk: i + 1, chunks: chunks.length });
  }
  for (const list of points.values()) list.sort((a, b) => a[0] - b[0]);
  return { points, requests: chunks.length };
}

/** Node series from Prometheus: CPU and memory points joined on node and timestamp. */
export async function readPrometheusSeries(
  opts: PrometheusSourceOptions,
): Promise<{ series: Map<string, NodeSample[]>; report: PrometheusReadReport }> {
  const step = opts.stepSeconds ?? 60;
  if (!(opts.end > opts.start))
    throw new RangeError(`end (${opts.end}) must be after start (${opts.start})`);
  if (!(step > 0)) throw new RangeError(`stepSeconds must be positive, got ${step}`);
  const maxPoints = opts.maxPointsPerQuery ?? PROMETHEUS_MAX_POINTS;
  if (!Number.isInteger(maxPoints) || maxPoints < 2 || maxPoints > PROMETHEUS_MAX_POINTS) {
    throw new RangeError(
      `maxPointsPerQuery must be an integer in [2, ${PROMETHEUS_MAX_POINTS}], got ${maxPoints}`,
    );
  }
  const queries = {
    cpu: opts.cpuQuery ?? DEFAULT_CPU_QUERY,
    memory: opts.memoryQuery ?? DEFAULT_MEMORY_QUERY,
  };

  const cpu = await queryRangeChunked(opts, queries.cpu, 'cpu');
  const mem = await queryRangeChunked(opts, queries.memory, 'memory');

  const skipped: Record<string, number> = {};
  const skip = (reason: string, n = 1): void => {
    if (n > 0) skipped[reason] = (skipped[reason] ?? 0) + n;
  };
  const series = new Map<string, NodeSample[]>();
  let samples = 0;
  for (const [key, cpuPoints] of cpu.points) {
    const memPoints = mem.points.get(key);
    if (!memPoints) {
      skip('cpu_without_memory_series', cpuPoints.length);
      continue;
    }
    const out: NodeSample[] = [];
    let j = 0;
    for (const [t, c] of cpuPoints) {
      while (j < memPoints.length && (memPoints[j] as Point)[0] < t) {
        j++;
        skip('memory_without_cpu_point');
      }
      if (j >= memPoints.length || (memPoints[j] as Point)[0] !== t) {
        skip('cpu_without_memory_point');
        continue;
      }
      const m = (memPoints[j] as Point)[1];
      j++;
      if (!Number.isFinite(c) || !Number.isFinite(m)) skip('non_finite');
      else if (c < 0 || m < 0 || c > MAX_VALID_UTILISATION || m > MAX_VALID_UTILISATION)
        skip('out_of_range');
      else if (out.length > 0 && (out[out.length - 1] as NodeSample).t >= t)
        skip('duplicate_timestamp');
      else out.push({ t, cpu: c, mem: m });
    }
    skip('memory_without_cpu_point', memPoints.length - j);
    if (out.length > 0) {
      series.set(key, out);
      samples += out.length;
    }
  }
  for (const [key, memPoints] of mem.points) {
    if (!cpu.points.has(key)) skip('memory_without_cpu_series', memPoints.length);
  }

  return {
    series,
    report: {
      format: 'prometheus',
      url: opts.url,
      queries,
      range: { start: opts.start, end: opts.end, stepSeconds: step },
      requestsPerQuery: cpu.requests,
      series: series.size,
      samples,
      skipped,
    },
  };
}
