import { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';

/**
 * Argo CD applies lower waves first and waits for them to be healthy. The order follows what
 * each step needs: the namespace, identities and network rules exist before anything runs;
 * Redis is up before the extender connects to it; the scheduler and trainer run before the
 * rules and dashboards that watch them.
 */
export enum SyncWave {
  FOUNDATION = 0,
  DATA = 1,
  WORKLOADS = 2,
  OBSERVABILITY = 3,
}

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** Kinds that are always foundation, whichever component declares them. */
const FOUNDATION_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'NetworkPolicy',
  // Argo CD projects exist before the Applications that belong to them.
  'AppProject',
]);

const waves = new WeakMap<IConstruct, SyncWave>();

/** Declares the wave of every object under `scope` (foundation kinds excepted). */
export function setSyncWave(scope: IConstruct, wave: SyncWave): void {
  waves.set(scope, wave);
}

/**
 * Annotates every object under `root` with its wave. An object with no declared wave is a
 * mistake: it would sync in wave 0, before what it depends on, so this throws instead.
 */
export function applySyncWaves(root: IConstruct): void {
  for (const child of root.node.findAll()) {
    if (!ApiObject.isApiObject(child)) continue;
    const wave = FOUNDATION_KINDS.has(child.kind) ? SyncWave.FOUNDATION : declaredWave(child);
    if (wave === undefined) {
      throw new Error(`${child.node.path}: ${child.kind} has no sync wave; call setSyncWave`);
    }
    child.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
  }
}

function declaredWave(construct: IConstruct): SyncWave | undefined {
  for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
    const wave = waves.get(c);
    if (wave !== undefined) return wave;
  }
  return undefined;
}
