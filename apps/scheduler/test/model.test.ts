/**
 * The extender with a real model artifact (tiny XGBoost boosters trained in-process by core's
 * test fixture): loaded from MODEL_PATH, forecasting on ingest, exported as model metrics.
 */
import { loadPredictor, serializeModelArtifact, type ModelArtifact } from '@mlsched/core';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainTinyModel } from '../../../packages/core/test/predictor-fixtures.js';
import { ManualClock } from '../src/clock.js';
import { startExtender } from '../src/main.js';
import { testApp } from './app-helpers.js';
import { captureLog, makePod, metricValue, namesArgs } from './helpers.js';

describe('serving a trained model', () => {
  let dir: string;
  let artifact: ModelArtifact;
  let modelPath: string;

  beforeAll(async () => {
    const tiny = await trainTinyModel();
    tiny.cpu.free();
    tiny.memory.free();
    artifact = tiny.artifact;
    dir = mkdtempSync(join(tmpdir(), 'mlsched-model-'));
    modelPath = join(dir, 'model.json');
    writeFileSync(modelPath, serializeModelArtifact(artifact));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it('loads MODEL_PATH at start-up and reports the version and its age', async () => {
    const env = { PORT: '0', HOST: '127.0.0.1', KUBE_WATCH_PODS: 'false', MODEL_PATH: modelPath };
    const server = await startExtender(env, captureLog('warn').logger);
    try {
      const ready = (await (await fetch(`${server.url}/readyz`)).json()) as {
        model: { version: string };
      };
      const metrics = await (await fetch(`${server.url}/metrics`)).text();

      expect(ready.model).toEqual({ loaded: true, version: artifact.version, path: modelPath });
      expect(metricValue(metrics, 'mlsched_model_info', { version: artifact.version })).toBe(1);
      const age = metricValue(metrics, 'mlsched_model_age_seconds') as number;
      expect(age).toBeCloseTo(Date.now() / 1000 - Date.parse(artifact.createdAt) / 1000, -1);
    } finally {
      await server.stop();
    }
  });

  it('refuses a history window shorter than the model reads, naming the setting', async () => {
    const env = {
      PORT: '0',
      MODEL_PATH: modelPath,
      METRICS_HISTORY_SECONDS: '600',
      METRICS_STALE_SECONDS: '180',
    };
    await expect(startExtender(env, captureLog('silent').logger)).rejects.toThrow(
      /METRICS_HISTORY_SECONDS \(600\) is shorter than .* MODEL_PATH reads \(1800 s\)/,
    );
  });

  const unloadable: [string, () => string, RegExp][] = [
    ['a missing file', () => join(dir, 'missing.json'), /ENOENT/],
    ['a file that is not JSON', () => write('corrupt.json', '{"format": "mlsched-'), /JSON/],
    ['a directory', () => dir, /is not a regular file \(a directory\)/],
    ['/dev/zero', () => '/dev/zero', /^\/dev\/zero is not a regular file \(a device/],
    [
      'a file above 256 MiB',
      () => {
        // Sparse: 300 MiB long, no blocks written.
        const path = join(dir, 'huge.json');
        closeSync(openSync(path, 'w'));
        truncateSync(path, 300 * 1024 * 1024);
        return path;
      },
      /huge\.json is 300 MiB, above the 256 MiB a model file may have/,
    ],
  ];

  it.each(unloadable)(
    'starts without a model from %s: error log, /readyz 200, no_model degraded, still scores',
    async (_what, pathOf, reason) => {
      const path = pathOf();
      const env = { PORT: '0', HOST: '127.0.0.1', KUBE_WATCH_PODS: 'false', MODEL_PATH: path };
      const { logger, lines } = captureLog('info');

      const server = await startExtender(env, logger);
      try {
        // Two nodes with fresh data: with no model, their newest observation is the forecast.
        const t = Date.now() / 1000;
        server.store.ingest('cool', { t, cpu: 0.2, mem: 0.3 });
        server.store.ingest('hot', { t, cpu: 0.8, mem: 0.3 });
        const readyRes = await fetch(`${server.url}/readyz`);
        const ready = (await readyRes.json()) as Record<string, unknown>;
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        const scored = await fetch(`${server.url}/prioritize`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(namesArgs(makePod({ cpu: '100m' }), ['cool', 'hot'])),
        });

        expect(readyRes.status).toBe(200);
        expect(ready).toMatchObject({
          ready: true,
          model: { loaded: false, path, error: expect.stringMatching(reason) },
        });
        expect(ready.degraded).toContain('no_model');
        expect(metrics).not.toMatch(/^mlsched_model_(age_seconds|info)/m);
        expect(
          metricValue(metrics, 'mlsched_extender_degraded_active', { reason: 'no_model' }),
        ).toBe(1);
        expect(scored.status).toBe(200);
        const [cool, hot] = ((await scored.json()) as { Score: number }[]).map((h) => h.Score);
        expect(cool).toBeGreaterThan(hot as number);
        const failed = lines.filter(
          (l) => l.msg === 'model not loaded; scoring from the newest observed load',
        );
        expect(failed).toEqual([
          expect.objectContaining({ level: 50, path, reason: expect.stringMatching(reason) }),
        ]);
        expect(
          lines.some((l) => l.msg === 'no model configured; scoring from the newest observed load'),
        ).toBe(false);
      } finally {
        await server.stop();
      }
    },
  );

  it('reports no_model while the load failure stands, even before any node has data', async () => {
    const env = { PORT: '0', HOST: '127.0.0.1', KUBE_WATCH_PODS: 'false' };
    const unset = await startExtender(env, captureLog('silent').logger);
    const broken = await startExtender(
      { ...env, MODEL_PATH: join(dir, 'missing.json') },
      captureLog('silent').logger,
    );
    try {
      const active = async (server: typeof unset) =>
        metricValue(
          await (await fetch(`${server.url}/metrics`)).text(),
          'mlsched_extender_degraded_active',
          {
            reason: 'no_model',
          },
        );
      const model = async (server: typeof unset) =>
        ((await (await fetch(`${server.url}/readyz`)).json()) as { model: unknown }).model;

      // No MODEL_PATH is a choice: nothing to report until a node is scored without a model.
      expect(await active(unset)).toBe(0);
      expect(await model(unset)).toBeNull();
      expect(await active(broken)).toBe(1);
      expect(await model(broken)).toMatchObject({ loaded: false });
    } finally {
      await unset.stop();
      await broken.stop();
    }
  });

  it('forecasts on ingest and scores from the forecast', async () => {
    const predictor = await loadPredictor(artifact);
    const clock = new ManualClock();
    const t = await testApp({ clock, predictor });
    try {
      // 35 minutes of 15 s samples: n1 steady at 30 % CPU, n2 steady at 80 %.
      for (let i = 0; i < 140; i++) {
        t.store.ingest('n1', { t: clock.now(), cpu: 0.3, mem: 0.4 });
        t.store.ingest('n2', { t: clock.now(), cpu: 0.8, mem: 0.4 });
        clock.advance(15);
      }
      const n1 = t.store.get('n1');
      const n2 = t.store.get('n2');

      expect(n1?.forecastStatus).toBe('ok');
      expect(n2?.forecastStatus).toBe('ok');
      expect(n1?.forecastCpu).toBeGreaterThanOrEqual(0);
      expect(n1?.forecastCpu).toBeLessThan((n2?.forecastCpu ?? 0) - 0.2);
      const scored = await t.prioritize(namesArgs(makePod({ cpu: '100m' }), ['n1', 'n2']));
      const [s1, s2] = scored.body.map((h) => h.Score);
      expect(s1).toBeGreaterThan(s2 as number);
      const metrics = await t.metrics();
      expect(metricValue(metrics, 'mlsched_extender_degraded_total', { reason: 'no_model' })).toBe(
        0,
      );
      expect(
        metricValue(metrics, 'mlsched_prediction_absolute_error_ratio_count', { resource: 'cpu' }),
      ).toBeGreaterThan(0);
    } finally {
      predictor.close();
    }
  });
});
