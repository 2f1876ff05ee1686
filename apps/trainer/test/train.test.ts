import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FEATURE_COUNT,
  generateSyntheticSeries,
  loadPredictor,
  parseModelArtifactJson,
  targetIndex,
  type NodeSample,
} from '@mlsched/core';
import pino from 'pino';
import { trainNodeLoadModel, type TrainOptions, type TrainResult } from '../src/index';
import { TrainingWorker } from '../src/worker-client';

const synthetic = {
  kind: 'synthetic',
  seed: 5,
  nodes: 3,
  durationSeconds: 86_400,
  stepSeconds: 60,
} as const;
const quiet = pino({ level: 'silent' });
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trainer-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function train(extra: Partial<TrainOptions> = {}): Promise<TrainResult> {
  return trainNodeLoadModel({
    source: synthetic,
    outDir: dir,
    logger: quiet,
    params: { rounds: 20 },
    ...extra,
  });
}

describe('trainNodeLoadModel on synthetic data', () => {
  let result: TrainResult;
  const stages: string[] = [];

  beforeAll(async () => {
    result = await train({ onProgress: (p) => stages.push(p.stage) });
  });

  it('writes the artifact and the report where it says', () => {
    const { artifactPath, artifact, report } = result;

    // Without a served model the gate is the last-value baseline, the extender's own fallback.
    const beatsLastValue = report.metrics.cpu.model.mae < report.metrics.cpu.lastValue.mae;
    expect(beatsLastValue).toBe(true);
    expect(report.published).toBe(true);
    expect(report.publishReason).toMatch(
      /^no serving model given; validation cpu MAE 0\.\d{5} < last value 0\.\d{5}/,
    );
    expect(artifactPath).toBe(join(dir, 'models', `${artifact.version}.json`));
    expect(parseModelArtifactJson(readFileSync(artifactPath, 'utf8'))).toEqual(artifact);
    expect(report.reportPath).toBe(join(dir, 'reports', 'trainer-synthetic.json'));
    expect(JSON.parse(readFileSync(report.reportPath, 'utf8'))).toEqual(report);
    expect(artifact.training).toMatchObject({
      source: 'synthetic',
      series: 3,
      rows: report.dataset.trainRows,
    });
    expect(stages).toEqual(
      expect.arrayContaining(['reading', 'features', 'training', 'evaluating', 'writing', 'done']),
    );
  });

  it('keeps validation after training in time, per series', () => {
    const { trainRange, validationRange } = result.report.dataset;

    // All three series cover the same day, so the ranges do not overlap.
    expect(trainRange.end).toBeLessThan(validationRange.start);
    expect(result.report.metrics.validationRows).toBe(result.report.dataset.validationRows);
  });

  it('scores the baselines as the plain forecasts they are', () => {
    // Recompute the last-value baseline from the raw series: |x(t+300) − x(t)| over the same
    // validation anchors the trainer used.
    const series = generateSyntheticSeries(synthetic);
    const errors: number[] = [];
    for (const samples of series.values()) {
      const cut = samples[0]!.t + 0.8 * (samples[samples.length - 1]!.t - samples[0]!.t);
      for (let i = 0; i < samples.length; i++) {
        const j = targetIndex(samples, i, 300, 60);
        if (j !== undefined && samples[i]!.t > cut)
          errors.push(Math.abs(samples[j]!.cpu - samples[i]!.cpu));
      }
    }

    const mae = errors.reduce((a, b) => a + b, 0) / errors.length;
    expect(errors.length).toBe(result.report.metrics.validationRows);
    expect(result.report.metrics.cpu.lastValue.mae).toBeCloseTo(mae, 6);
  });

  it('serves, through loadPredictor, exactly the error it measured', async () => {
    const predictor = await loadPredictor(result.artifact);
    const series = generateSyntheticSeries(synthetic);
    let abs = 0;
    let n = 0;
    for (const samples of series.values()) {
      const cut = samples[0]!.t + 0.8 * (samples[samples.length - 1]!.t - samples[0]!.t);
      for (let i = 0; i < samples.length; i++) {
        const j = targetIndex(samples, i, 300, 60);
        if (j === undefined || samples[i]!.t <= cut) continue;
        const history: NodeSample[] = samples.slice(Math.max(0, i - 40), i + 1);
        const forecast = predictor.predict(history, samples[i]!.t);
        if (!forecast) continue;
        abs += Math.abs(forecast.cpu - samples[j]!.cpu);
        n++;
      }
    }
    predictor.close();

    expect(n).toBe(result.report.metrics.validationRows);
    expect(abs / n).toBeCloseTo(result.report.metrics.cpu.model.mae, 6);
  });

  it('caps training rows and says why', async () => {
    const capped = await train({ maxTrainRows: 1000, reportsDir: join(dir, 'capped') });

    expect(capped.report.dataset.trainRows).toBe(1000);
    expect(capped.report.dataset.trainRowsAvailable).toBe(result.report.dataset.trainRowsAvailable);
    expect(capped.report.dataset.trainRowCap).toBe('maxTrainRows 1000');
    expect(capped.artifact.training.rows).toBe(1000);
  });
});

