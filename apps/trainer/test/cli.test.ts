import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ALIBABA_2018_MACHINE_USAGE_FILE } from '@mlsched/core';
import pino from 'pino';
import { parseDuration, parseTrainArgs, runCli, type TrainReport } from '../src/index';

const run = promisify(execFile);
const trainerDir = resolve(__dirname, '..');
const dataDir =
  process.env.MLSCHED_DATA_DIR ?? resolve(__dirname, '..', '..', '..', '..', 'shared', 'data');
const quiet = pino({ level: 'silent' });
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trainer-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    logger: quiet,
  });
  return { code, out, err };
}

describe('argument parsing', () => {
  it.each([
    [
      ['train', '--source', 'nope'],
      /--source must be one of alibaba2018, bitbrains, synthetic, prometheus, got "nope"/,
    ],
    [['train', '--source', 'prometheus'], /--prometheus-url is required with --source prometheus/],
    [
      ['train', '--source', 'prometheus', '--prometheus-url', 'x'],
      /--prometheus-url: "x" is not a URL/,
    ],
    [
      ['train', '--source', 'synthetic', '--rounds', '2.5'],
      /--rounds: "2.5" is not a positive integer/,
    ],
    [['train', '--source', 'synthetic', '--colour', 'red'], /Unknown option '--colour'/],
    [['fit', '--source', 'synthetic'], /expected the command "train", got "fit"/],
    [
      ['train', '--source', 'synthetic', '--target', 'ratio'],
      /--target must be delta or level, got "ratio"/,
    ],
  ])('%j exits 2 naming the flag', async (args, message) => {
    const { code, err } = await cli(args);

    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('usage: mlsched-trainer train');
  });

  it('turns a Prometheus range into start and end seconds', () => {
    const opts = parseTrainArgs([
      'train',
      '--source',
      'prometheus',
      '--prometheus-url',
      'http://127.0.0.1:9090',
      '--range',
      '6h',
      '--end',
      '2026-12-03T00:00:00Z',
      '--step',
      '30',
    ]);

    expect(opts.source).toMatchObject({
      kind: 'prometheus',
      url: 'http://127.0.0.1:9090',
      start: Date.parse('2026-12-03T00:00:00Z') / 1000 - 6 * 3600,
      end: Date.parse('2026-12-03T00:00:00Z') / 1000,
      stepSeconds: 30,
    });
    expect(parseDuration('7d')).toBe(604_800);
    expect(() => parseDuration('7 days')).toThrow(/"7 days" is not a duration/);
  });
});

describe('mlsched-trainer train', () => {
  it('trains on synthetic data, prints the table and writes the report', async () => {
    const out = join(dir, 'synthetic');

    const res = await cli([
      'train',
      '--source',
      'synthetic',
      '--nodes',
      '2',
      '--days',
      '1',
      '--rounds',
      '10',
      '--out',
      out,
    ]);

    expect(res.code).toBe(0);
    const report = JSON.parse(
      readFileSync(join(out, 'reports', 'trainer-synthetic.json'), 'utf8'),
    ) as TrainReport;
    expect(report.dataset.seriesUsed).toBe(2);
    expect(res.out).toContain(`model ${report.version}`);
    expect(res.out).toMatch(/^last value +0\.\d{4} +0\.\d{4} +0\.\d{4} +0\.\d{4}$/m);
    expect(res.out).toMatch(/^moving average 15 min +0\.\d{4}/m);
    expect(res.out).toContain(`artifact: ${join(out, 'models', `${report.version}.json`)}`);
    expect(existsSync(report.artifactPath)).toBe(true);
  });

  it('exits 1 with the reason when the trace is not there', async () => {
    const res = await cli(['train', '--source', 'alibaba2018', '--data-dir', join(dir, 'no-data')]);

    expect(res.code).toBe(1);
    expect(res.err).toMatch(
      /^training failed: source alibaba2018: data file .*no-data.* not found/,
    );
  });

  it('runs as a process: table on stdout, structured progress on stderr, publish gate', async () => {
    const out = join(dir, 'process');
    const serving = join(out, 'serving.json');
    const args = [
      '--require',
      join(trainerDir, 'scripts', 'register-ts.js'),
      join(trainerDir, 'src', 'cli.ts'),
      'train',
      '--source',
      'synthetic',
      '--nodes',
      '2',
      '--days',
      '1',
      '--rounds',
      '10',
      '--out',
      out,
      '--serving-model',
      serving,
    ];

    const first = await run(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'info' } });
    const second = await run(process.execPath, args, {
      env: { ...process.env, LOG_LEVEL: 'info' },
    });

    expect(first.stdout).toMatch(
      /published: yes \(no serving model yet; validation cpu MAE 0\.\d+ < last value /,
    );
    expect(second.stdout).toMatch(
      /published: no \(validation cpu MAE 0\.\d+ does not beat serving /,
    );
    const logs = first.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const progress = logs.filter((l) => l.msg === 'training progress');
    expect(progress.map((l) => l.stage)).toEqual(
      expect.arrayContaining(['reading', 'features', 'training', 'evaluating', 'writing', 'done']),
    );
    expect(progress.find((l) => l.stage === 'training')).toMatchObject({
      booster: 'cpu',
      name: 'trainer',
    });
  }, 30_000);
});

const maybe = existsSync(join(dataDir, 'alibaba-v2018-machines', ALIBABA_2018_MACHINE_USAGE_FILE))
  ? it
  : it.skip;

describe('on a slice of the real Alibaba trace', () => {
  maybe(
    'trains on two machines and beats the last-value baseline on CPU',
    async () => {
      const out = join(dir, 'alibaba');

      const res = await cli([
        'train',
        '--source',
        'alibaba2018',
        '--data-dir',
        dataDir,
        '--max-series',
        '2',
        '--rounds',
        '60',
        '--out',
        out,
      ]);

      expect(res.code).toBe(0);
      const report = JSON.parse(
        readFileSync(join(out, 'reports', 'trainer-alibaba2018.json'), 'utf8'),
      ) as TrainReport;
      expect(report.source.read).toMatchObject({
        format: 'alibaba2018',
        series: 2,
        truncated: true,
      });
      expect(report.dataset.seriesUsed).toBe(2);
      expect(report.dataset.trainRows).toBeGreaterThan(5000);
      expect(report.metrics.cpu.model.mae).toBeLessThan(report.metrics.cpu.lastValue.mae);
    },
    30_000,
  );
});
