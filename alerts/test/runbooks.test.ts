import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { alertNames, isKnownMetric } from '@mlsched/alerts';
import { DASHBOARD_TITLES, DASHBOARD_UIDS } from '@mlsched/dashboards';

import {
  ALERT_SECTIONS,
  pageProblems,
  PROCEDURE_SECTIONS,
  sections,
  type RunbookContext,
} from './runbooks/check';

const RUNBOOKS = resolve(__dirname, '..', '..', 'runbooks');
const PROCEDURES = join(RUNBOOKS, 'procedures');

const ctx: RunbookContext = {
  alerts: new Set(alertNames()),
  dashboardUids: new Set(Object.values(DASHBOARD_UIDS)),
  dashboardTitles: new Set(Object.values(DASHBOARD_TITLES)),
  isKnownMetric,
};

const read = (path: string) => readFileSync(path, 'utf8');
const alertPages = readdirSync(RUNBOOKS).filter((f) => /^Mlsched\w+\.md$/.test(f));
const procedures = readdirSync(PROCEDURES).filter((f) => f.endsWith('.md'));

describe('runbooks', () => {
  it('has a page named exactly after every alert, and no page for an alert that is gone', () => {
    const pages = alertPages.map((f) => f.replace(/\.md$/, '')).sort();

    expect(pages).toEqual([...alertNames()].sort());
  });

  it.each(alertPages)(
    '%s has Meaning, Impact, Diagnosis and Mitigation, and names only what exists',
    (file) => {
      const path = join(RUNBOOKS, file);

      expect(pageProblems(file, path, read(path), ALERT_SECTIONS, ctx)).toEqual([]);
    },
  );

  it('starts each alert page with the alert name as its title and gives commands to run', () => {
    for (const file of alertPages) {
      const text = read(join(RUNBOOKS, file));
      expect(text.split('\n')[0]).toBe(`# ${file.replace(/\.md$/, '')}`);
      expect(sections(text).get('Diagnosis')).toMatch(/```sh\n/);
    }
  });

  it('has the six procedures on-call needs', () => {
    expect(procedures.sort()).toEqual([
      'daily-checks.md',
      'fall-back-to-default-scheduler.md',
      'promote-between-environments.md',
      'recover-redis.md',
      'retrain-by-hand.md',
      'roll-back-model.md',
    ]);
  });

  it.each(procedures)(
    'procedure %s has its sections, exact commands, and names only what exists',
    (file) => {
      const path = join(PROCEDURES, file);
      const text = read(path);

      expect(pageProblems(file, path, text, PROCEDURE_SECTIONS, ctx)).toEqual([]);
      expect(sections(text).get('Steps')).toMatch(/```sh\n/);
    },
  );

  it('promises the fallback in under five minutes, with the time of each step', () => {
    const text = read(join(PROCEDURES, 'fall-back-to-default-scheduler.md'));

    expect(text).toContain('under five minutes');
    expect(
      sections(text)
        .get('Steps')
        ?.match(/About \d+ (seconds|minute)/g),
    ).toHaveLength(4);
  });

  it('indexes every alert page and procedure in the README, which names only what exists', () => {
    const path = join(RUNBOOKS, 'README.md');
    const readme = read(path);

    for (const file of alertPages) expect(readme).toContain(`](${file})`);
    for (const file of procedures) expect(readme).toContain(`](procedures/${file})`);
    expect(pageProblems('README.md', path, readme, [], ctx)).toEqual([]);
  });
});

describe('pageProblems()', () => {
  const path = join(RUNBOOKS, 'MlschedNodeHot.md');
  const good = read(path);

  it('accepts a shipped page, so each failure below is about the one thing broken', () => {
    expect(pageProblems('page', path, good, ALERT_SECTIONS, ctx)).toEqual([]);
  });

  it('fails on an empty or missing section', () => {
    const emptied = good.replace(/## Impact\n[\s\S]*?\n## Diagnosis/, '## Impact\n\n## Diagnosis');
    const removed = good.replace('## Mitigation', '## Remedies');

    expect(pageProblems('page', path, emptied, ALERT_SECTIONS, ctx)).toEqual([
      'page: section "Impact" is empty',
    ]);
    expect(pageProblems('page', path, removed, ALERT_SECTIONS, ctx)).toEqual([
      'page: no "## Mitigation" section',
    ]);
  });

  it('fails on an alert, dashboard, series or link that does not exist', () => {
    const broken = [
      good,
      'See MlschedNodeOnFire, `<grafana>/d/mlsched-nodes`, ML scheduler / Nodes,',
      '`node:mlsched_node_cpu_busy:ratio` and [the fix](procedures/fix-it.md).',
    ].join('\n');

    expect(pageProblems('page', path, broken, ALERT_SECTIONS, ctx)).toEqual([
      'page: names alert MlschedNodeOnFire, which does not exist',
      'page: links dashboard uid mlsched-nodes, which does not exist',
      'page: names dashboard "ML scheduler / Nodes", which does not exist',
      'page: names series node:mlsched_node_cpu_busy:ratio, which nothing exposes or records',
      'page: links procedures/fix-it.md, which does not exist',
    ]);
  });
});
