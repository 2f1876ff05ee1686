/**
 * Runs XGBoost in a child process (see train-worker.ts for why) and talks to it over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { XgboostParams } from '@mlsched/core';
import type { Logger } from 'pino';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.js';

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void };
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Where the worker entry is, and what node needs to run it. */
function workerEntry(): { file: string; execArgv: string[] } {
  const ext = extname(__filename);
  const file = join(__dirname, `train-worker${ext}`);
  if (ext !== '.ts') return { file, execArgv: [] };
  // Running from TypeScript sources (jest, scripts): the child needs the same transpilation.
  const hook = resolve(__dirname, '..', 'scripts', 'register-ts.js');
  if (!existsSync(hook))
    throw new Error(`cannot run the training worker from sources: ${hook} is missing`);
  return { file, execArgv: ['--require', hook] };
}

/** One worker process; requests are served in order. Always `close()` it. */
export class TrainingWorker {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exited: Error | undefined;
  private stderrTail = '';

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (res: WorkerResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (res.kind === 'failed') p.reject(new Error(`training worker: ${res.message}`));
      else p.resolve(res);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000);
    });
    child.on('exit', (code, signal) => {
      const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
      this.exited = new Error(
        `training worker exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})` +
          (tail ? `: ${tail}` : ''),
      );
      for (const p of this.pending.values()) p.reject(this.exited);
      this.pending.clear();
    });
  }

  static start(log?: Logger): TrainingWorker {
    const { file, execArgv } = workerEntry();
    const child = fork(file, [], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    log?.debug({ pid: child.pid, file }, 'training worker started');
    return new TrainingWorker(child);
  }

  private request(req: WithoutId<WorkerRequest>): Promise<WorkerResponse> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...req, id } as WorkerRequest);
    });
  }

  /** Trains one booster; returns its bytes and its predictions for `predict`. */
  async train(
    features: Float32Array,
    labels: Float32Array,
    featureCount: number,
    params: XgboostParams,
    predict: Float32Array,
    predictRows: number,
  ): Promise<{ model: Uint8Array; predictions: Float32Array; trainSeconds: number }> {
    const res = await this.request({
      kind: 'train',
      features,
      labels,
      featureCount,
      params,
      predict,
      predictRows,
    });
    if (res.kind !== 'trained') throw new Error(`training worker answered ${res.kind} to train`);
    return res;
  }

  /** Predictions of an existing model (bytes) for `rows` rows. */
  async predict(
    model: Uint8Array,
    featureCount: number,
    features: Float32Array,
    rows: number,
  ): Promise<Float32Array> {
    const res = await this.request({ kind: 'predict', model, featureCount, features, rows });
    if (res.kind !== 'predicted')
      throw new Error(`training worker answered ${res.kind} to predict`);
    return res.predictions;
  }

  /** Stops the worker; waits for it to exit. */
  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.child.once('exit', () => r()));
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  }

  /** For tests: the worker's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }
}
