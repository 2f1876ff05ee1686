import type { KubeObject } from '../render.js';
import { unknownFields } from './field-tree.js';
import { MODEL_TYPES, modelFieldTree } from './model-fields.js';

interface ModelClass {
  new (data: unknown): { validate(): void };
}

const classes = new Map<string, ModelClass>();

/** `apiVersion/kind`, the key of MODEL_TYPES. */
export function gvk(object: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  return `${object.apiVersion}/${object.kind}`;
}

/**
 * Problems schema validation finds: the kubernetes-models validator (types, formats, required
 * fields; the Kubernetes OpenAPI and the CRD schemas) and, since that accepts any extra key,
 * every key the model's type does not declare.
 */
export function schemaProblems(object: KubeObject): string[] {
  const key = gvk(object);
  const model = MODEL_TYPES[key];
  if (!model) return [`${key}: no schema for this kind; add it to MODEL_TYPES`];

  const problems: string[] = [];
  let cls = classes.get(key);
  if (!cls) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cls = (require(model.module) as Record<string, ModelClass>)[object.kind];
    if (!cls) return [`${key}: ${model.module} exports no ${object.kind}`];
    classes.set(key, cls);
  }
  try {
    new cls(object).validate();
  } catch (err) {
    problems.push(`schema: ${(err as Error).message}`);
  }
  const tree = modelFieldTree(key);
  if (tree) problems.push(...unknownFields(object, tree).map((f) => `${f}: unknown field`));
  return problems;
}
