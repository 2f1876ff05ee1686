import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { FieldTree } from './field-tree.js';

/**
 * Field trees derived from the kubernetes-models type declarations, which are generated from
 * the Kubernetes OpenAPI document and from the CRDs' schemas. The compiled validators of those
 * packages carry no schema at run time, so the TypeScript compiler reads the declarations (a few
 * seconds) and the trees are cached: in the process, and on disk under `.cache/`, keyed by the
 * versions of the packages they were read from.
 */

/** Repository root, from `infra/src/validate` or `infra/lib/validate`. */
const CACHE_DIR = path.resolve(__dirname, '..', '..', '..', '.cache');

/** The model interface of each kind this project renders, by `apiVersion/kind`. */
export const MODEL_TYPES: Readonly<Record<string, { module: string; type: string }>> = {
  'v1/Namespace': { module: 'kubernetes-models/v1/Namespace', type: 'INamespace' },
  'v1/ServiceAccount': { module: 'kubernetes-models/v1/ServiceAccount', type: 'IServiceAccount' },
  'v1/ConfigMap': { module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  'v1/Service': { module: 'kubernetes-models/v1/Service', type: 'IService' },
  'v1/PersistentVolumeClaim': {
    module: 'kubernetes-models/v1/PersistentVolumeClaim',
    type: 'IPersistentVolumeClaim',
  },
  'apps/v1/Deployment': { module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment' },
  'apps/v1/StatefulSet': { module: 'kubernetes-models/apps/v1/StatefulSet', type: 'IStatefulSet' },
  'batch/v1/CronJob': { module: 'kubernetes-models/batch/v1/CronJob', type: 'ICronJob' },
  'policy/v1/PodDisruptionBudget': {
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    type: 'IPodDisruptionBudget',
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    module: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
    type: 'INetworkPolicy',
  },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    module: 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole',
    type: 'IClusterRole',
  },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': {
    module: 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding',
    type: 'IClusterRoleBinding',
  },
  'rbac.authorization.k8s.io/v1/Role': {
    module: 'kubernetes-models/rbac.authorization.k8s.io/v1/Role',
    type: 'IRole',
  },
  'rbac.authorization.k8s.io/v1/RoleBinding': {
    module: 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding',
    type: 'IRoleBinding',
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule',
    type: 'IPrometheusRule',
  },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    type: 'IServiceMonitor',
  },
  'monitoring.coreos.com/v1/PodMonitor': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor',
    type: 'IPodMonitor',
  },
  'argoproj.io/v1alpha1/Application': {
    module: '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application',
    type: 'IApplication',
  },
  'argoproj.io/v1alpha1/AppProject': {
    module: '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject',
    type: 'IAppProject',
  },
};

let cache: Map<string, FieldTree> | undefined;

/** The field tree of `apiVersion/kind`, or undefined for a kind this project does not render. */
export function modelFieldTree(gvk: string): FieldTree | undefined {
  cache ??= cachedTrees();
  return cache.get(gvk);
}

function cachedTrees(): Map<string, FieldTree> {
  const versions = [
    'kubernetes-models',
    '@kubernetes-models/prometheus-operator',
    '@kubernetes-models/argo-cd',
    'typescript',
  ].map((pkg) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return `${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}`;
  });
  const key = createHash('sha256')
    .update(JSON.stringify([versions, MODEL_TYPES]))
    .digest('hex')
    .slice(0, 16);
  const file = path.join(CACHE_DIR, `infra-field-trees-${key}.json`);
  try {
    return new Map(
      Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, FieldTree>),
    );
  } catch {
    // No cache yet, or an unreadable one: read the declarations again.
  }
  const trees = buildTrees();
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Write then rename, so a parallel test file never reads half a cache.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(trees)));
    fs.renameSync(tmp, file);
  } catch {
    // A read-only checkout still validates; it only pays the compiler again next time.
  }
  return trees;
}

function buildTrees(): Map<string, FieldTree> {
  // typescript is a development dependency: loaded only when validation runs, never by synth.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const entries = Object.entries(MODEL_TYPES);
  const probeFile = path.join(
    path.dirname(require.resolve('kubernetes-models/package.json')),
    '__probe.ts',
  );
  const source = [
    ...entries.map(([, m], i) => `import type { ${m.type} as T${i} } from '${m.module}';`),
    `export interface Probe { ${entries.map((_, i) => `k${i}: T${i};`).join(' ')} }`,
  ].join('\n');

  const host = ts.createCompilerHost({});
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (file, lang, ...rest) =>
    file === probeFile
      ? ts.createSourceFile(file, source, lang)
      : getSourceFile(file, lang, ...rest);
  host.fileExists = (file) => file === probeFile || fileExists(file);
  const program = ts.createProgram(
    [probeFile],
    {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      types: [],
      noEmit: true,
      strict: true,
    },
    host,
  );
  const checker = program.getTypeChecker();
  const probe = program
    .getSourceFile(probeFile)
    ?.statements.find((s): s is import('typescript').InterfaceDeclaration =>
      ts.isInterfaceDeclaration(s),
    );
  if (!probe) throw new Error('field trees: probe interface not found');

  const memo = new Map<import('typescript').Type, FieldTree | 'leaf'>();
  const toTree = (input: import('typescript').Type): FieldTree | 'leaf' => {
    const type = checker.getNonNullableType(input);
    const members = type.isUnion() ? type.types : [type];
    const objects = members
      .flatMap((t) =>
        checker.isArrayType(t)
          ? [checker.getTypeArguments(t as import('typescript').TypeReference)[0]!]
          : [t],
      )
      .filter((t) => (t.flags & ts.TypeFlags.Object) !== 0);
    if (objects.length === 0) return 'leaf';
    if (objects.length === 1 && memo.has(objects[0]!)) return memo.get(objects[0]!)!;

    const props: Record<string, FieldTree | 'leaf'> = {};
    const node: { props: typeof props; index?: FieldTree | 'leaf' } = { props };
    if (objects.length === 1) memo.set(objects[0]!, node);
    // A union of object shapes (rare in these models) accepts the fields of each member.
    for (const obj of objects) {
      const index = checker.getIndexInfoOfType(obj, ts.IndexKind.String);
      if (index) node.index = toTree(index.type);
      for (const prop of checker.getPropertiesOfType(obj)) {
        props[prop.name] = toTree(checker.getTypeOfSymbol(prop));
      }
    }
    return node;
  };

  const trees = new Map<string, FieldTree>();
  const probeType = checker.getTypeAtLocation(probe.name);
  entries.forEach(([gvk], i) => {
    const prop = probeType.getProperty(`k${i}`);
    const tree = prop ? toTree(checker.getTypeOfSymbol(prop)) : 'leaf';
    if (tree === 'leaf' || Object.keys(tree.props).length === 0) {
      throw new Error(`field trees: cannot read the model type of ${gvk}`);
    }
    trees.set(gvk, tree);
  });
  return trees;
}
