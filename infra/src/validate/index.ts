import type { ExternalObject } from '../envs/external.js';
import type { KubeObject } from '../render.js';
import { policyViolations, type Violation } from './policies.js';
import { schemaProblems } from './schema.js';
import { ref } from './objects.js';

/**
 * Everything wrong with the objects one cluster receives: schema and unknown-field problems of
 * each object, then the policies across all of them. Empty when they can be applied as they are.
 */
export function validateObjects(
  objects: readonly KubeObject[],
  external: readonly ExternalObject[],
): Violation[] {
  const schema = objects.flatMap((o) =>
    schemaProblems(o).map((message) => ({ policy: 'schema', object: ref(o), message })),
  );
  return [...schema, ...policyViolations({ objects, external })];
}

export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `[${v.policy}] ${v.object}: ${v.message}`).join('\n');
}

export type { Violation } from './policies.js';
