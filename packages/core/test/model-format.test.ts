import {
  FEATURE_NAMES,
  ModelFormatError,
  base64ToBytes,
  bytesToBase64,
  inspectBoosterBytes,
  makeModelVersion,
  parseModelArtifact,
  parseModelArtifactJson,
  serializeModelArtifact,
  type ModelArtifact,
} from '../src/index';
import { trainTinyModel } from './predictor-fixtures';

let artifact: ModelArtifact;

beforeAll(async () => {
  const model = await trainTinyModel({ rounds: 3 });
  artifact = model.artifact;
  model.cpu.free();
  model.memory.free();
});

const DELETE = Symbol('delete');

/** A deep copy with the field at a dotted `path` set to `value` (or deleted). */
function withField(path: string, value: unknown): unknown {
  const doc = JSON.parse(JSON.stringify(artifact)) as Record<string, unknown>;
  const keys = path.split('.');
  let parent = doc;
  for (const key of keys.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const last = keys[keys.length - 1] as string;
  if (value === DELETE) delete parent[last];
  else parent[last] = value;
  return doc;
}

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ModelFormatError);
    return (err as ModelFormatError).field;
  }
  throw new Error('expected a ModelFormatError');
}

describe('parseModelArtifact', () => {
  it('round-trips an artifact through its JSON text unchanged', () => {
    const text = serializeModelArtifact(artifact);

    expect(text.endsWith('\n')).toBe(true);
    expect(parseModelArtifactJson(text)).toEqual(artifact);
  });

  const renamed = FEATURE_NAMES.map((n, i) => (i === 3 ? 'cpu_mean_30m' : n));
  it.each([
    ['format', 'format', 'mlsched.node-load/v2', 'format'],
    ['a missing top-level field', 'training', DELETE, 'training'],
    ['an unknown top-level field', 'extra', 1, 'extra'],
    ['a version that is not a file name', 'version', '../../etc/passwd', 'version'],
    ['createdAt', 'createdAt', 'yesterday', 'createdAt'],
    ['a different history window', 'historySeconds', 600, 'historySeconds'],
    ['a zero horizon', 'horizonSeconds', 0, 'horizonSeconds'],
    ['a renamed feature', 'featureNames', renamed, 'featureNames[3]'],
    [
      'a missing feature',
      'featureNames',
      FEATURE_NAMES.slice(0, -1),
      `featureNames[${FEATURE_NAMES.length - 1}]`,
    ],
    [
      'an extra feature',
      'featureNames',
      [...FEATURE_NAMES, 'hour_sin'],
      `featureNames[${FEATURE_NAMES.length}]`,
    ],
    ['target', 'target', 'ratio', 'target'],
    ['a missing booster', 'boosters.memory', DELETE, 'boosters.memory'],
    ['a booster that is not base64', 'boosters.cpu', 'not base64!', 'boosters.cpu'],
    ['a booster too short to be a model', 'boosters.cpu', 'AAAA', 'boosters.cpu'],
    ['a negative row count', 'training.rows', -1, 'training.rows'],
    ['a backwards range', 'training.trainRange.end', 0, 'training.trainRange.end'],
    ['a missing metric', 'metrics.cpu.lastValue.mae', DELETE, 'metrics.cpu.lastValue.mae'],
    ['a NaN metric (null in JSON)', 'metrics.memory.model.rmse', null, 'metrics.memory.model.rmse'],
  ])('names the field for %s', (_what, path, value, field) => {
    expect(fieldOf(() => parseModelArtifact(withField(path, value)))).toBe(field);
  });

  it('says why a renamed feature is refused', () => {
    expect(() => parseModelArtifact(withField('featureNames', renamed))).toThrow(
      'model artifact field "featureNames[3]": is "cpu_mean_30m", this build computes ' +
        `"cpu_mean_30m_vs_last" (${FEATURE_NAMES.length} features); retrain the model`,
    );
  });

  it('refuses a booster trained on another number of features, from its header', () => {
    const bytes = base64ToBytes(artifact.boosters.cpu);
    bytes[4] = 3; // num_feature, u32 little-endian at offset 4
    const doc = withField('boosters.cpu', bytesToBase64(bytes));

    expect(() => parseModelArtifact(doc)).toThrow(
      `model artifact field "boosters.cpu": was trained on 3 features, not ${FEATURE_NAMES.length}`,
    );
  });

  it('reports invalid JSON as a problem of the whole document', () => {
    expect(fieldOf(() => parseModelArtifactJson('{"format": '))).toBe('(document)');
    expect(fieldOf(() => parseModelArtifact([]))).toBe('(document)');
  });
});

describe('booster bytes', () => {
  it('reads the XGBoost header of a trained booster', () => {
    expect(inspectBoosterBytes(base64ToBytes(artifact.boosters.memory))).toEqual({
      numFeature: FEATURE_NAMES.length,
      objective: 'reg:linear',
      booster: 'gbtree',
    });
  });

  it('encodes the signed bytes of ml-xgboost toJSON() as the same octets as unsigned ones', () => {
    expect(bytesToBase64([-1, 0, 127, -128])).toBe(
      bytesToBase64(Uint8Array.from([255, 0, 127, 128])),
    );
    expect([...base64ToBytes(bytesToBase64([-1, 0, 127, -128]))]).toEqual([255, 0, 127, 128]);
  });
});

describe('makeModelVersion', () => {
  it('is the creation second plus a content hash, and changes with the content', () => {
    const at = new Date('2026-12-03T16:00:00.123Z');

    const a = makeModelVersion(at, [Uint8Array.from([1, 2, 3])]);
    const b = makeModelVersion(at, [Uint8Array.from([1, 2, 4])]);

    expect(a).toMatch(/^2026-12-03T16-00-00Z-[0-9a-f]{6}$/);
    expect(b).toMatch(/^2026-12-03T16-00-00Z-[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
  });
});
