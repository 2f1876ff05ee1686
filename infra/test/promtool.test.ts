import type { KubeObject } from '../src/render';
import { promtoolCheckRules } from '../src/validate/promtool';
import { clone, find, objectsOf } from './support';

describe.each(['dev', 'staging', 'prod'])('%s PrometheusRule', (env) => {
  test('loads in promtool check rules', () => {
    const results = promtoolCheckRules(objectsOf(env));

    expect(results.map((r) => [r.object, r.ok])).toEqual([
      [`PrometheusRule mlsched/mlsched`, true],
    ]);
    expect(results[0]?.output).toMatch(/SUCCESS: \d+ rules found/);
  });
});

test('promtool fails on a rule that does not parse', () => {
  const rule = clone(find('dev', 'PrometheusRule', 'mlsched')) as KubeObject & {
    spec: { groups: { rules: { expr: string }[] }[] };
  };
  rule.spec.groups[0]!.rules[0]!.expr = 'sum(rate(foo[5m])';

  const [result] = promtoolCheckRules([rule]);

  expect(result?.ok).toBe(false);
  expect(result?.output).toContain('FAILED');
});
