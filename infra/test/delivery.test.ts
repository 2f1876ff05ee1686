/**
 * What delivers the manifests: the workflows, the image build files and the Kubernetes version
 * they all target.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { parse } from 'yaml';

import { KUBE_SCHEDULER_IMAGE, KUBERNETES_MINOR, POD_SECURITY_VERSION } from '../src/kubernetes';
import { REPO_ROOT } from '../src/main';
import { find } from './support';

/* eslint-disable @typescript-eslint/no-explicit-any -- workflow YAML is read as plain data */

const WORKFLOWS = path.join(REPO_ROOT, '.github', 'workflows');
const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
const workflowFiles = () => fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml'));
const workflow = (file: string) =>
  parse(fs.readFileSync(path.join(WORKFLOWS, file), 'utf8')) as any;
const steps = (wf: any) => Object.values(wf.jobs).flatMap((job: any) => job.steps as any[]);

describe('workflows', () => {
  test('are ci, images and promote', () => {
    expect(workflowFiles().sort()).toEqual(['ci.yml', 'images.yml', 'promote.yml']);
  });

  test.each(['ci.yml', 'images.yml', 'promote.yml'])(
    '%s pins every action by commit SHA, with its version beside it',
    (file) => {
      const text = fs.readFileSync(path.join(WORKFLOWS, file), 'utf8');
      const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)];

      expect(uses.length).toBeGreaterThan(0);
      for (const [, ref, rest] of uses) {
        expect(ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect(rest).toMatch(/^\s*# v\d+\.\d+\.\d+$/);
      }
    },
  );

  test.each(['ci.yml', 'images.yml', 'promote.yml'])(
    '%s grants read-only by default and writes only where a job must',
    (file) => {
      const wf = workflow(file);

      expect(wf.permissions).toEqual({ contents: 'read' });
      for (const job of Object.values(wf.jobs) as any[]) {
        expect(typeof job.permissions === 'string').toBe(false);
        for (const [scope, level] of Object.entries(job.permissions ?? {})) {
          expect(['contents', 'packages', 'pull-requests']).toContain(scope);
          expect(['read', 'write']).toContain(level);
        }
        expect(job['timeout-minutes']).toBeGreaterThan(0);
      }
    },
  );

  test.each(['ci.yml', 'images.yml', 'promote.yml'])(
    '%s never splices inputs or event data into a script',
    (file) => {
      for (const step of steps(workflow(file))) {
        if (typeof step.run === 'string')
          expect(step.run).not.toMatch(/\$\{\{\s*(inputs|github\.event|needs|steps)\./);
      }
    },
  );

  test('ci installs, lints, tests, checks dist is up to date, validates and runs promtool', () => {
    const runs = steps(workflow('ci.yml')).flatMap((s) => (s.run ? [s.run] : []));

    expect(runs).toEqual([
      'npm ci --no-audit --no-fund',
      'bash scripts/install-services.sh',
      'npm run lint',
      'npm test',
      'npm run synth:check',
      'npm run validate -w infra',
      'npm run validate -w infra -- --promtool',
    ]);
    expect(workflow('ci.yml').jobs.test.permissions).toBeUndefined();
  });

  test('promote runs the promote command and opens a pull request with the release and dist', () => {
    const all = steps(workflow('promote.yml'));
    const run = all.find((s) => s.name === 'Promote and re-synthesize');
    const pr = all.find((s) => String(s.uses).startsWith('peter-evans/create-pull-request@'));

    expect(run.run).toBe(
      'npm run promote -w infra -- --from "$FROM" --to "$TO" --summary "$RUNNER_TEMP/promotion.md"',
    );
    expect(run.env).toEqual({ FROM: '${{ inputs.from }}', TO: '${{ inputs.to }}' });
    expect(pr.with['add-paths']).toBe('infra/src/envs/releases/*.json\ndist/**\n');
    expect(pr.with['body-path']).toBe('${{ runner.temp }}/promotion.md');
    expect(workflow('promote.yml').jobs['pull-request'].permissions).toEqual({
      contents: 'write',
      'pull-requests': 'write',
    });
  });

  test('images pins dev to the digests it pushed', () => {
    const release = steps(workflow('images.yml')).find(
      (s) => s.name === 'Pin dev to the new digests and re-synthesize',
    );

    expect(release.run).toContain('npm run promote -w infra -- --to dev');
    expect(release.run).toContain(
      '--set-image "scheduler=$SCHEDULER" --set-image "trainer=$TRAINER"',
    );
  });
});

describe.each([
  ['scheduler', ['node', 'apps/scheduler/lib/main.js']],
  ['trainer', ['node', 'apps/trainer/lib/cli.js']],
])('the %s image build file', (app, command) => {
  const text = () => read(`apps/${app}/Dockerfile`);
  const instructions = () =>
    text()
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));

  test('builds in stages from a Node.js LTS slim image pinned by version and digest', () => {
    const arg = instructions().find((l) => l.startsWith('ARG NODE_IMAGE='));
    const froms = instructions().filter((l) => l.startsWith('FROM '));

    expect(arg).toMatch(
      /^ARG NODE_IMAGE=node:(20|22)\.\d+\.\d+-bookworm-slim@sha256:[0-9a-f]{64}$/,
    );
    expect(froms).toEqual([
      'FROM ${NODE_IMAGE} AS build',
      'FROM ${NODE_IMAGE} AS deps',
      'FROM ${NODE_IMAGE}',
    ]);
    expect(text()).not.toMatch(/:latest\b/);
  });

  test('compiles with the lockfile in the builder and ships production dependencies only', () => {
    const lines = instructions();

    expect(lines).toContain(
      `RUN npm ci --workspace apps/${app} --include-workspace-root --ignore-scripts --no-audit --no-fund`,
    );
    expect(lines).toContain(`RUN npx tsc -b apps/${app}`);
    expect(lines).toContain(
      `RUN npm ci --workspace apps/${app} --omit=dev --ignore-scripts --no-audit --no-fund`,
    );
  });

  test('runs as a numeric non-root user, with the command the manifests use', () => {
    const lines = instructions();
    const last = lines.slice(lines.lastIndexOf('FROM ${NODE_IMAGE}'));

    expect(last).toContain('USER 1000:1000');
    const start = last.find((l) => /^(CMD|ENTRYPOINT) /.test(l)) ?? '';
    expect(start.split(' ')[0]).toBe(app === 'scheduler' ? 'CMD' : 'ENTRYPOINT');
    expect(JSON.parse(start.slice(start.indexOf('[')))).toEqual(command);
  });

  test('copies only paths that exist in the repository', () => {
    const sources = instructions()
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));

    for (const src of sources) expect(fs.existsSync(path.join(REPO_ROOT, src))).toBe(true);
  });
});

describe('the Kubernetes version, declared once', () => {
  test('the cdk8s-plus line the manifests are typed with is the one for that version', () => {
    const deps = JSON.parse(read('infra/package.json')).dependencies as Record<string, string>;
    const plus = Object.keys(deps).filter((d) => d.startsWith('cdk8s-plus-'));

    expect(plus).toEqual([`cdk8s-plus-${KUBERNETES_MINOR.split('.')[1]}`]);
  });

  test('kube-scheduler and Pod Security Admission follow it', () => {
    expect(KUBE_SCHEDULER_IMAGE).toMatch(
      new RegExp(
        `^registry\\.k8s\\.io/kube-scheduler:v${KUBERNETES_MINOR.replace('.', '\\.')}\\.\\d+@sha256:[0-9a-f]{64}$`,
      ),
    );
    expect(POD_SECURITY_VERSION).toBe(`v${KUBERNETES_MINOR}`);
    expect(
      (find('prod', 'Namespace', 'mlsched').metadata.labels ?? {})[
        'pod-security.kubernetes.io/enforce-version'
      ],
    ).toBe(POD_SECURITY_VERSION);
  });
});
