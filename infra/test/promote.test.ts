import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ConfigError } from '../src/envs/config-error';
import { formatRelease, loadRelease, UNPUBLISHED_DIGEST } from '../src/envs/release';
import type { Release } from '../src/envs/types';
import { parsePromoteArgs, promote } from '../src/promote';
import { diffOutput } from '../src/render';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const release = (c: string, model: string | null): Release => ({
  images: {
    scheduler: `ghcr.io/mlsched/mlsched-scheduler@${digest(c)}`,
    trainer: `ghcr.io/mlsched/mlsched-trainer@${digest(c)}`,
  },
  models: { 'node-load': model },
});

/** A scratch copy of the release files and an empty output directory. */
function workspace(releases: Record<string, Release>): { releaseDir: string; outDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlsched-promote-'));
  const releaseDir = path.join(root, 'releases');
  fs.mkdirSync(releaseDir);
  for (const [env, r] of Object.entries(releases))
    fs.writeFileSync(path.join(releaseDir, `${env}.json`), formatRelease(r));
  return { releaseDir, outDir: path.join(root, 'dist') };
}

describe('promote', () => {
  test('copies image digests and model versions one stage forward and re-synthesizes', () => {
    const ws = workspace({
      dev: release('b', '2026-12-03T16-00-00Z-ab12cd'),
      staging: release('a', null),
      prod: release('a', null),
    });

    const result = promote({ from: 'dev', to: 'staging', ...ws });

    expect(loadRelease('staging', ws.releaseDir)).toEqual(
      release('b', '2026-12-03T16-00-00Z-ab12cd'),
    );
    expect(loadRelease('prod', ws.releaseDir)).toEqual(release('a', null));
    expect(result.changes).toEqual([
      `images.scheduler: ghcr.io/mlsched/mlsched-scheduler@${digest('a')} → ghcr.io/mlsched/mlsched-scheduler@${digest('b')}`,
      `images.trainer: ghcr.io/mlsched/mlsched-trainer@${digest('a')} → ghcr.io/mlsched/mlsched-trainer@${digest('b')}`,
      'models.node-load: null → 2026-12-03T16-00-00Z-ab12cd',
    ]);
    // The output directory started empty, so every file is new; the staging Deployment holds the promoted image.
    expect(result.distChanges).toContain('missing: staging/deployment-mlsched-scheduler.yaml');
    const deployment = fs.readFileSync(
      path.join(ws.outDir, 'staging/deployment-mlsched-scheduler.yaml'),
      'utf8',
    );
    expect(deployment).toContain(`image: ghcr.io/mlsched/mlsched-scheduler@${digest('b')}`);
    expect(deployment).toContain(
      'value: /models/node-load/versions/2026-12-03T16-00-00Z-ab12cd.json',
    );
    expect(result.summary).toContain('## Promote dev to staging');
    expect(result.summary).toContain('Argo CD syncs staging automatically after the merge.');
  });

  test('the second promotion lists only the files it changed', () => {
    const ws = workspace({
      dev: release('b', null),
      staging: release('a', null),
      prod: release('a', null),
    });
    promote({ from: 'dev', to: 'staging', ...ws });

    const result = promote({ from: 'staging', to: 'prod', ...ws });

    expect(result.distChanges).toEqual([
      'differs: prod/cronjob-mlsched-trainer-node-load.yaml',
      'differs: prod/deployment-mlsched-scheduler.yaml',
    ]);
    expect(result.summary).toContain('prod syncs by hand');
    expect(diffOutput([], ws.outDir)).toContain(
      'not synthesized: prod/deployment-mlsched-scheduler.yaml',
    );
  });

  test('nothing to promote changes nothing', () => {
    const ws = workspace({
      dev: release('b', null),
      staging: release('b', null),
      prod: release('a', null),
    });

    const result = promote({ from: 'dev', to: 'staging', ...ws });

    expect(result).toEqual({
      changed: false,
      changes: [],
      distChanges: [],
      summary: 'Nothing to promote to staging.\n',
    });
    expect(fs.existsSync(ws.outDir)).toBe(false);
  });

  test('refuses to skip a stage', () => {
    const ws = workspace({
      dev: release('b', null),
      staging: release('a', null),
      prod: release('a', null),
    });

    expect(() => promote({ from: 'dev', to: 'prod', ...ws })).toThrow(
      new ConfigError(
        '--to prod: promotion goes dev → staging → prod, one step at a time; the step after dev is staging',
      ),
    );
    expect(loadRelease('prod', ws.releaseDir)).toEqual(release('a', null));
  });

  test('refuses to carry the unpublished placeholder forward', () => {
    const unpublished = {
      ...release('b', null),
      images: { ...release('b', null).images, trainer: `ghcr.io/x/t@${UNPUBLISHED_DIGEST}` },
    };
    const ws = workspace({
      dev: unpublished,
      staging: release('a', null),
      prod: release('a', null),
    });

    expect(() => promote({ from: 'dev', to: 'staging', ...ws })).toThrow(
      /^images\.trainer: .* is the unpublished placeholder/,
    );
    expect(loadRelease('staging', ws.releaseDir)).toEqual(release('a', null));
  });

  test('sets dev from a new build and a newly trained model', () => {
    const ws = workspace({
      dev: release('a', null),
      staging: release('a', null),
      prod: release('a', null),
    });

    const result = promote({
      to: 'dev',
      setImages: { scheduler: `ghcr.io/mlsched/mlsched-scheduler@${digest('d')}` },
      setModels: { 'node-load': 'v2' },
      ...ws,
    });

    expect(loadRelease('dev', ws.releaseDir)).toEqual({
      images: {
        scheduler: `ghcr.io/mlsched/mlsched-scheduler@${digest('d')}`,
        trainer: release('a', null).images.trainer,
      },
      models: { 'node-load': 'v2' },
    });
    expect(result.summary).toContain('## Release to dev');
  });

  test('a value that breaks the environment is refused and the release file left as it was', () => {
    const ws = workspace({
      dev: release('a', null),
      staging: release('a', null),
      prod: release('a', null),
    });
    const before = fs.readFileSync(path.join(ws.releaseDir, 'dev.json'), 'utf8');

    expect(() =>
      promote({
        to: 'dev',
        setImages: { scheduler: 'ghcr.io/mlsched/mlsched-scheduler:latest' },
        ...ws,
      }),
    ).toThrow(/images\.scheduler: must be <repository>@sha256:<64 hex>/);
    expect(() => promote({ to: 'dev', setModels: { 'other-model': 'v1' }, ...ws })).toThrow(
      '--set-model other-model: no such model in dev',
    );
    expect(fs.readFileSync(path.join(ws.releaseDir, 'dev.json'), 'utf8')).toBe(before);
  });
});

