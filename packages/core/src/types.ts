/**
 * The vocabulary that training, serving and the simulator share. Keeping it in one module is
 * what stops the trainer and the extender from drifting apart.
 */

/** One observation of a node's utilisation. */
export interface NodeSample {
  /** Unix time of the observation, in seconds. */
  readonly t: number;
  /** CPU in use as a fraction of the node's capacity (0..1; a trace may report slightly above 1). */
  readonly cpu: number;
  /** Memory in use as a fraction of the node's capacity (0..1). */
  readonly mem: number;
}

/** A node's predicted utilisation `horizonSeconds` after the newest sample. */
export interface LoadForecast {
  readonly cpu: number;
  readonly mem: number;
}

/**
 * Predicts a node's utilisation a few minutes ahead from its recent history.
 *
 * Implementations never return NaN: when the history is too short, too old or holds a
 * non-finite value they return `undefined`, and the caller falls back to request-based scoring.
 */
export interface LoadPredictor {
  /** Version of the model artifact, as written by the trainer (e.g. `2026-12-03T16-00-00Z-ab12cd`). */
  readonly version: string;
  /** How far ahead the forecast looks, in seconds. */
  readonly horizonSeconds: number;
  /** How much history the features read, in seconds. */
  readonly historySeconds: number;
  /** `history` is sorted by `t`, oldest first; `now` is unix seconds. */
  predict(history: readonly NodeSample[], now: number): LoadForecast | undefined;
  /** Releases native (WASM) memory. The predictor must not be used afterwards. */
  close(): void;
}

/** Kubernetes node roles this project distinguishes. */
export type NodeRole = 'control-plane' | 'worker';

/** The static description of a node, as the cluster model and the manifests see it. */
export interface NodeSpec {
  readonly name: string;
  readonly role: NodeRole;
  readonly internalIP: string;
  /** Allocatable CPU, in cores. */
  readonly cpuCores: number;
  /** Allocatable memory, in bytes. */
  readonly memoryBytes: number;
  /** Control-plane nodes carry `node-role.kubernetes.io/control-plane:NoSchedule`. */
  readonly tainted: boolean;
}
