import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseTrainerRunRecord,
  TRAINER_RUN_FILE,
  TRAINER_RUN_FORMAT,
  type TrainerRunRecord,
} from '@mlsched/core';
import pino from 'pino';
import {
  runCli,
  trainNodeLoadModel,
  writeRunRecord,
  type TrainOptions,
  type TrainReport,
} from '../src/index';

const quiet = pino({ level: 'silent' });
const synthetic = { kind: 'synthetic', seed: 3, nodes: 2, durationSeconds: 86_400 } as const;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'trainer-runs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The run records in `reports`, parsed, oldest first. */
function records(reports: string): TrainerRunRecord[] {
  return readdirSync(reports)
    .filter((f) => TRAINER_RUN_FILE.test(f))
    .sort()
    .map((f) => parseTrainerRunRecord(readFileSync(join(reports, f), 'utf8'), f));
}

async function cli(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await runCli(args, {
    stdout: () => undefined,
    stderr: (t) => (err += t),
    logger: quiet,
  });
  return { code, err };
}

describe('run records', () => {
  it('records a CLI run without a serving model as published when it beats the last value', async () => {
    const started = Date.now();

    const { code } = await cli(
      ['train', '--source', 'synthetic', '--nodes', '2', '--days', '1', '--rounds', '5'].concat([
        '--out',
        dir,
      ]),
    );

    const reports = join(dir, 'reports');
    const report = JSON.parse(
      readFileSync(join(reports, 'trainer-synthetic.json'), 'utf8'),
    ) as TrainReport;
    const [record, ...more] = records(reports);
    expect(code).toBe(0);
    expect(more).toEqual([]);
    expect(report.metrics.cpu.model.mae).toBeLessThan(report.metrics.cpu.lastValue.mae);
    expect(report.publishReason).toMatch(/^no serving model given; .* < last value /);
    expect(record).toEqual({
      format: TRAINER_RUN_FORMAT,
      result: 'published',
      startedAt: expect.any(String),
      endedAt: expect.any(String),
      durationSeconds: expect.any(Number),
      source: 'synthetic',
      version: report.version,
      reason: report.publishReason,
      validationMae: {
        cpu: {
          model: report.metrics.cpu.model.mae,
          lastValue: report.metrics.cpu.lastValue.mae,
          movingAverage: report.metrics.cpu.movingAverage.mae,
        },
        memory: {
          model: report.metrics.memory.model.mae,
          lastValue: report.metrics.memory.lastValue.mae,
          movingAverage: report.metrics.memory.movingAverage.mae,
        },
      },
    });
    const r = record as TrainerRunRecord;
    expect(Date.parse(r.startedAt)).toBeGreaterThanOrEqual(started - 1);
    expect(r.durationSeconds).toBeCloseTo(
      (Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000,
      3,
    );
    expect(r.durationSeconds).toBeGreaterThanOrEqual(report.durationSeconds);
  });

  it('records a failed CLI run with the error it printed', async () => {
    const { code, err } = await cli(
      ['train', '--source', 'alibaba2018', '--data-dir', join(dir, 'nothing')].concat([
        '--out',
        dir,
      ]),
    );

    const [record, ...more] = records(join(dir, 'reports'));
    expect(code).toBe(1);
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      result: 'failed',
      source: 'alibaba2018',
      reason: 'the run stopped on an error',
    });
    expect(err).toBe(`training failed: ${record?.error}\n`);
    expect(record?.error).toMatch(/^source alibaba2018: data file .*nothing.* not found/);
    expect(record?.version).toBeUndefined();
    expect(record?.validationMae).toBeUndefined();
  });

  it('records a model that does not beat the served one as rejected', async () => {
    const serving = join(dir, 'serving.json');
    const opts: TrainOptions = {
      source: synthetic,
      outDir: dir,
      logger: quiet,
      params: { rounds: 5 },
      servingModelPath: serving,
    };

    const first = await trainNodeLoadModel(opts);
    // Same data, same parameters: the same model, which is not strictly better.
    const second = await trainNodeLoadModel(opts);

    expect(records(join(dir, 'reports')).map((r) => r.result)).toEqual(['published', 'rejected']);
    expect(first.runRecord.reason).toBe(first.report.publishReason);
    expect(second.runRecord).toMatchObject({
      result: 'rejected',
      reason: second.report.publishReason,
      version: second.report.version,
    });
    expect(existsSync(second.runRecordPath)).toBe(true);
  });

  it('keeps only the newest records', async () => {
    const base = Date.parse('2026-12-03T00:00:00Z');
    for (let i = 0; i < 5; i++) {
      const end = new Date(base + i * 6 * 3600_000).toISOString();
      await writeRunRecord(
        dir,
        {
          format: TRAINER_RUN_FORMAT,
          result: 'failed',
          startedAt: end,
          endedAt: end,
          durationSeconds: 0,
          source: 'prometheus',
          reason: 'the run stopped on an error',
          error: `run ${i}`,
        },
        quiet,
        3,
      );
    }

    expect(records(dir).map((r) => r.error)).toEqual(['run 2', 'run 3', 'run 4']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
