import {
  Booster,
  FEATURE_COUNT,
  MAX_FORECAST,
  MAX_TRAINING_CELLS,
  extractFeatures,
  loadPredictor,
  loadPredictorFromFile,
  maxTrainingRows,
  serializeModelArtifact,
  type NodeLoadPredictor,
  type NodeSample,
} from '../src/index';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainTinyModel, type TinyModel } from './predictor-fixtures';

let model: TinyModel;
let predictor: NodeLoadPredictor;
let node: NodeSample[];

beforeAll(async () => {
  model = await trainTinyModel();
  // Through text, as the scheduler gets it: serialise, parse, load.
  predictor = await loadPredictor(JSON.parse(serializeModelArtifact(model.artifact)));
  node = model.series.get('synthetic-01') ?? [];
});

afterAll(() => {
  predictor.close();
  model.cpu.free();
  model.memory.free();
});

describe('loadPredictor', () => {
  it('reproduces the predictions of the boosters it was serialised from', () => {
    for (const end of [40, 200, 500]) {
      const history = node.slice(0, end + 1);
      const now = history[end]!.t + 15;
      const features = extractFeatures(history, now) as Float64Array;

      const forecast = predictor.predict(history, now);

      // Delta target: forecast = last value + booster output, clamped to [0, 1.5].
      const cpu = Math.min(
        MAX_FORECAST,
        Math.max(0, history[end]!.cpu + model.cpu.predictRow(features)),
      );
      const mem = Math.min(
        MAX_FORECAST,
        Math.max(0, history[end]!.mem + model.memory.predictRow(features)),
      );
      expect(forecast).toEqual({ cpu, mem });
    }
  });

  it('carries the artifact version, horizon and history window', () => {
    expect(predictor.version).toBe(model.artifact.version);
    expect(predictor.version).toMatch(/^2026-12-03T16-00-00Z-[0-9a-f]{6}$/);
    expect(predictor.horizonSeconds).toBe(300);
    expect(predictor.historySeconds).toBe(1800);
  });

  it('returns undefined, never NaN, for short, non-finite or stale history', () => {
    const last = node[100]!;
    const poisoned = node.slice(0, 101).map((s, i) => (i === 95 ? { ...s, cpu: Number.NaN } : s));

    expect(predictor.predict([], last.t)).toBeUndefined();
    expect(predictor.predict(node.slice(90, 101), last.t)).toBeUndefined();
    expect(predictor.predict(poisoned, last.t)).toBeUndefined();
    expect(predictor.predict(node.slice(0, 101), last.t + 3600)).toBeUndefined();
  });

  it('gives only finite values within [0, 1.5] over a whole day of histories', () => {
    const values: number[] = [];
    for (let end = 0; end < node.length; end += 7) {
      const f = predictor.predict(node.slice(Math.max(0, end - 40), end + 1), node[end]!.t);
      if (f) values.push(f.cpu, f.mem);
    }

    expect(values.length).toBeGreaterThan(100);
    expect(values.filter((v) => !(Number.isFinite(v) && v >= 0 && v <= MAX_FORECAST))).toEqual([]);
  });

  it('clamps a level model that predicts far above 1.5 and below 0', async () => {
    const high = await trainTinyModel({ target: 'level', constantLabel: 5, rounds: 40 });
    const low = await trainTinyModel({ target: 'level', constantLabel: -3, rounds: 40 });
    const pHigh = await loadPredictor(high.artifact);
    const pLow = await loadPredictor(low.artifact);
    const history = node.slice(0, 101);

    expect(
      high.cpu.predictRow(extractFeatures(history, history[100]!.t) as Float64Array),
    ).toBeGreaterThan(3);
    expect(pHigh.predict(history, history[100]!.t)).toEqual({
      cpu: MAX_FORECAST,
      mem: MAX_FORECAST,
    });
    expect(pLow.predict(history, history[100]!.t)).toEqual({ cpu: 0, mem: 0 });

    for (const m of [high, low]) {
      m.cpu.free();
      m.memory.free();
    }
    pHigh.close();
    pLow.close();
  });

  it('refuses use after close and closes only once', async () => {
    const p = await loadPredictor(model.artifact);

    p.close();
    p.close();

    expect(() => p.predict(node, node[node.length - 1]!.t)).toThrow(/used after close/);
  });

  it('names the field when the artifact is wrong', async () => {
    await expect(loadPredictor({ ...model.artifact, featureNames: ['cpu_last'] })).rejects.toThrow(
      /featureNames\[1\]/,
    );
  });

  it('loads from a file path, with either function', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'predictor-'));
    const file = join(dir, 'model.json');
    writeFileSync(file, serializeModelArtifact(model.artifact));

    const p = await loadPredictorFromFile(file);
    const q = await loadPredictor(file);

    expect(p.version).toBe(model.artifact.version);
    expect(q.version).toBe(model.artifact.version);
    const expected = predictor.predict(node.slice(0, 301), node[300]!.t);
    expect(p.predict(node.slice(0, 301), node[300]!.t)).toEqual(expected);
    expect(q.predict(node.slice(0, 301), node[300]!.t)).toEqual(expected);
    await expect(loadPredictor(join(dir, 'absent.json'))).rejects.toThrow(/ENOENT/);
    p.close();
    q.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the ml-xgboost wrapper', () => {
  it('leaves no uncaughtException handler of the WASM module behind', () => {
    // Emscripten's handler rethrows every error, which would turn the host's own handling into
    // an exit with code 7.
    const handlers = process.listeners('uncaughtException').map(String);

    expect(handlers.filter((h) => h.includes('ExitStatus'))).toEqual([]);
  });

  it('refuses a training matrix over the size guard before it reaches WASM', async () => {
    const rows = maxTrainingRows(FEATURE_COUNT) + 1;
    const features = new Float32Array(rows * FEATURE_COUNT);

    await expect(Booster.train(features, new Float32Array(rows), FEATURE_COUNT)).rejects.toThrow(
      new RegExp(
        `${rows} rows × ${FEATURE_COUNT} columns exceeds the training limit of ${MAX_TRAINING_CELLS} cells`,
      ),
    );
  });

  it('refuses mismatched shapes and non-finite labels, naming the input', async () => {
    await expect(Booster.train(new Float32Array(10), new Float32Array(3), 4)).rejects.toThrow(
      /features: expected 3 rows × 4 columns = 12 values, got 10/,
    );
    await expect(
      Booster.train(new Float32Array(8), Float32Array.from([0, Number.NaN]), 4),
    ).rejects.toThrow(/labels: row 1 is not finite/);
  });

  it('returns unsigned model bytes that load back to the same predictions', async () => {
    const bytes = model.cpu.toBytes();
    const copy = await Booster.fromBytes(bytes, FEATURE_COUNT);
    const row = extractFeatures(node.slice(0, 201), node[200]!.t) as Float64Array;

    expect(bytes.some((b) => b > 127)).toBe(true);
    expect(copy.predictRow(row)).toBe(model.cpu.predictRow(row));
    const matrix = new Float32Array(row);
    expect(copy.predictMatrix(matrix, 1)[0]).toBe(model.cpu.predictRow(row));
    copy.free();
  });
});
