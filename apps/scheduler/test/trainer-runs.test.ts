import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRAINER_RUN_FORMAT, trainerRunFileName, type TrainerRunRecord } from '@mlsched/core';
import { runCli, type TrainReport } from '@mlsched/trainer';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { startExtender } from '../src/main.js';
import { TrainerRunReader } from '../src/trainer-runs.js';
import { captureLog, metricValue, testConfig } from './helpers.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'trainer-runs-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const MAE = {
  cpu: { model: 0.061, lastValue: 0.068, movingAverage: 0.06 },
  memory: { model: 0.015, lastValue: 0.0165, movingAverage: 0.0167 },
};

/** Writes a record as the trainer would, ending at `end` (ISO) after `seconds`. */
function writeRecord(
  dir: string,
  result: TrainerRunRecord['result'],
  end: string,
  seconds: number,
): string {
  mkdirSync(dir, { recursive: true });
  const endedAt = new Date(end);
  const record: TrainerRunRecord = {
    format: TRAINER_RUN_FORMAT,
    result,
    startedAt: new Date(endedAt.getTime() - seconds * 1000).toISOString(),
    endedAt: endedAt.toISOString(),
    durationSeconds: seconds,
    source: 'prometheus',
    reason: result === 'failed' ? 'the run stopped on an error' : 'test',
    ...(result === 'failed'
      ? { error: 'not enough data' }
      : { version: `${end.replace(/:/g, '-')}-abcdef`, validationMae: MAE }),
  };
  const file = join(dir, trainerRunFileName(endedAt));
  writeFileSync(file, JSON.stringify(record));
  return file;
}

async function metricsOf(reader: TrainerRunReader): Promise<string> {
  const app = await buildApp({
    config: testConfig(),
    logger: pino({ level: 'silent' }),
    trainerRuns: reader,
  });
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  await app.close();
  return text;
}

const seconds = (iso: string): number => Date.parse(iso) / 1000;

