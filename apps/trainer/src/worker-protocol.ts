/**
 * Messages between the trainer and its training worker process. Sent with Node's `advanced`
 * IPC serialisation (structured clone), so typed arrays cross as typed arrays, not JSON.
 */
import type { XgboostParams } from '@mlsched/core';

export interface TrainRequest {
  readonly kind: 'train';
  readonly id: number;
  readonly featureCount: number;
  readonly features: Float32Array;
  readonly labels: Float32Array;
  readonly params: XgboostParams;
  /** Rows to predict with the fresh booster before it is freed (the validation set). */
  readonly predict: Float32Array;
  readonly predictRows: number;
}

export interface PredictRequest {
  readonly kind: 'predict';
  readonly id: number;
  readonly featureCount: number;
  /** XGBoost legacy binary model. */
  readonly model: Uint8Array;
  readonly features: Float32Array;
  readonly rows: number;
}

export type WorkerRequest = TrainRequest | PredictRequest;

export type WorkerResponse =
  | {
      readonly kind: 'trained';
      readonly id: number;
      readonly model: Uint8Array;
      readonly predictions: Float32Array;
      readonly trainSeconds: number;
    }
  | { readonly kind: 'predicted'; readonly id: number; readonly predictions: Float32Array }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string };
