import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { parse } from 'yaml';

import {
  alertNames,
  checkRuleGroups,
  DEFAULT_TARGETS,
  metricNamesIn,
  renderRuleFile,
  ruleGroups,
  unknownMetricsIn,
  type PrometheusRuleGroup,
} from '@mlsched/alerts';

import { writeRuleFiles } from '../src/cli';

describe('ruleGroups()', () => {
  const groups = ruleGroups();
  const rules = groups.flatMap((g) => g.rules);

  it('has the alerts the issue asks for, each named Mlsched<Component>...', () => {
    expect(alertNames()).toEqual([
      'MlschedExtenderAbsent',
      'MlschedExtenderDown',
      'MlschedExtenderErrorRatioHigh',
      'MlschedExtenderLatencyHigh',
      'MlschedExtenderDegraded',
      'MlschedSchedulingLatencyHigh',
      'MlschedNodeMetricsStale',
      'MlschedNodeAnomalous',
      'MlschedNodeHot',
      'MlschedModelStale',
      'MlschedTrainingFailed',
      'MlschedTrainerJobFailed',
      'MlschedPredictionErrorDrift',
      'MlschedRedisDown',
    ]);
  });

  it('gives every alert severity, for:, summary, a templated description and a runbook', () => {
    const alerts = rules.filter((r) => r.alert);

    for (const a of alerts) {
      expect(a.labels?.severity).toMatch(/^(critical|warning)$/);
      expect(a.for).toMatch(/^\d+m$/);
      expect(a.annotations?.summary).toBeTruthy();
      expect(a.annotations?.description).toMatch(/\{\{ \$(labels\.\w+|value)/);
      expect(a.annotations?.runbook_url).toBe(
        `https://github.com/mlsched/mlsched/blob/main/runbooks/${a.alert}.md`,
      );
    }
  });

  it('pages (critical) only when no extender answers at all', () => {
    const critical = rules.filter((r) => r.labels?.severity === 'critical').map((r) => r.alert);

    expect(critical).toEqual(['MlschedExtenderAbsent']);
  });

  it('puts the recording groups first, so alerts read series recorded in the same round', () => {
    expect(groups.map((g) => g.name)).toEqual([
      'mlsched.node.rules',
      'mlsched.extender.rules',
      'mlsched.objectives.rules',
      'mlsched.extender.alerts',
      'mlsched.scheduling.alerts',
      'mlsched.node.alerts',
      'mlsched.model.alerts',
      'mlsched.redis.alerts',
    ]);
  });

  it('splices the configured targets into the selectors', () => {
    const custom = ruleGroups({
      ...DEFAULT_TARGETS,
      extenderJob: 'ext',
      redisJob: 'rds',
      schedulerName: 'sched',
      namespace: 'ns',
      trainerCronJob: 'train',
    });
    const exprs = custom.flatMap((g) => g.rules.map((r) => r.expr)).join('\n');

    expect(exprs).toContain('up{job="ext"} == 0');
    expect(exprs).toContain('redis_up{job="rds"} == 0');
    expect(exprs).toContain('{profile="sched"');
    expect(exprs).toContain(
      'kube_job_failed{namespace="ns", job_name=~"train-.*", condition="true"}',
    );
    expect(exprs).not.toContain('mlsched-extender');
  });

  it('refuses a target that would break the PromQL it is spliced into, naming the field', () => {
    expect(() => ruleGroups({ ...DEFAULT_TARGETS, extenderJob: 'a"b' })).toThrow(
      /ObservabilityTargets\.extenderJob: "a\\"b" is not a plain label value/,
    );
    expect(() => ruleGroups({ ...DEFAULT_TARGETS, namespace: '' })).toThrow(
      /ObservabilityTargets\.namespace/,
    );
  });
});

describe('checkRuleGroups()', () => {
  const good = ruleGroups();

  function withRule(rule: PrometheusRuleGroup['rules'][number]): PrometheusRuleGroup[] {
    return [...good, { name: 'extra', rules: [rule] }];
  }

  it('refuses an alert without runbook, severity or description, listing each problem', () => {
    const bad = withRule({ alert: 'MlschedThing', expr: 'up == 0', for: '5m', annotations: {} });

    expect(() => checkRuleGroups(bad)).toThrow(
      [
        'invalid rule groups:',
        '- MlschedThing.labels.severity is missing',
        '- MlschedThing.annotations.summary is empty',
        '- MlschedThing.annotations.description is empty',
        '- MlschedThing.annotations.runbook_url does not point at runbooks/MlschedThing.md',
      ].join('\n'),
    );
  });

  it('refuses a badly named alert or record, a missing for: and an unknown series', () => {
    expect(() => checkRuleGroups(withRule({ record: 'cpu_usage', expr: 'up' }))).toThrow(
      'cpu_usage.record is not named level:metric:operations',
    );
    expect(() =>
      checkRuleGroups(withRule({ alert: 'ExtenderDown', expr: 'up == 0', for: '5m' })),
    ).toThrow('ExtenderDown.alert is not CamelCase with Mlsched');
    expect(() => checkRuleGroups(withRule({ alert: 'MlschedX', expr: 'up == 0' }))).toThrow(
      'MlschedX.for is missing or not a duration',
    );
    expect(() =>
      checkRuleGroups(
        withRule({ record: 'a:mlsched_typo_total:rate5m', expr: 'rate(mlsched_typo_total[5m])' }),
      ),
    ).toThrow('a:mlsched_typo_total:rate5m.expr reads unknown series mlsched_typo_total');
  });

  it('refuses an alert or group defined twice', () => {
    const [first] = good;
    if (!first) throw new Error('no groups');

    expect(() => checkRuleGroups([...good, first])).toThrow(`group ${first.name} is defined twice`);
  });
});

describe('metricNamesIn()', () => {
  it('finds series and recorded series, not functions, labels, keywords or durations', () => {
    const expr = `sum by (node) (
        rate(node_cpu_seconds_total{mode="idle", cpu=~"1|2"}[5m] offset 1h)
      )
      / on (node) group_left (nodename) node:mlsched_node_cpu_cores:count
      and bool up > 0.5e3
      unless max without (instance) (label_replace(x_total, "a", "$1", "b", "(.*)"))`;

    expect(metricNamesIn(expr).sort()).toEqual([
      'node:mlsched_node_cpu_cores:count',
      'node_cpu_seconds_total',
      'up',
      'x_total',
    ]);
  });

  it('accepts the histogram series of known histograms, and not of unknown ones', () => {
    expect(unknownMetricsIn('rate(mlsched_extender_request_duration_seconds_bucket[5m])')).toEqual(
      [],
    );
    expect(unknownMetricsIn('rate(mlsched_extender_request_duration_bucket[5m])')).toEqual([
      'mlsched_extender_request_duration_bucket',
    ]);
  });
});

describe('renderRuleFile()', () => {
  it('renders YAML that reads back as the same groups', () => {
    const groups = ruleGroups();

    const text = renderRuleFile(groups);

    expect(parse(text)).toEqual({ groups });
    // Multi-line PromQL stays readable as a block, not a folded one-liner.
    expect(text).toContain('expr: |-\n');
  });
});

describe('writeRuleFiles()', () => {
  it('writes one file per group and all.yaml, each a readable rule file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlsched-cli-'));
    try {
      const files = writeRuleFiles(dir);

      expect(files.map((f) => basename(f))).toEqual([
        ...ruleGroups().map((g) => `${g.name}.yaml`),
        'all.yaml',
      ]);
      expect(parse(readFileSync(join(dir, 'all.yaml'), 'utf8'))).toEqual({ groups: ruleGroups() });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
