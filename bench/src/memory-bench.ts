/**
 * X13 "memory stays bounded": heap and RSS across a run of filter calls with full Node objects
 * on the listening extender, and the same run with NodeNames as the baseline. Each call parses a
 * multi-megabyte body and echoes the objects back; what matters is that nothing of it is kept
 * once a collection has run.
 *
 * With GC exposed, the heap is also measured after a full collection at each quarter of the
 * run. The first calls leave a one-time amount behind (optimised code, serialiser and parser
 * caches); a leak shows as growth between the quarter checkpoints, so the per-call figure is
 * taken from the first checkpoint to the end.
 */
import type { Logger } from 'pino';
import { collect, exposedGc, type Gc } from './gc.js';
import type { BenchServer, NodeMode } from './http-bench.js';

export interface MemoryBenchOptions {
  readonly calls: number;
}

export interface MemoryFigures {
  /** V8 heap in use, bytes. */
  readonly heapUsed: number;
  /** Resident set size of the process, bytes. */
  readonly rss: number;
}

export interface MemoryRun {
  readonly mode: NodeMode;
  readonly calls: number;
  readonly nodes: number;
  readonly requestBytes: number;
  /** After a full collection, before the first call (when GC is exposed; else as found). */
  readonly before: MemoryFigures;
  /** Highest values seen after any call. */
  readonly peak: MemoryFigures;
  /** Right after the last call, no collection. */
  readonly after: MemoryFigures;
  /** After a full collection; null when the process runs without --expose-gc. */
  readonly afterGc: MemoryFigures | null;
  /** After-GC figures at each quarter of the run (the last is `afterGc`); empty without GC. */
  readonly checkpoints: readonly (MemoryFigures & { readonly calls: number })[];
  /**
   * Heap kept per call from the first checkpoint to the end, bytes; null without GC or with
   * fewer than two checkpoints. Near zero (either sign) means nothing accumulates per call.
   */
  readonly retainedHeapPerCall: number | null;
}

export interface MemoryBenchResult {
  readonly gcExposed: boolean;
  readonly runs: readonly MemoryRun[];
  /**
   * Peak heap growth over `before`, objects ÷ names (a growth under one byte counts as one, so
   * the ratio stays finite).
   */
  readonly peakHeapGrowthRatio: number;
}

function sample(): MemoryFigures {
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

async function runMode(
  server: BenchServer,
  mode: NodeMode,
  nodes: number,
  body: Buffer,
  calls: number,
  gc: Gc | undefined,
): Promise<MemoryRun> {
  collect(gc);
  const before = sample();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const quarter = Math.max(1, Math.floor(calls / 4));
  const checkpoints: (MemoryFigures & { calls: number })[] = [];
  let after = before;
  for (let i = 1; i <= calls; i++) {
    const reply = await server.client.post('/filter', body);
    if (reply.status !== 200) throw new Error(`filter with ${nodes} ${mode}: ${reply.status}`);
    after = sample();
    peakHeap = Math.max(peakHeap, after.heapUsed);
    peakRss = Math.max(peakRss, after.rss);
    if (gc && (i % quarter === 0 || i === calls) && checkpoints.at(-1)?.calls !== i) {
      collect(gc);
      checkpoints.push({ calls: i, ...sample() });
    }
  }
  const afterGc = checkpoints.at(-1) ?? null;
  const first = checkpoints[0];
  const retainedHeapPerCall =
    afterGc && first && afterGc.calls > first.calls
      ? (afterGc.heapUsed - first.heapUsed) / (afterGc.calls - first.calls)
      : null;
  return {
    mode,
    calls,
    nodes,
    requestBytes: body.length,
    before,
    peak: { heapUsed: peakHeap, rss: peakRss },
    after,
    afterGc: afterGc ? { heapUsed: afterGc.heapUsed, rss: afterGc.rss } : null,
    checkpoints,
    retainedHeapPerCall,
  };
}

export async function runMemoryBench(
  server: BenchServer,
  nodes: number,
  bodies: Readonly<Record<NodeMode, Buffer>>,
  options: MemoryBenchOptions,
  log: Logger,
): Promise<MemoryBenchResult> {
  const gc = exposedGc();
  if (!gc) log.warn({}, 'gc not exposed (run node with --expose-gc); after-GC figures omitted');

  const names = await runMode(server, 'names', nodes, bodies.names, options.calls, gc);
  log.info({ mode: 'names', calls: options.calls, nodes }, 'memory run done');
  const objects = await runMode(server, 'objects', nodes, bodies.objects, options.calls, gc);
  log.info({ mode: 'objects', calls: options.calls, nodes }, 'memory run done');

  const growth = (run: MemoryRun): number => Math.max(1, run.peak.heapUsed - run.before.heapUsed);
  return {
    gcExposed: gc !== undefined,
    runs: [names, objects],
    peakHeapGrowthRatio: growth(objects) / growth(names),
  };
}
