/**
 * The set of field names an object may carry, nested. Schema validators in kubernetes-models
 * check types and required fields but accept any extra key; the API server would prune or
 * reject such a key, so a typo (`readOnlyRootFileSystem`) silently loses a setting. This tree
 * is what `unknownFields` compares every rendered key against.
 */
export interface FieldTree {
  /** Known properties. `'leaf'` for scalars and for values whose content is free-form. */
  readonly props: Readonly<Record<string, FieldTree | 'leaf'>>;
  /** A map type (`labels`, `data`): any key, each value of this shape. */
  readonly index?: FieldTree | 'leaf';
}

/** Paths (`spec.template.spec.containers[0].foo`) of keys the tree does not know. */
export function unknownFields(value: unknown, tree: FieldTree, at = ''): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => unknownFields(item, tree, `${at}[${i}]`));
  }
  if (typeof value !== 'object' || value === null) return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = at === '' ? key : `${at}.${key}`;
    const sub = tree.props[key] ?? tree.index;
    if (sub === undefined) {
      out.push(path);
    } else if (sub !== 'leaf') {
      out.push(...unknownFields(child, sub, path));
    }
  }
  return out;
}