describe('trainer run records', () => {
  it('exports runs by result, the last run, the last success and its validation MAE', async () => {
    const dir = join(root, 'node-load', 'reports');
    writeRecord(dir, 'published', '2026-12-03T00:17:00Z', 95.5);
    writeRecord(dir, 'rejected', '2026-12-03T06:18:00Z', 101);
    writeRecord(dir, 'failed', '2026-12-03T12:17:30Z', 12.25);
    writeFileSync(join(dir, 'trainer-prometheus.json'), '{"a report": "not a run record"}');
    const reader = new TrainerRunReader({
      dirs: [{ model: 'node-load', dir }],
      refreshSeconds: 60,
    });

    await reader.refresh();
    const text = await metricsOf(reader);

    const m = (name: string, labels: Record<string, string> = {}) =>
      metricValue(text, name, { model: 'node-load', ...labels });
    expect(m('mlsched_trainer_runs_total', { result: 'published' })).toBe(1);
    expect(m('mlsched_trainer_runs_total', { result: 'rejected' })).toBe(1);
    expect(m('mlsched_trainer_runs_total', { result: 'failed' })).toBe(1);
    expect(m('mlsched_trainer_last_run_duration_seconds')).toBe(12.25);
    expect(m('mlsched_trainer_last_run_timestamp_seconds')).toBe(seconds('2026-12-03T12:17:30Z'));
    expect(m('mlsched_trainer_last_success_timestamp_seconds')).toBe(
      seconds('2026-12-03T00:17:00Z'),
    );
    for (const [resource, values] of Object.entries(MAE)) {
      expect(m('mlsched_trainer_validation_mae_ratio', { resource, predictor: 'model' })).toBe(
        values.model,
      );
      expect(m('mlsched_trainer_validation_mae_ratio', { resource, predictor: 'last_value' })).toBe(
        values.lastValue,
      );
      expect(
        m('mlsched_trainer_validation_mae_ratio', { resource, predictor: 'moving_average' }),
      ).toBe(values.movingAverage);
    }
    expect(reader.summaries()[0]?.refused).toBe(0);
  });

  it('counts and skips a corrupt record with a warning naming the file, once', async () => {
    const dir = join(root, 'reports');
    writeRecord(dir, 'published', '2026-12-03T00:17:00Z', 90);
    const notJson = join(dir, 'run-2026-12-03T06-17-00.000Z.json');
    writeFileSync(notJson, '{"format": "mlsched.trainer-run/v1", "result": "publ');
    const badResult = writeRecord(dir, 'published', '2026-12-03T07:17:00Z', 90);
    writeFileSync(badResult, readFileSync(badResult, 'utf8').replace('published', 'maybe'));
    const { logger, lines } = captureLog('info');
    const reader = new TrainerRunReader({
      dirs: [{ model: 'node-load', dir }],
      refreshSeconds: 60,
      log: logger,
    });

    await reader.refresh();
    await reader.refresh();

    const warnings = lines.filter((l) => l.msg === 'trainer run record refused');
    expect(warnings.map((l) => [l.level, l.file])).toEqual([
      [40, notJson],
      [40, badResult],
    ]);
    expect(warnings[0]?.error).toMatch(new RegExp(`^${notJson}: not JSON`));
    expect(warnings[1]?.error).toBe(
      `${badResult}: result must be one of published, rejected, failed, got "maybe"`,
    );
    expect(reader.summaries()[0]).toMatchObject({
      refused: 2,
      runs: { published: 1, rejected: 0, failed: 0 },
    });
    const text = await metricsOf(reader);
    expect(metricValue(text, 'mlsched_trainer_last_run_timestamp_seconds')).toBe(
      seconds('2026-12-03T00:17:00Z'),
    );
  });

  it('reads a refused record again once it changed', async () => {
    const dir = join(root, 'reports');
    const file = writeRecord(dir, 'rejected', '2026-12-03T06:17:00Z', 90);
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('"durationSeconds":90', '"durationSeconds":-1'));
    const reader = new TrainerRunReader({ dirs: [{ model: 'm', dir }], refreshSeconds: 60 });
    await reader.refresh();
    expect(reader.summaries()[0]).toMatchObject({ refused: 1, runs: { rejected: 0 } });

    // A different mtime: the file was rewritten.
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(file, good);
    await reader.refresh();

    expect(reader.summaries()[0]).toMatchObject({ refused: 1, runs: { rejected: 1 } });
  });

  it('reads only new records, and keeps counting runs whose records were pruned', async () => {
    const dir = join(root, 'reports');
    const first = writeRecord(dir, 'published', '2026-12-03T00:17:00Z', 90);
    const reader = new TrainerRunReader({ dirs: [{ model: 'm', dir }], refreshSeconds: 60 });
    await reader.refresh();

    unlinkSync(first);
    writeRecord(dir, 'published', '2026-12-03T06:17:00Z', 80);
    await reader.refresh();
    await reader.refresh();

    expect(reader.summaries()[0]).toMatchObject({ runs: { published: 2 } });
    expect(reader.summaries()[0]?.last?.durationSeconds).toBe(80);
  });

  it('survives a missing or unreadable directory, exporting nothing for it', async () => {
    writeFileSync(join(root, 'a-file'), 'x');
    const { logger, lines } = captureLog('info');
    const reader = new TrainerRunReader({
      dirs: [
        { model: 'new-model', dir: join(root, 'not-yet') },
        { model: 'broken', dir: join(root, 'a-file') },
      ],
      refreshSeconds: 60,
      log: logger,
    });

    await reader.refresh();
    await reader.refresh();
    const text = await metricsOf(reader);

    expect(lines.map((l) => [l.level, l.msg, l.model])).toEqual([
      [30, 'no trainer run records yet', 'new-model'],
      [40, 'trainer reports directory unreadable', 'broken'],
    ]);
    expect(metricValue(text, 'mlsched_trainer_runs_total', { model: 'new-model' })).toBe(0);
    expect(metricValue(text, 'mlsched_trainer_last_run_timestamp_seconds')).toBeUndefined();
  });
});