describe('publishing against the serving model', () => {
  it('publishes when nothing is served yet, then not again for a model that is no better', async () => {
    const serving = join(dir, 'serving', 'model.json');

    const first = await train({
      servingModelPath: serving,
      now: () => new Date('2026-12-01T00:00:00Z'),
    });
    // Same data, same seed: the same boosters, so the same validation error. A tie keeps the
    // served model.
    const second = await train({
      servingModelPath: serving,
      now: () => new Date('2026-12-02T00:00:00Z'),
    });

    expect(first.report).toMatchObject({ published: true, publishedPath: serving });
    expect(first.report.publishReason).toMatch(/^no serving model yet; .* < last value /);
    expect(second.report.published).toBe(false);
    // The rejected artifact is kept for inspection, away from the published versions.
    expect(second.artifactPath).toBe(join(dir, 'rejected', `${second.artifact.version}.json`));
    expect(second.report.publishReason).toMatch(/does not beat serving 2026-12-01T00-00-00Z-/);
    expect(second.report.serving?.metrics?.cpu.mae).toBeCloseTo(
      first.report.metrics.cpu.model.mae,
      9,
    );
    expect(parseModelArtifactJson(readFileSync(serving, 'utf8')).version).toBe(
      first.artifact.version,
    );
  });

  it('replaces a served model that the new one beats on the same validation rows', async () => {
    const serving = join(dir, 'serving-weak', 'model.json');
    const weak = await train({ servingModelPath: serving, params: { rounds: 1 } });

    const strong = await train({ servingModelPath: serving, params: { rounds: 30 } });

    expect(weak.report.published).toBe(true);
    expect(strong.report.serving?.version).toBe(weak.artifact.version);
    expect(strong.report.serving?.metrics?.cpu.mae).toBeCloseTo(
      weak.report.metrics.cpu.model.mae,
      9,
    );
    expect(strong.report.metrics.cpu.model.mae).toBeLessThan(weak.report.metrics.cpu.model.mae);
    expect(strong.report.published).toBe(true);
    expect(strong.report.publishReason).toMatch(/^validation cpu MAE 0\.\d{5} < serving /);
    expect(parseModelArtifactJson(readFileSync(serving, 'utf8')).version).toBe(
      strong.artifact.version,
    );
  });

  it('compares with a pinned release without ever writing it', async () => {
    const pinned = join(dir, 'pinned.json');
    const first = await train({ compareWithPath: join(dir, 'absent.json') });
    writeFileSync(pinned, readFileSync(first.artifactPath, 'utf8'));

    const again = await train({ compareWithPath: pinned });

    expect(again.report.published).toBe(false);
    expect(again.report.publishReason).toMatch(/does not beat serving /);
    expect(again.report.publishedPath).toBeUndefined();
    expect(parseModelArtifactJson(readFileSync(pinned, 'utf8')).version).toBe(
      first.artifact.version,
    );
    await expect(train({ compareWithPath: pinned, servingModelPath: pinned })).rejects.toThrow(
      /exclusive/,
    );
  });

  it('replaces a serving file this build cannot use, saying why', async () => {
    const serving = join(dir, 'serving-broken.json');
    writeFileSync(serving, '{"format": "something-else"}');

    const { report } = await train({ servingModelPath: serving });

    expect(report.published).toBe(true);
    expect(report.publishReason).toMatch(
      /^serving model unusable by this build: model artifact field "format".*; validation cpu MAE .* < last value /,
    );
  });
});

describe('failures', () => {
  it('refuses too little data, explaining what the features need', async () => {
    await expect(
      trainNodeLoadModel({
        source: { ...synthetic, durationSeconds: 3600 },
        outDir: dir,
        logger: quiet,
      }),
    ).rejects.toThrow(
      // One hour a series: anchors 15–42 train, 48–55 validate (rules: dataset.test.ts).
      'not enough data from synthetic: 84 training and 24 validation rows from 3 series ' +
        '(need 200 and 50; a row needs 15 min of history and a sample 5 min ahead)',
    );
  });

  it('names the missing trace file and the way out', async () => {
    await expect(
      trainNodeLoadModel({
        source: { kind: 'bitbrains', dataDir: join(dir, 'nowhere') },
        outDir: dir,
        logger: quiet,
      }),
    ).rejects.toThrow(
      /data file .*nowhere\/bitbrains-rnd\/.* not found; pass --data-dir .* or train on --source synthetic/,
    );
  });

  it('refuses a non-integer row limit', async () => {
    await expect(train({ maxTrainRows: 10.5 })).rejects.toThrow(
      'maxTrainRows must be a positive integer, got 10.5',
    );
  });

  it('turns an XGBoost failure inside the worker into an error, and the caller lives on', async () => {
    const worker = TrainingWorker.start();
    const rows = 50;
    const x = new Float32Array(rows * FEATURE_COUNT);

    await expect(
      worker.train(
        x,
        new Float32Array(rows),
        FEATURE_COUNT,
        { rounds: 2, objective: 'nonsense' },
        x,
        rows,
      ),
    ).rejects.toThrow(/^training worker: xgboost training failed: /);
    await worker.close();
  });

  it('rejects pending requests when the worker process dies', async () => {
    const worker = TrainingWorker.start();
    const x = new Float32Array(10 * FEATURE_COUNT);
    const pending = worker.train(x, new Float32Array(10), FEATURE_COUNT, { rounds: 1 }, x, 10);

    process.kill(worker.pid as number, 'SIGKILL');

    await expect(pending).rejects.toThrow(/^training worker exited \(code none, signal SIGKILL\)/);
    await worker.close();
    expect(existsSync(dir)).toBe(true);
  });
});
