/**
 * The model the forecast benchmark serves: an artifact file when one is given, else one trained
 * here by the trainer's own pipeline on synthetic load (a few seconds), so the figure is for a
 * real XGBoost model with the shipped hyperparameters on any machine.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPredictor, type NodeLoadPredictor } from '@mlsched/core';
import { trainNodeLoadModel } from '@mlsched/trainer';
import type { Logger } from 'pino';
import { nowMs } from './stats.js';

export interface BenchModelProps {
  /** A model artifact to load instead of training one. */
  readonly path?: string;
  /** Boosting rounds when training; the shipped default (250) when absent. */
  readonly rounds?: number;
  readonly log: Logger;
}

export interface BenchModel {
  readonly predictor: NodeLoadPredictor;
  /** Where it came from: the artifact path, or `trained: synthetic`. */
  readonly source: string;
  readonly version: string;
  readonly rounds: number;
  readonly maxDepth: number;
  /** Training wall time; absent for a loaded file. */
  readonly trainSeconds?: number;
}

// Four nodes over a day at one sample a minute: ~4,500 training rows, enough for full-depth
// trees with the default min_child_weight, trained in ~2.5 s on one core.
const SYNTHETIC = { kind: 'synthetic', seed: 3, nodes: 4, durationSeconds: 86_400 } as const;

export async function obtainModel(props: BenchModelProps): Promise<BenchModel> {
  const { log } = props;
  if (props.path) {
    const predictor = await loadPredictor(props.path);
    const params = predictor.artifact.training.params as Record<string, unknown>;
    log.info({ path: props.path, version: predictor.version }, 'model loaded');
    return {
      predictor,
      source: props.path,
      version: predictor.version,
      rounds: Number(params.rounds),
      maxDepth: Number(params.max_depth),
    };
  }

  const dir = await mkdtemp(join(tmpdir(), 'mlsched-bench-model-'));
  try {
    const started = nowMs();
    log.info({ source: SYNTHETIC.kind, rounds: props.rounds ?? 'default' }, 'training model');
    const result = await trainNodeLoadModel({
      source: SYNTHETIC,
      outDir: dir,
      ...(props.rounds !== undefined ? { params: { rounds: props.rounds } } : {}),
      logger: log.child({ component: 'trainer' }, { level: 'warn' }),
    });
    const trainSeconds = (nowMs() - started) / 1000;
    const predictor = await loadPredictor(result.artifact);
    const params = result.artifact.training.params as Record<string, unknown>;
    log.info({ version: predictor.version, trainSeconds }, 'model trained');
    return {
      predictor,
      source: 'trained: synthetic',
      version: predictor.version,
      rounds: Number(params.rounds),
      maxDepth: Number(params.max_depth),
      trainSeconds,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