describe('TRAINER_REPORTS_DIRS', () => {
  it('reads model=dir pairs', () => {
    const config = loadConfig({
      TRAINER_REPORTS_DIRS: 'node-load=/models/node-load/reports, gpu=/models/gpu/reports',
      TRAINER_REPORTS_REFRESH_SECONDS: '30',
    });

    expect(config.trainerReports).toEqual([
      { model: 'node-load', dir: '/models/node-load/reports' },
      { model: 'gpu', dir: '/models/gpu/reports' },
    ]);
    expect(config.trainerReportsRefreshSeconds).toBe(30);
    expect(loadConfig({}).trainerReports).toEqual([]);
  });

  it('names each entry that cannot work', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({
        TRAINER_REPORTS_DIRS: '/models/x,Node_Load=/a,rel=models/r,a=/x,a=/y',
        TRAINER_REPORTS_REFRESH_SECONDS: '0',
      });
    } catch (err) {
      problems = (err as { problems: readonly string[] }).problems;
    }

    expect(problems).toEqual([
      "TRAINER_REPORTS_DIRS entries must be model=/absolute/dir, got '/models/x'",
      "TRAINER_REPORTS_DIRS: model name 'Node_Load' is not a DNS-1123 label (the trainer " +
        'CronJob and the model store directory are named after it)',
      "TRAINER_REPORTS_DIRS: directory of rel must be absolute, got 'models/r'",
      'TRAINER_REPORTS_DIRS: model a is listed twice',
      'TRAINER_REPORTS_REFRESH_SECONDS must be an integer from 1 to 86400, got 0',
    ]);
  });
});

describe('trainer CLI runs, read by a running extender', () => {
  it('exports a published and a failed run of the real trainer over HTTP', async () => {
    const out = join(root, 'store');
    const reports = join(out, 'reports');
    const quiet = pino({ level: 'silent' });
    const io = { stdout: () => undefined, stderr: () => undefined, logger: quiet };

    const ok = await runCli(
      ['train', '--source', 'synthetic', '--nodes', '2', '--days', '1', '--rounds', '5'].concat([
        '--out',
        out,
      ]),
      io,
    );
    const failed = await runCli(
      ['train', '--source', 'alibaba2018', '--data-dir', join(root, 'no-data')].concat([
        '--out',
        out,
      ]),
      io,
    );
    const report = JSON.parse(
      readFileSync(join(reports, 'trainer-synthetic.json'), 'utf8'),
    ) as TrainReport;

    const extender = await startExtender(
      {
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        KUBE_WATCH_PODS: 'false',
        TRAINER_REPORTS_DIRS: `node-load=${reports}`,
      },
      quiet,
    );
    let text = '';
    try {
      for (let i = 0; i < 50; i++) {
        text = await (await fetch(`${extender.url}/metrics`)).text();
        if (text.includes('mlsched_trainer_last_run_timestamp_seconds{')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await extender.stop();
    }

    expect([ok, failed]).toEqual([0, 1]);
    const m = (name: string, labels: Record<string, string> = {}) =>
      metricValue(text, name, { model: 'node-load', ...labels });
    expect(m('mlsched_trainer_runs_total', { result: 'published' })).toBe(1);
    expect(m('mlsched_trainer_runs_total', { result: 'failed' })).toBe(1);
    expect(m('mlsched_trainer_runs_total', { result: 'rejected' })).toBe(0);
    expect(m('mlsched_trainer_validation_mae_ratio', { resource: 'cpu', predictor: 'model' })).toBe(
      report.metrics.cpu.model.mae,
    );
    expect(
      m('mlsched_trainer_validation_mae_ratio', { resource: 'memory', predictor: 'last_value' }),
    ).toBe(report.metrics.memory.lastValue.mae);
    const lastRun = m('mlsched_trainer_last_run_timestamp_seconds') as number;
    const lastSuccess = m('mlsched_trainer_last_success_timestamp_seconds') as number;
    // The failed run came second: the alert's condition (last run newer than last success).
    expect(lastRun).toBeGreaterThan(lastSuccess);
    expect(lastSuccess).toBeGreaterThanOrEqual(Date.parse(report.createdAt) / 1000);
  }, 120_000);
});
