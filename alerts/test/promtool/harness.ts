/**
 * Writes promtool unit-test files from the cases in this folder and runs promtool on them. The
 * rules come from `ruleGroups()`, and each alert's `for:` is read from the rule itself, so a
 * changed `for:` moves the boundary the test checks instead of leaving a stale test behind.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

import { renderRuleFile, type PrometheusRuleGroup } from '@mlsched/alerts';

export interface SeriesInput {
  /** Series in PromQL notation, e.g. `up{job="x"}`. */
  readonly series: string;
  /** promtool's expanding notation, one value per minute: `1 1 0x10`, `0+60x30`. */
  readonly values: string;
}

export interface AlertCase {
  readonly alert: string;
  /** What the case shows, for the reader and promtool's test name. */
  readonly name: string;
  readonly series: readonly SeriesInput[];
  /** Minute of the first evaluation at which the alert's expression holds. */
  readonly activeAtMinute: number;
  /** Every label of the firing alert except `alertname`. */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<'summary' | 'description' | 'runbook_url', string>>;
}

export interface RecordExpectation {
  /** A PromQL expression, usually a recorded series with a selector. */
  readonly expr: string;
  /** Series in PromQL notation (name and labels) and value; empty means no data. */
  readonly samples: ReadonlyArray<{ readonly labels: string; readonly value: number }>;
}

export interface RecordCase {
  readonly name: string;
  readonly series: readonly SeriesInput[];
  readonly evalMinute: number;
  readonly expect: readonly RecordExpectation[];
}

export interface PromtoolResult {
  readonly status: number | null;
  readonly output: string;
}

export const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

export function promtool(args: readonly string[], cwd: string): PromtoolResult {
  const r = spawnSync(PROMTOOL, [...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`cannot run ${PROMTOOL}: ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** `5m` → 5, `1h` → 60, `30s` → 0.5. */
export function minutesOf(duration: string): number {
  const m = /^(\d+)([smhd])$/.exec(duration);
  if (!m) throw new Error(`for: ${JSON.stringify(duration)} is not a duration`);
  const unit = { s: 1 / 60, m: 1, h: 60, d: 1440 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

function forMinutes(groups: readonly PrometheusRuleGroup[], alert: string): number {
  const rule = groups.flatMap((g) => g.rules).find((r) => r.alert === alert);
  if (!rule?.for) throw new Error(`no alerting rule ${alert} with a for: in the rule groups`);
  return minutesOf(rule.for);
}

/**
 * Without `group_eval_order` promtool evaluates groups in map order, which changes from run to
 * run; alerts reading a recorded series would then see it one evaluation late, at random. The
 * order of `ruleGroups()` (recording first) is what the tests pin.
 */
function evalOrder(groups: readonly PrometheusRuleGroup[]): string[] {
  return groups.map((g) => g.name);
}

/**
 * One promtool test per case: one minute before the `for:` boundary nothing fires (the alert is
 * at most pending), at the boundary it fires with exactly these labels and annotations.
 */
export function alertTests(groups: readonly PrometheusRuleGroup[], cases: readonly AlertCase[]) {
  return cases.map((c) => {
    const firesAt = c.activeAtMinute + forMinutes(groups, c.alert);
    return {
      name: `${c.alert}: ${c.name}`,
      interval: '1m',
      input_series: c.series.map((s) => ({ series: s.series, values: s.values })),
      alert_rule_test: [
        { eval_time: `${firesAt - 1}m`, alertname: c.alert, exp_alerts: [] },
        {
          eval_time: `${firesAt}m`,
          alertname: c.alert,
          exp_alerts: [{ exp_labels: { ...c.labels }, exp_annotations: { ...c.annotations } }],
        },
      ],
    };
  });
}

/**
 * promtool compares sample values exactly, and a hand-worked 0.1 is rarely the float Prometheus
 * computes (0.09999999999999998). Both sides are rounded to `DECIMALS` places: `round()` drops
 * the series name, so the expected labels lose it too.
 */
const DECIMALS = 1e6;

function roundedLabels(series: string): string {
  const brace = series.indexOf('{');
  return brace < 0 ? '{}' : series.slice(brace);
}

export function recordTests(cases: readonly RecordCase[]) {
  return cases.map((c) => ({
    name: c.name,
    interval: '1m',
    input_series: c.series.map((s) => ({ series: s.series, values: s.values })),
    promql_expr_test: c.expect.map((e) => ({
      expr: `round((${e.expr}) * ${DECIMALS}) / ${DECIMALS}`,
      eval_time: `${c.evalMinute}m`,
      exp_samples: e.samples.map((s) => ({
        labels: roundedLabels(s.labels),
        value: Math.round(s.value * DECIMALS) / DECIMALS,
      })),
    })),
  }));
}

export interface Workdir {
  readonly dir: string;
  write(name: string, content: string): string;
  remove(): void;
}

export function workdir(): Workdir {
  const dir = mkdtempSync(join(tmpdir(), 'mlsched-rules-'));
  return {
    dir,
    write: (name, content) => {
      writeFileSync(join(dir, name), content);
      return name;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Writes the rules and a promtool test file for them, runs `promtool test rules`. */
export function runRuleTests(
  groups: readonly PrometheusRuleGroup[],
  tests: readonly object[],
): PromtoolResult {
  const wd = workdir();
  try {
    const rules = wd.write('rules.yaml', renderRuleFile(groups));
    const testFile = wd.write(
      'tests.yaml',
      stringify(
        {
          rule_files: [rules],
          evaluation_interval: '1m',
          group_eval_order: evalOrder(groups),
          tests,
        },
        { lineWidth: 0 },
      ),
    );
    return promtool(['test', 'rules', testFile], wd.dir);
  } finally {
    wd.remove();
  }
}
