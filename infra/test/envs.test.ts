import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { RECOMMENDED_EXTENDER_WEIGHT, SIX_NODE_CLUSTER } from '@mlsched/core';

import { ConfigError } from '../src/envs/config-error';
import { environments } from '../src/envs/index';
import {
  formatRelease,
  isUnpublished,
  loadRelease,
  parseRelease,
  UNPUBLISHED_DIGEST,
} from '../src/envs/release';
import type { EnvironmentConfig } from '../src/envs/types';
import { environmentProblems, validateEnvironment } from '../src/envs/validate';
import { minimumOverturningWeight, X07_IN_TREE_GAP } from '../src/scheduling-math';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function dev(): EnvironmentConfig {
  const env = environments().find((e) => e.name === 'dev');
  if (!env) throw new Error('no dev');
  return env;
}

/** Problems of dev with `change` applied to a deep copy. */
function problemsWith(change: (env: EnvironmentConfig & Record<string, never>) => void): string[] {
  const env = JSON.parse(JSON.stringify(dev())) as EnvironmentConfig & Record<string, never>;
  change(env);
  return environmentProblems(env);
}

describe('environment configurations', () => {
  test('dev, staging and prod load in promotion order and are valid', () => {
    const envs = environments();

    expect(envs.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    for (const env of envs) expect(environmentProblems(env)).toEqual([]);
  });

  test('each runs on the six-node cluster: 3 tainted control-plane nodes, 3 workers', () => {
    for (const env of environments()) {
      expect(env.cluster.nodes).toEqual(SIX_NODE_CLUSTER);
      expect(env.cluster.nodes.filter((n) => n.role === 'control-plane' && n.tainted)).toHaveLength(
        3,
      );
      expect(env.cluster.nodes.filter((n) => n.role === 'worker')).toHaveLength(3);
    }
  });

  test('the differences between environments are the intended ones', () => {
    const [d, s, p] = environments() as [EnvironmentConfig, EnvironmentConfig, EnvironmentConfig];

    expect([d.scheduler.replicas, s.scheduler.replicas, p.scheduler.replicas]).toEqual([2, 3, 3]);
    expect([
      d.scheduler.rolloutFraction,
      s.scheduler.rolloutFraction,
      p.scheduler.rolloutFraction,
    ]).toEqual([1, 0.34, 0.34]);
    expect([d.argocd.automatedSync, s.argocd.automatedSync, p.argocd.automatedSync]).toEqual([
      true,
      true,
      false,
    ]);
    expect(d.extender.logLevel).toBe('debug');
    expect(p.extender.logLevel).toBe('info');
  });

  test('the shipped weight is the simulator recommendation (X07), read from @mlsched/core', () => {
    for (const env of environments()) expect(env.extender.weight).toBe(RECOMMENDED_EXTENDER_WEIGHT);
    expect(RECOMMENDED_EXTENDER_WEIGHT).toBe(2);
  });
});

describe('a configuration that cannot work fails at synth, naming the setting', () => {
  test('X08: a filter threshold above the remediation threshold names both settings', () => {
    const problems = problemsWith((e) => {
      Object.assign(e.extender, {
        hotThreshold: 0.95,
        remediationThreshold: 0.65,
        targetUtilization: 0.5,
      });
    });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('extender.hotThreshold (0.95)');
    expect(problems[0]).toContain('extender.remediationThreshold (0.65)');
    expect(problems[0]).toContain('X08');
  });

  test('X08: validateEnvironment throws a ConfigError with the environment name', () => {
    const env = {
      ...dev(),
      extender: { ...dev().extender, hotThreshold: 0.95, remediationThreshold: 0.9 },
    };

    expect(() => validateEnvironment(env)).toThrow(ConfigError);
    expect(() => validateEnvironment(env)).toThrow(
      /^environment dev: extender\.hotThreshold \(0\.95\)/,
    );
  });

  test('equal filter and remediation thresholds are allowed (X08 boundary)', () => {
    expect(
      problemsWith((e) =>
        Object.assign(e.extender, { hotThreshold: 0.9, remediationThreshold: 0.9 }),
      ),
    ).toEqual([]);
  });

  test('prioritize with weight 0 is refused', () => {
    expect(problemsWith((e) => Object.assign(e.extender, { weight: 0 }))).toEqual([
      'extender.weight: must be a positive integer while prioritizeVerb is set, got 0',
    ]);
  });

  test('X07: a weight that cannot overturn a 150-point in-tree gap is refused', () => {
    expect(minimumOverturningWeight(X07_IN_TREE_GAP)).toBe(2);
    expect(problemsWith((e) => Object.assign(e.extender, { weight: 1 }))).toEqual([
      'extender.weight: 1 cannot overturn a 150-point in-tree gap (case X07); use at least 2',
    ]);
  });

  test('an httpTimeout at or above the 5 s default is refused', () => {
    expect(problemsWith((e) => Object.assign(e.extender, { httpTimeoutMs: 5000 }))).toEqual([
      'extender.httpTimeoutMs: must be in (0, 5000), got 5000',
    ]);
  });

  test('a target utilisation at or above the hot threshold is refused', () => {
    const problems = problemsWith((e) => Object.assign(e.extender, { targetUtilization: 0.85 }));

    expect(problems).toEqual([
      expect.stringContaining(
        'extender.targetUtilization (0.85) must be below extender.hotThreshold (0.85)',
      ),
    ]);
  });

  test('more scheduler replicas than workers are refused', () => {
    expect(problemsWith((e) => Object.assign(e.scheduler, { replicas: 4 }))).toEqual([
      'scheduler.replicas: 4 exceeds the 3 workers it spreads over',
    ]);
  });

  test('a rollout fraction outside (0, 1] is refused', () => {
    expect(problemsWith((e) => Object.assign(e.scheduler, { rolloutFraction: 0 }))).toEqual([
      'scheduler.rolloutFraction: must be in (0, 1]',
    ]);
  });

  test('leader election timings client-go would reject are refused', () => {
    const problems = problemsWith((e) =>
      Object.assign(e.scheduler.leaderElection, {
        leaseDurationSeconds: 10,
        renewDeadlineSeconds: 10,
      }),
    );

    expect(problems).toEqual([
      'scheduler.leaderElection: leaseDurationSeconds must exceed renewDeadlineSeconds',
    ]);
  });

  test('metrics that go stale between two refreshes are refused', () => {
    expect(problemsWith((e) => Object.assign(e.extender.metrics, { staleSeconds: 15 }))).toEqual([
      expect.stringMatching(/^extender\.metrics\.staleSeconds: must exceed refreshSeconds/),
    ]);
  });

  test('a trainer records refresh period the extender would refuse is refused', () => {
    expect(
      problemsWith((e) => Object.assign(e.extender, { trainerReportsRefreshSeconds: 0.5 })),
    ).toEqual([
      'extender.trainerReportsRefreshSeconds: must be an integer from 1 to 86400, got 0.5',
    ]);
  });

  test('a pod whose requests fit on no worker is refused', () => {
    const problems = problemsWith((e) =>
      Object.assign(e.models[0]!.resources, {
        requests: { cpuMilli: 17_000, memoryMiB: 1024 },
        limits: { cpuMilli: 17_000, memoryMiB: 2048 },
      }),
    );

    expect(problems).toEqual(['trainer node-load: requests (17000m CPU) do not fit on any worker']);
  });

  test('limits below requests are refused', () => {
    expect(
      problemsWith((e) => Object.assign(e.redis.resources.limits, { memoryMiB: 128 })),
    ).toContain('redis.resources.limits.memoryMiB: below requests.memoryMiB');
  });

  test('a cluster that is not three tainted control-plane nodes and three workers is refused', () => {
    const problems = problemsWith((e) => {
      (e.cluster as { nodes: unknown }).nodes = SIX_NODE_CLUSTER.map((n) =>
        n.name === 'cp-1' ? { ...n, tainted: false } : n,
      );
    });

    expect(problems).toEqual(['cluster.nodes.cp-1.tainted: control-plane nodes must be tainted']);
  });

  test('a model without a release entry, and a release entry without a model, are refused', () => {
    const problems = problemsWith((e) => {
      (e.release as { models: unknown }).models = { 'other-model': null };
    });

    expect(problems).toEqual([
      'models.node-load: release has no version for this model',
      'release.models.other-model: no model of this name is trained',
    ]);
  });

  test('a bad cron schedule is refused', () => {
    expect(problemsWith((e) => Object.assign(e.models[0]!, { schedule: 'every 6 hours' }))).toEqual(
      ['models.node-load.schedule: not a five-field cron expression'],
    );
  });
});

describe('release files', () => {
  test('the committed releases parse; images are digests', () => {
    for (const name of ['dev', 'staging', 'prod'] as const) {
      const release = loadRelease(name);
      expect(release.images.scheduler).toMatch(/@sha256:[0-9a-f]{64}$/);
      expect(release.images.trainer).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
  });

  test('a tag instead of a digest, an unknown field and a bad model version are each named', () => {
    const raw = {
      images: {
        scheduler: 'ghcr.io/mlsched/mlsched-scheduler:v1',
        trainer: `ghcr.io/x/y@${DIGEST}`,
      },
      models: { 'node-load': 'has spaces' },
      extra: true,
    };

    expect(() => parseRelease(raw, 'release.json')).toThrow(
      'release.json: images.scheduler: must be <repository>@sha256:<64 hex>, got "ghcr.io/mlsched/mlsched-scheduler:v1"; ' +
        'models.node-load: must be null or match /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, got "has spaces"; extra: unknown field',
    );
  });

  test('null serves without a model; a trainer version string is accepted', () => {
    const images = { scheduler: `ghcr.io/x/s@${DIGEST}`, trainer: `ghcr.io/x/t@${DIGEST}` };

    expect(
      parseRelease({ images, models: { 'node-load': null } }, 'r').models['node-load'],
    ).toBeNull();
    expect(
      parseRelease({ images, models: { 'node-load': '2026-12-03T16-00-00Z-ab12cd' } }, 'r').models,
    ).toEqual({
      'node-load': '2026-12-03T16-00-00Z-ab12cd',
    });
  });

  test('formatRelease round-trips and sorts models', () => {
    const release = {
      images: { scheduler: `ghcr.io/x/s@${DIGEST}`, trainer: `ghcr.io/x/t@${DIGEST}` },
      models: { zeta: null, alpha: 'v1' },
    };
    const text = formatRelease(release);

    expect(Object.keys(JSON.parse(text).models)).toEqual(['alpha', 'zeta']);
    expect(parseRelease(JSON.parse(text), 'r')).toEqual(release);
    expect(text.endsWith('}\n')).toBe(true);
  });

  test('the unpublished placeholder digest is recognised', () => {
    expect(isUnpublished(`ghcr.io/x/s@${UNPUBLISHED_DIGEST}`)).toBe(true);
    expect(isUnpublished(`ghcr.io/x/s@${DIGEST}`)).toBe(false);
  });

  test('an unreadable release file names the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlsched-release-'));
    fs.writeFileSync(path.join(dir, 'dev.json'), '{ not json');

    expect(() => loadRelease('dev', dir)).toThrow(
      new RegExp(`^${dir}/dev\\.json: cannot read release`),
    );
  });
});

test('a metrics history shorter than the model features read is refused', () => {
  const env = environments()[0] as EnvironmentConfig;
  const short = {
    ...env,
    extender: { ...env.extender, metrics: { ...env.extender.metrics, historySeconds: 900 } },
  };

  expect(environmentProblems(short)).toEqual([
    'extender.metrics.historySeconds: 900 is shorter than the 1800 s the model features read; a pinned model would not load',
  ]);
});
