/**
 * The only module that touches ml-xgboost (a 2018 WebAssembly build of XGBoost ≈0.72).
 *
 * We call the exported C functions of its WASM module directly instead of its `XGBoost` class:
 * - the class passes training data as emscripten `'array'` arguments, which are copied onto a
 *   fixed 5 MiB stack, so about 120k rows × 10 features overruns it and corrupts memory (the
 *   process then dies with exit code 7). Copying into `_malloc`ed heap memory has no such
 *   ceiling; the heap grows as needed.
 * - the class allocates and frees per predicted row and goes through ml-matrix; a scratch buffer
 *   reused for every row keeps prediction at the cost of XGBoost itself (~7 µs per row).
 * The C functions are those of ml-xgboost 1.1.2, pinned exactly in package.json.
 *
 * Two things the module does on load are undone here: it installs a process-wide
 * `uncaughtException` handler that rethrows (which turns any uncaught error of the host into
 * exit code 7), and it prints to stdout/stderr; both are routed to the host's own handling.
 */
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';

/** The part of the emscripten module we use. Pointers are byte offsets into the WASM heap. */
interface XgboostWasm {
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  print: (line: unknown) => void;
  printErr: (line: unknown) => void;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _create_model(features: number, labels: number, rows: number, cols: number): number;
  _train_full_model(model: number, rounds: number): void;
  _predict_one(model: number, row: number, cols: number, out: number): number;
  _save_model(model: number): number;
  _get_file_content(out: number, size: number): void;
  _load_model(bytes: number, size: number): number;
  _free_memory_model(model: number): void;
  cwrap(name: 'set_param', ret: null, args: ['number', 'string', 'string']): SetParam;
}
type SetParam = (model: number, name: string, value: string) => void;

interface Runtime {
  readonly wasm: XgboostWasm;
  readonly setParam: SetParam;
}

/**
 * Largest training matrix (rows × features) accepted in one call. Measured on Node 20 with the
 * heap path: 400k × 12 (4.8M cells) trains 100 rounds in ~18 s and grows the WASM heap to 128 MiB.
 * The cap keeps a run well inside that and the time of a CI job.
 */
export const MAX_TRAINING_CELLS = 4_000_000;

/** The most training rows that fit under {@link MAX_TRAINING_CELLS} for `featureCount` columns. */
export function maxTrainingRows(featureCount: number): number {
  if (!Number.isInteger(featureCount) || featureCount <= 0) {
    throw new RangeError(`featureCount must be a positive integer, got ${featureCount}`);
  }
  return Math.floor(MAX_TRAINING_CELLS / featureCount);
}

/** XGBoost 0.72 parameters, passed through as strings. `rounds` is the number of trees. */
export interface XgboostParams {
  readonly rounds: number;
  readonly [name: string]: string | number;
}

/**
 * Parameters for 5-minute-ahead load regression. Chosen on the validation split of both traces
 * (apps/trainer/README.md has the sweep): shallow-ish trees with large leaves, because the target
 * is mostly noise around a level and deeper trees only learn the noise of a few machines.
 */
export const DEFAULT_XGBOOST_PARAMS: XgboostParams = {
  rounds: 250,
  booster: 'gbtree',
  // 0.72 has no reg:squarederror; reg:linear is the same squared-error objective.
  objective: 'reg:linear',
  tree_method: 'hist',
  max_depth: 5,
  eta: 0.05,
  subsample: 0.8,
  colsample_bytree: 0.9,
  min_child_weight: 50,
  lambda: 1,
  // A delta target is centred on zero; 0.5 (the default) would cost the first trees.
  base_score: 0,
  seed: 7,
  silent: 1,
};

let runtime: Promise<Runtime> | undefined;
let wasmLog: Logger | undefined;

function log(): Logger {
  wasmLog ??= pino(
    { name: 'xgboost', level: process.env.LOG_LEVEL ?? 'info' },
    pino.destination(2),
  );
  return wasmLog;
}

