import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { seededRandom } from '@mlsched/core';
import pino from 'pino';
import { startPrometheus, type RunningService } from '../../../test-support/services';
import { chunkRange, readPrometheusSeries, trainNodeLoadModel } from '../src/index';

const run = promisify(execFile);
const SCRAPE = 15;
const STEP = 60;
const BLOCK = 1800;
const NODES = ['node-a:9100', 'node-b:9100', 'node-c:9100'];
const MEM_TOTAL = 16e9;

// 12 hours of node-exporter history ending an hour ago, on a minute boundary (recent enough for
// the 30-day retention of the test Prometheus).
const end = Math.floor(Date.now() / 1000 / 3600) * 3600 - 3600;
const start = end - 12 * 3600;
// Data starts 10 minutes early so the 2m rate window is full at the first query point.
const dataStart = start - 600;

/** CPU busy fraction of a node, constant within each 30-minute block. */
const cpuLevels = NODES.map((_, n) => {
  const rand = seededRandom(100 + n);
  return Array.from({ length: (end - dataStart) / BLOCK + 2 }, () => 0.1 + 0.8 * rand());
});
const cpuAt = (n: number, t: number) => cpuLevels[n]![Math.floor((t - dataStart) / BLOCK)]!;
const memAt = (n: number, t: number) =>
  0.3 + 0.1 * n + 0.2 * Math.sin((2 * Math.PI * (t - dataStart)) / 21_600);

/** OpenMetrics text for promtool: idle-seconds counters of two CPUs and the two memory gauges. */
function openMetrics(): string {
  const lines: string[] = ['# TYPE node_cpu_seconds counter'];
  NODES.forEach((instance, n) => {
    for (const cpu of ['0', '1']) {
      let idle = 0;
      for (let t = dataStart; t <= end; t += SCRAPE) {
        lines.push(
          `node_cpu_seconds_total{cpu="${cpu}",instance="${instance}",mode="idle"} ${idle} ${t}`,
        );
        idle += (1 - cpuAt(n, t)) * SCRAPE;
      }
    }
  });
  lines.push('# TYPE node_memory_MemAvailable_bytes gauge');
  NODES.forEach((instance, n) => {
    for (let t = dataStart; t <= end; t += SCRAPE) {
      lines.push(
        `node_memory_MemAvailable_bytes{instance="${instance}"} ${MEM_TOTAL * (1 - memAt(n, t))} ${t}`,
      );
    }
  });
  lines.push('# TYPE node_memory_MemTotal_bytes gauge');
  for (const instance of NODES) {
    for (let t = dataStart; t <= end; t += SCRAPE)
      lines.push(`node_memory_MemTotal_bytes{instance="${instance}"} ${MEM_TOTAL} ${t}`);
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

let dir: string;
let prom: RunningService;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trainer-prom-'));
  const input = join(dir, 'history.om');
  writeFileSync(input, openMetrics());
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, join(dir, 'tsdb')]);
  prom = await startPrometheus({ storagePath: join(dir, 'tsdb') });
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('chunkRange', () => {
  it('splits a range into pieces of at most maxPoints points on one step grid, without overlap', () => {
    expect(chunkRange(0, 1000, 10, 11)).toEqual([
      [0, 100],
      [110, 210],
      [220, 320],
      [330, 430],
      [440, 540],
      [550, 650],
      [660, 760],
      [770, 870],
      [880, 980],
      [990, 1000],
    ]);
    expect(chunkRange(0, 100, 10, 11_000)).toEqual([[0, 100]]);
  });
});

describe('readPrometheusSeries against a real Prometheus with backfilled node-exporter data', () => {
  it('joins CPU and memory per instance over chunked range queries, with exact values', async () => {
    const { series, report } = await readPrometheusSeries({
      url: prom.url,
      start,
      end,
      stepSeconds: STEP,
      maxPointsPerQuery: 200,
    });

    // 721 points per series; 200 per request → 4 requests per query.
    expect(report.requestsPerQuery).toBe(4);
    expect([...series.keys()].sort()).toEqual(NODES);
    expect(report.samples).toBe(3 * 721);
    expect(report.skipped).toEqual({});
    const b = series.get('node-b:9100')!;
    expect(b[0]!.t).toBe(start);
    expect(b[720]!.t).toBe(end);
    expect(b.every((s, i) => i === 0 || s.t - b[i - 1]!.t === STEP)).toBe(true);
    // Where the 2m rate window lies inside one 30-minute block, the query returns its level.
    const inside = b.filter((s) => (s.t - dataStart) % BLOCK >= 180);
    expect(inside.length).toBeGreaterThan(600);
    expect(Math.max(...inside.map((s) => Math.abs(s.cpu - cpuAt(1, s.t))))).toBeLessThan(1e-9);
    expect(Math.max(...b.map((s) => Math.abs(s.mem - memAt(1, s.t))))).toBeLessThan(1e-9);
  });

  it("reports a PromQL error with Prometheus's own message", async () => {
    await expect(
      readPrometheusSeries({ url: prom.url, start, end, cpuQuery: 'rate(node_cpu_seconds_total[' }),
    ).rejects.toThrow(/prometheus query_range failed \(HTTP 400 bad_data\): .*parse error/);
  });

  it('refuses a range Prometheus would reject', async () => {
    await expect(
      readPrometheusSeries({ url: prom.url, start, end, maxPointsPerQuery: 20_000 }),
    ).rejects.toThrow('maxPointsPerQuery must be an integer in [2, 11000], got 20000');
  });
});

describe('trainNodeLoadModel from Prometheus', () => {
  it('trains and evaluates on the backfilled history', async () => {
    const { report, artifact } = await trainNodeLoadModel({
      source: {
        kind: 'prometheus',
        url: prom.url,
        start,
        end,
        stepSeconds: STEP,
        maxPointsPerQuery: 200,
      },
      outDir: dir,
      params: { rounds: 10 },
      logger: pino({ level: 'silent' }),
    });

    expect(artifact.training.source).toBe('prometheus');
    expect(report.source.read).toMatchObject({
      format: 'prometheus',
      requestsPerQuery: 4,
      series: 3,
      samples: 2163,
    });
    // Per node: cut at sample 576; train anchors 15–571, validation anchors 577–716.
    expect(report.dataset.trainRows).toBe(3 * 557);
    expect(report.dataset.validationRows).toBe(3 * 140);
    expect(report.reportPath).toBe(join(dir, 'reports', 'trainer-prometheus.json'));
  });
});
