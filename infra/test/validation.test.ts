import type { KubeObject } from '../src/render';
import { formatViolations, validateObjects } from '../src/validate/index';
import { MODEL_TYPES } from '../src/validate/model-fields';
import { schemaProblems } from '../src/validate/schema';
import { clone, externalOf, find, objectsOf, synthesized } from './support';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests break objects through any path */

const CHARTS = ['dev', 'staging', 'prod', 'argocd'] as const;

describe.each(CHARTS)('every rendered object of %s', (chart) => {
  test('passes schema validation, the unknown-field check and every policy', () => {
    const objects = objectsOf(chart);
    const violations = validateObjects(objects, externalOf(chart));

    expect(objects.length).toBeGreaterThan(chart === 'argocd' ? 5 : 30);
    expect(formatViolations(violations)).toBe('');
  });
});

test('every rendered kind has a schema model', () => {
  const kinds = new Set(synthesized().files.map((f) => `${f.object.apiVersion}/${f.object.kind}`));

  for (const kind of kinds) expect(Object.keys(MODEL_TYPES)).toContain(kind);
});

describe('schema validation fails on a deliberately broken object', () => {
  const deployment = () =>
    clone(find('dev', 'Deployment', 'mlsched-scheduler')) as KubeObject & { spec: any };

  test('a quantity that is not one', () => {
    const broken = deployment();
    broken.spec.template.spec.containers[0].resources.limits.cpu = 'two cores';

    expect(schemaProblems(broken)).toEqual([
      expect.stringContaining(
        'data/spec/template/spec/containers/0/resources/limits/cpu must match format "quantity"',
      ),
    ]);
  });

  test('a missing required field (container name)', () => {
    const broken = deployment();
    delete broken.spec.template.spec.containers[1].name;

    expect(schemaProblems(broken)).toEqual([
      expect.stringContaining(
        'data/spec/template/spec/containers/1 must have required property name',
      ),
    ]);
  });

  test('a misspelt field, which the schema validator alone accepts', () => {
    const broken = deployment();
    const sc = broken.spec.template.spec.containers[0].securityContext;
    sc.readOnlyRootFileSystem = sc.readOnlyRootFilesystem;
    delete sc.readOnlyRootFilesystem;

    expect(schemaProblems(broken)).toEqual([
      'spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem: unknown field',
    ]);
  });

  test('an unknown field in a PrometheusRule rule (CRD schema)', () => {
    const rule = clone(find('dev', 'PrometheusRule', 'mlsched')) as KubeObject & { spec: any };
    rule.spec.groups[0].rules[0].severity = 'critical';

    expect(schemaProblems(rule)).toEqual(['spec.groups[0].rules[0].severity: unknown field']);
  });

  test('a wrong type in a ServiceMonitor endpoint (CRD schema)', () => {
    const monitor = clone(find('dev', 'ServiceMonitor', 'mlsched-scheduler')) as KubeObject & {
      spec: any;
    };
    monitor.spec.endpoints[0].scheme = 'tcp';

    expect(schemaProblems(monitor)).toEqual([
      expect.stringContaining(
        'data/spec/endpoints/0/scheme must be equal to one of the allowed values',
      ),
    ]);
  });

  test('an unknown sync policy field in an Application and a missing AppProject field type', () => {
    const app = clone(find('argocd', 'Application', 'mlsched-dev')) as KubeObject & { spec: any };
    app.spec.syncPolicy.automated.selfheal = true;
    const project = clone(find('argocd', 'AppProject', 'mlsched')) as KubeObject & { spec: any };
    project.spec.sourceRepos = 'https://github.com/mlsched/mlsched.git';

    expect(schemaProblems(app)).toEqual(['spec.syncPolicy.automated.selfheal: unknown field']);
    expect(schemaProblems(project)).toEqual([
      expect.stringContaining('data/spec/sourceRepos must be array'),
    ]);
  });

  test('a kind without a schema model', () => {
    expect(schemaProblems({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } })).toEqual([
      'v1/Pod: no schema for this kind; add it to MODEL_TYPES',
    ]);
  });
});