/**
 * Loads the WASM module once per process. `logger` receives the module's own output at debug
 * level (it is chatty and never actionable for an operator).
 */
export function loadXgboostRuntime(logger?: Logger): Promise<Runtime> {
  if (logger) wasmLog = logger.child({ component: 'xgboost' });
  runtime ??= initRuntime().catch((err: unknown) => {
    runtime = undefined;
    throw err;
  });
  return runtime;
}

async function initRuntime(): Promise<Runtime> {
  // A plain require (not jest's registry) so that one process holds one WASM instance.
  const nodeRequire = createRequire(__filename);
  const before = new Set(process.listeners('uncaughtException'));
  const wasm = nodeRequire('ml-xgboost/dist/wasm/xgboost.js') as XgboostWasm;
  // Set synchronously: the module reports its (harmless) streaming-compile fallback while loading.
  wasm.print = (line) => log().debug({ line: String(line) }, 'xgboost output');
  wasm.printErr = (line) => log().debug({ line: String(line) }, 'xgboost output');
  const ready = nodeRequire('ml-xgboost') as Promise<unknown>;
  for (const listener of process.listeners('uncaughtException')) {
    if (!before.has(listener)) process.removeListener('uncaughtException', listener);
  }
  await ready;
  return { wasm, setParam: wasm.cwrap('set_param', null, ['number', 'string', 'string']) };
}

/** A WASM abort arrives as a thrown string or a RuntimeError; give it a message and a cause. */
function wasmError(what: string, err: unknown): Error {
  const detail = typeof err === 'string' ? err.slice(0, 300) : (err as Error)?.message;
  return new Error(`${what}: ${detail}`, { cause: err });
}

/** A trained XGBoost model living in WASM memory. Call {@link Booster.free} when done. */
export class Booster {
  private handle: number;
  private readonly scratch: number;
  private readonly out: number;

  private constructor(
    private readonly rt: Runtime,
    handle: number,
    /** Number of feature columns each row must have. */
    readonly featureCount: number,
  ) {
    this.handle = handle;
    this.scratch = rt.wasm._malloc(featureCount * 4);
    // predict_one writes one float per output (always one for regression); room for a few.
    this.out = rt.wasm._malloc(16);
  }

  /** Loads a booster from XGBoost's legacy binary model bytes. */
  static async fromBytes(
    bytes: Uint8Array,
    featureCount: number,
    logger?: Logger,
  ): Promise<Booster> {
    const rt = await loadXgboostRuntime(logger);
    const { wasm } = rt;
    const ptr = wasm._malloc(bytes.length);
    let handle: number;
    try {
      wasm.HEAPU8.set(bytes, ptr);
      handle = wasm._load_model(ptr, bytes.length);
    } catch (err) {
      throw wasmError('xgboost could not load the model bytes', err);
    } finally {
      wasm._free(ptr);
    }
    if (handle === 0) throw new Error('xgboost could not load the model bytes');
    return new Booster(rt, handle, featureCount);
  }

