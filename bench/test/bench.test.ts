/**
 * Smoke test: every benchmark runs end to end for a handful of iterations and the report has
 * its shape. No figure is checked against a time limit: tests are not timed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { QUICK_OPTIONS, runBench, type BenchReport } from '../src/run.js';
import { writeReport } from '../src/write.js';

const positive = (value: number): void => {
  expect(Number.isFinite(value)).toBe(true);
  expect(value).toBeGreaterThan(0);
};

describe('bench --quick', () => {
  let report: BenchReport;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlsched-bench-test-'));
    report = await runBench(QUICK_OPTIONS, pino({ level: 'silent' }));
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('measures X11 for every size, verb and mode, with ratios of its own figures', () => {
    const { sizes } = QUICK_OPTIONS;
    expect(report.http.cases).toHaveLength(sizes.length * 4);
    for (const c of report.http.cases) {
      for (const v of [c.requestsPerSecond, c.p50Ms, c.p99Ms, c.requestBytes, c.responseBytes]) {
        positive(v);
      }
      expect(c.requests).toBeGreaterThanOrEqual(QUICK_OPTIONS.http[c.mode].minRequests);
      expect(c.p99Ms).toBeGreaterThanOrEqual(c.p50Ms);
    }
    for (const r of report.http.ratios) {
      const pick = (mode: string) =>
        report.http.cases.find((c) => c.verb === r.verb && c.nodes === r.nodes && c.mode === mode);
      const names = pick('names');
      const objects = pick('objects');
      expect(r.p50Ms).toBeCloseTo((objects?.p50Ms ?? NaN) / (names?.p50Ms ?? NaN), 9);
      // A full Node object is kilobytes, a name tens of bytes.
      expect(r.requestBytes).toBeGreaterThan(50);
    }
    const filters = report.http.cases.filter((c) => c.verb === 'filter');
    expect(filters.every((c) => c.passed !== undefined && c.passed <= c.nodes)).toBe(true);
    expect(report.meta.nodeObjectBytes).toBeGreaterThan(8_000);
    expect(report.meta.nodeObjectBytes).toBeLessThan(10_000);
  });

  it('measures X02 on a cold extender that passes every node', () => {
    const cold = report.coldStart;
    expect(cold.nodes).toBe(QUICK_OPTIONS.coldStartNodes);
    expect(cold.filter.passed).toBe(cold.nodes);
    for (const v of [cold.firstFilterMs, cold.firstPrioritizeMs, cold.filter.p50Ms]) positive(v);
    positive(cold.prioritize.requestsPerSecond);
  });

  it('reports decision, refresh and memory figures, finite and positive', () => {
    const largest = Math.max(...QUICK_OPTIONS.sizes);
    expect(report.scoring.nodes).toBe(largest);
    expect(report.scoring.rows.map((r) => r.case)).toEqual([
      'filter',
      'prioritize (nodes that passed)',
      'filter + prioritize',
      'filter + prioritize, no telemetry',
    ]);
    for (const r of report.scoring.rows) {
      positive(r.extenderNsPerNode);
      positive(r.baselineNsPerNode);
      expect(r.ratio).toBeCloseTo(r.extenderNsPerNode / r.baselineNsPerNode, 9);
    }

    expect(report.refresh.forecastsOk).toBe(largest);
    expect(report.refresh.rows).toHaveLength(2);
    for (const r of report.refresh.rows) {
      for (const v of [r.modelMs, r.lastValueMs, r.modelUsPerNode, r.lastValueUsPerNode, r.ratio]) {
        positive(v);
      }
    }

    expect(report.memory.runs.map((r) => r.mode)).toEqual(['names', 'objects']);
    for (const run of report.memory.runs) {
      expect(run.calls).toBe(QUICK_OPTIONS.memory.calls);
      for (const f of [run.before, run.peak, run.after]) {
        positive(f.heapUsed);
        positive(f.rss);
      }
      // jest runs without --expose-gc: the after-GC figures are absent, not made up.
      expect(run.afterGc).toBeNull();
      expect(run.retainedHeapPerCall).toBeNull();
    }
    positive(report.memory.peakHeapGrowthRatio);
  });

  it('writes markdown, JSON and an SVG chart', async () => {
    const { files } = await writeReport(report, dir);

    const markdown = await readFile(files.markdown, 'utf8');
    const json = JSON.parse(await readFile(files.json, 'utf8')) as BenchReport;
    const svg = await readFile(files.svg, 'utf8');

    expect(markdown).toContain('| verb | nodes | mode | req/s | p50 ms | p99 ms |');
    expect(markdown).toContain('![benchmark chart](bench.svg)');
    expect(json.http.cases).toHaveLength(report.http.cases.length);
    expect(json.scoring.rows[0]?.extenderNsPerNode).toBe(report.scoring.rows[0]?.extenderNsPerNode);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    // One bar per X11 case, two per scoring and refresh row, two per memory row (3 rows).
    const bars = (svg.match(/<rect class="bar"/g) ?? []).length;
    expect(bars).toBe(report.http.cases.length + 2 * (4 + 2) + 2 * 3);
  });
});
