import {
  parseTrainerRunRecord,
  TRAINER_RUN_FILE,
  TRAINER_RUN_FORMAT,
  trainerRunFileName,
} from '../src/index';

const good = {
  format: TRAINER_RUN_FORMAT,
  result: 'published',
  startedAt: '2026-12-03T06:17:00.000Z',
  endedAt: '2026-12-03T06:19:30.500Z',
  durationSeconds: 150.5,
  source: 'prometheus',
  version: '2026-12-03T06-19-30Z-ab12cd',
  reason: 'written',
  validationMae: {
    cpu: { model: 0.05, lastValue: 0.06, movingAverage: 0.055 },
    memory: { model: 0.01, lastValue: 0.012, movingAverage: 0.013 },
  },
};
const parse = (value: unknown) => () => parseTrainerRunRecord(JSON.stringify(value), 'f.json');

describe('trainer run records', () => {
  it('round-trips a record and names its file after the end time', () => {
    expect(parseTrainerRunRecord(JSON.stringify(good), 'f.json')).toEqual(good);
    const name = trainerRunFileName(new Date(good.endedAt));
    expect(name).toBe('run-2026-12-03T06-19-30.500Z.json');
    expect(TRAINER_RUN_FILE.test(name)).toBe(true);
    expect(TRAINER_RUN_FILE.test(`${name}.123.tmp`)).toBe(false);
    expect(TRAINER_RUN_FILE.test('trainer-prometheus.json')).toBe(false);
  });

  it.each([
    ['f.json: format must be mlsched.trainer-run/v1, got "v0"', { ...good, format: 'v0' }],
    ['f.json: result is missing', { ...good, result: undefined }],
    ['f.json: endedAt must be an ISO time, got "yesterday"', { ...good, endedAt: 'yesterday' }],
    [
      'f.json: endedAt (2026-12-03T06:00:00Z) is before startedAt',
      { ...good, endedAt: '2026-12-03T06:00:00Z' },
    ],
    [
      'f.json: durationSeconds must be a finite number >= 0, got -1',
      { ...good, durationSeconds: -1 },
    ],
    ['f.json: source must be a string, got 7', { ...good, source: 7 }],
    [
      'f.json: validationMae: memory is missing',
      { ...good, validationMae: { cpu: good.validationMae.cpu } },
    ],
    [
      'f.json: validationMae.cpu: model must be a finite number >= 0, got "low"',
      { ...good, validationMae: { ...good.validationMae, cpu: { model: 'low' } } },
    ],
    ['f.json must be an object, got [1,2]', [1, 2]],
  ])('refuses a record: %s', (message, value) => {
    expect(parse(value)).toThrow(message);
  });

  it('refuses text that is not JSON, naming the file', () => {
    expect(() => parseTrainerRunRecord('{"format":', 'run-x.json')).toThrow(
      /^run-x\.json: not JSON \(/,
    );
  });
});