  /**
   * Trains in the calling process. Hosts that must survive a WASM abort call this from a child
   * process (the trainer does). Throws a RangeError naming the limit when the matrix is larger
   * than {@link MAX_TRAINING_CELLS}.
   */
  static async train(
    features: Float32Array,
    labels: Float32Array,
    featureCount: number,
    params: XgboostParams = DEFAULT_XGBOOST_PARAMS,
    logger?: Logger,
  ): Promise<Booster> {
    const rows = labels.length;
    if (rows === 0) throw new RangeError('labels: no training rows');
    if (features.length !== rows * featureCount) {
      throw new RangeError(
        `features: expected ${rows} rows × ${featureCount} columns = ${rows * featureCount} values, ` +
          `got ${features.length}`,
      );
    }
    if (rows > maxTrainingRows(featureCount)) {
      throw new RangeError(
        `features: ${rows} rows × ${featureCount} columns exceeds the training limit of ` +
          `${MAX_TRAINING_CELLS} cells (${maxTrainingRows(featureCount)} rows); subsample first`,
      );
    }
    for (let i = 0; i < rows; i++) {
      if (!Number.isFinite(labels[i])) throw new RangeError(`labels: row ${i} is not finite`);
    }
    if (!Number.isInteger(params.rounds) || params.rounds < 1) {
      throw new RangeError(`params.rounds must be a positive integer, got ${params.rounds}`);
    }

    const rt = await loadXgboostRuntime(logger);
    const { wasm } = rt;
    const xPtr = wasm._malloc(features.byteLength);
    const yPtr = wasm._malloc(labels.byteLength);
    let handle: number;
    try {
      // HEAPF32 is re-read after each malloc: a heap growth replaces the typed array.
      wasm.HEAPF32.set(features, xPtr >> 2);
      wasm.HEAPF32.set(labels, yPtr >> 2);
      // create_model copies the matrix into XGBoost's own DMatrix.
      handle = wasm._create_model(xPtr, yPtr, rows, featureCount);
    } catch (err) {
      throw wasmError('xgboost could not build the training matrix', err);
    } finally {
      wasm._free(xPtr);
      wasm._free(yPtr);
    }
    const booster = new Booster(rt, handle, featureCount);
    try {
      for (const [name, value] of Object.entries(params)) {
        if (name !== 'rounds') rt.setParam(handle, name, String(value));
      }
      wasm._train_full_model(handle, params.rounds);
    } catch (err) {
      booster.free();
      throw wasmError('xgboost training failed', err);
    }
    return booster;
  }

  /** Predicts one row of `featureCount` values (extra values are ignored). */
  predictRow(row: ArrayLike<number>): number {
    const { wasm } = this.rt;
    this.assertLive();
    const heap = wasm.HEAPF32;
    const base = this.scratch >> 2;
    for (let j = 0; j < this.featureCount; j++) heap[base + j] = row[j] as number;
    wasm._predict_one(this.handle, this.scratch, this.featureCount, this.out);
    return wasm.HEAPF32[this.out >> 2] as number;
  }

  /** Predicts `rows` rows of a row-major matrix; about 7 µs per row on these machines. */
  predictMatrix(features: Float32Array, rows: number): Float32Array {
    if (features.length < rows * this.featureCount) {
      throw new RangeError(`features: ${features.length} values cannot hold ${rows} rows`);
    }
    this.assertLive();
    const { wasm } = this.rt;
    const result = new Float32Array(rows);
    const base = this.scratch >> 2;
    const f = this.featureCount;
    for (let i = 0; i < rows; i++) {
      wasm.HEAPF32.set(features.subarray(i * f, i * f + f), base);
      wasm._predict_one(this.handle, this.scratch, f, this.out);
      result[i] = wasm.HEAPF32[this.out >> 2] as number;
    }
    return result;
  }

  /** XGBoost's legacy binary model, as unsigned bytes. */
  toBytes(): Uint8Array {
    this.assertLive();
    const { wasm } = this.rt;
    const size = wasm._save_model(this.handle);
    if (size <= 0) throw new Error('xgboost could not serialise the model');
    const ptr = wasm._malloc(size);
    try {
      wasm._get_file_content(ptr, size);
      return wasm.HEAPU8.slice(ptr, ptr + size);
    } finally {
      wasm._free(ptr);
    }
  }

  /** Releases the model's WASM memory (which never returns to the OS otherwise). Idempotent. */
  free(): void {
    if (this.handle === 0) return;
    const { wasm } = this.rt;
    wasm._free_memory_model(this.handle);
    wasm._free(this.scratch);
    wasm._free(this.out);
    this.handle = 0;
  }

  private assertLive(): void {
    if (this.handle === 0) throw new Error('booster used after free()');
  }
}
