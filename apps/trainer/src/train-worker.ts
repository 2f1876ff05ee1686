/**
 * Entry point of the training worker process. XGBoost's WASM build can abort on bad input or
 * exhausted memory; here an abort ends this process, and the trainer reports it, instead of
 * taking down whoever called the trainer.
 */
import { Booster } from '@mlsched/core';
import { createLogger } from './logger.js';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.js';

const log = createLogger('trainer-worker');

async function handle(req: WorkerRequest): Promise<WorkerResponse> {
  if (req.kind === 'train') {
    const started = process.hrtime.bigint();
    const booster = await Booster.train(
      req.features,
      req.labels,
      req.featureCount,
      req.params,
      log,
    );
    try {
      const trainSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      log.debug({ rows: req.labels.length, trainSeconds }, 'booster trained');
      return {
        kind: 'trained',
        id: req.id,
        model: booster.toBytes(),
        predictions: booster.predictMatrix(req.predict, req.predictRows),
        trainSeconds,
      };
    } finally {
      booster.free();
    }
  }
  const booster = await Booster.fromBytes(req.model, req.featureCount, log);
  try {
    return {
      kind: 'predicted',
      id: req.id,
      predictions: booster.predictMatrix(req.features, req.rows),
    };
  } finally {
    booster.free();
  }
}

// Requests are handled one at a time, in order: WASM is single-threaded anyway.
let queue = Promise.resolve();
process.on('message', (req: WorkerRequest) => {
  queue = queue.then(async () => {
    let res: WorkerResponse;
    try {
      res = await handle(req);
    } catch (err) {
      res = { kind: 'failed', id: req.id, message: (err as Error).message ?? String(err) };
    }
    process.send?.(res);
  });
});
process.on('disconnect', () => process.exit(0));
