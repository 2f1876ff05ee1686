/**
 * Synthetic node load for tests, demos and machines without /work/shared/data. Deterministic
 * for a given seed. Each node's CPU is
 *
 *   base + daily sinusoid (own amplitude and phase) + AR(1) noise + bursts,
 *
 * where bursts start at random (~4 a day), jump by 0.1–0.35 and decay exponentially with a
 * 5–30 minute time constant. Memory moves slowly: its own base, a weak daily swing, a third of
 * the current CPU burst (work that holds memory while it runs) and slow AR(1) noise. Both are
 * clamped to [0, 1]. The bursts make some of the next 5 minutes predictable from the last few
 * (a decaying burst keeps decaying), which is what the model is meant to pick up.
 */
import type { NodeSample } from '../types.js';

export interface SyntheticTraceOptions {
  /** PRNG seed; the same seed gives the same series. @default 1 */
  readonly seed?: number;
  /** @default 6 */
  readonly nodes?: number;
  /** Unix seconds of the first sample. @default 1_700_000_000 (2023-11-14T22:13:20Z) */
  readonly startTime?: number;
  /** @default 2 days */
  readonly durationSeconds?: number;
  /** @default 60 */
  readonly stepSeconds?: number;
}

const DAY = 86_400;

/** mulberry32: tiny, fast, and good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  // Box–Muller; 1 - rand() avoids log(0).
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/** Series named `synthetic-01` … in a Map, like the trace readers return. */
export function generateSyntheticSeries(
  options: SyntheticTraceOptions = {},
): Map<string, NodeSample[]> {
  const nodes = options.nodes ?? 6;
  const start = options.startTime ?? 1_700_000_000;
  const duration = options.durationSeconds ?? 2 * DAY;
  const step = options.stepSeconds ?? 60;
  if (!Number.isInteger(nodes) || nodes < 1)
    throw new RangeError(`nodes must be a positive integer, got ${nodes}`);
  if (!(step > 0)) throw new RangeError(`stepSeconds must be positive, got ${step}`);
  if (!(duration >= step))
    throw new RangeError(`durationSeconds must be at least stepSeconds, got ${duration}`);

  const rand = seededRandom(options.seed ?? 1);
  const out = new Map<string, NodeSample[]>();
  const burstsPerStep = (4 / DAY) * step;
  for (let n = 0; n < nodes; n++) {
    const cpuBase = 0.15 + 0.3 * rand();
    const cpuAmp = 0.08 + 0.17 * rand();
    const memBase = 0.35 + 0.35 * rand();
    const memAmp = 0.02 + 0.05 * rand();
    const phase = DAY * rand();
    let cpuNoise = 0;
    let memNoise = 0;
    let burst = 0;
    let decay = 1;
    const samples: NodeSample[] = [];
    for (let t = start; t < start + duration; t += step) {
      if (rand() < burstsPerStep) {
        burst += 0.1 + 0.25 * rand();
        decay = Math.exp(-step / (300 + 1500 * rand()));
      }
      burst *= decay;
      cpuNoise = 0.9 * cpuNoise + 0.02 * gaussian(rand);
      memNoise = 0.98 * memNoise + 0.004 * gaussian(rand);
      const daily = Math.sin((2 * Math.PI * (t - phase)) / DAY);
      samples.push({
        t,
        cpu: clamp01(cpuBase + cpuAmp * daily + cpuNoise + burst),
        mem: clamp01(memBase + memAmp * daily + burst / 3 + memNoise),
      });
    }
    out.set(`synthetic-${String(n + 1).padStart(2, '0')}`, samples);
  }
  return out;
}
