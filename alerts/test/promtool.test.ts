import { alertNames, renderRuleFile, ruleGroups } from '@mlsched/alerts';

import { ALERT_CASES } from './promtool/alert-cases';
import {
  alertTests,
  promtool,
  recordTests,
  runRuleTests,
  workdir,
  type AlertCase,
} from './promtool/harness';
import { RECORD_CASES } from './promtool/record-cases';

const groups = ruleGroups();

describe('promtool check rules', () => {
  it('accepts every rendered group file and the combined file', () => {
    const wd = workdir();
    try {
      const files = [
        ...groups.map((g) => wd.write(`${g.name}.yaml`, renderRuleFile([g]))),
        wd.write('all.yaml', renderRuleFile(groups)),
      ];

      const results = files.map((f) => ({ file: f, ...promtool(['check', 'rules', f], wd.dir) }));

      for (const r of results)
        expect({ file: r.file, status: r.status }).toEqual({ file: r.file, status: 0 });
      const ruleCount = groups.reduce((n, g) => n + g.rules.length, 0);
      expect(results.at(-1)?.output).toContain(`SUCCESS: ${ruleCount} rules found`);
    } finally {
      wd.remove();
    }
  });

  it('rejects a rule file with a PromQL syntax error, so the check above can fail', () => {
    const wd = workdir();
    try {
      const broken = [{ name: 'broken', rules: [{ record: 'a:b:c', expr: 'sum by (node (up)' }] }];
      const file = wd.write('broken.yaml', renderRuleFile(broken));

      const r = promtool(['check', 'rules', file], wd.dir);

      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/parse error/);
    } finally {
      wd.remove();
    }
  });
});

describe('promtool test rules', () => {
  it('has a case for every alert', () => {
    const covered = new Set(ALERT_CASES.map((c) => c.alert));

    expect(alertNames().filter((a) => !covered.has(a))).toEqual([]);
    expect([...covered].filter((a) => !alertNames().includes(a))).toEqual([]);
  });

  it('pins every alert at its for: boundary with all labels and annotations', () => {
    const r = runRuleTests(groups, alertTests(groups, ALERT_CASES));

    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('has a hand-worked value for every recorded series', () => {
    const checked = new Set(RECORD_CASES.flatMap((c) => c.expect.map((e) => e.expr)));
    const recorded = new Set(
      groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))),
    );

    expect([...recorded].filter((r) => !checked.has(r))).toEqual([]);
  });

  it('computes the recording rules to the hand-worked values', () => {
    const r = runRuleTests(groups, recordTests(RECORD_CASES));

    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('fails when a recorded value is off by 0.01, so the value test can fail', () => {
    const [first] = RECORD_CASES;
    if (!first) throw new Error('no recording case');
    const spoilt = {
      ...first,
      expect: [
        {
          expr: 'cluster:mlsched_worker_cpu_utilisation:ratio',
          samples: [{ labels: '{}', value: 0.5267 }],
        },
      ],
    };

    const r = runRuleTests(groups, recordTests([spoilt]));

    expect(r.status).not.toBe(0);
    expect(r.output).toContain('got: {} 5.16667E-01');
  });

  // The harness itself must be able to fail: a case one minute off its boundary, or with one
  // word of its description changed, is refused.
  it.each([
    [
      'activeAt one minute early',
      (c: AlertCase): AlertCase => ({ ...c, activeAtMinute: c.activeAtMinute - 1 }),
    ],
    [
      'activeAt one minute late',
      (c: AlertCase): AlertCase => ({ ...c, activeAtMinute: c.activeAtMinute + 1 }),
    ],
    [
      'a description that differs by one word',
      (c: AlertCase): AlertCase => ({
        ...c,
        annotations: {
          ...c.annotations,
          description: c.annotations.description.replace('for', 'over'),
        },
      }),
    ],
    ['a missing label', (c: AlertCase): AlertCase => ({ ...c, labels: { severity: 'warning' } })],
  ])('fails on %s', (_what, spoil) => {
    const c = ALERT_CASES.find((x) => x.alert === 'MlschedNodeHot');
    if (!c) throw new Error('no MlschedNodeHot case');

    const r = runRuleTests(groups, alertTests(groups, [spoil(c)]));

    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/FAILED/);
  });
});