describe('promote command line', () => {
  test('parses --from/--to and repeated --set-image / --set-model', () => {
    expect(parsePromoteArgs(['--from', 'dev', '--to', 'staging', '--summary', 'pr.md'])).toEqual({
      from: 'dev',
      to: 'staging',
      setImages: undefined,
      setModels: undefined,
      summaryFile: 'pr.md',
    });
    expect(
      parsePromoteArgs([
        '--to',
        'dev',
        '--set-image',
        'scheduler=ghcr.io/a@x',
        '--set-image',
        'trainer=ghcr.io/b@y',
        '--set-model',
        'node-load=v3',
      ]),
    ).toMatchObject({
      to: 'dev',
      setImages: { scheduler: 'ghcr.io/a@x', trainer: 'ghcr.io/b@y' },
      setModels: { 'node-load': 'v3' },
    });
  });

  test.each([
    [['--from', 'dev'], '--to: required'],
    [['--to', 'qa'], '--to: qa is not one of dev, staging, prod'],
    [
      ['--to', 'dev', '--set-image', 'extender=x@y'],
      '--set-image: extender is not scheduler or trainer',
    ],
    [['--to', 'dev', '--set-model', 'node-load'], '--set-model: node-load is not name=value'],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parsePromoteArgs(argv)).toThrow(new ConfigError(message));
  });
});
