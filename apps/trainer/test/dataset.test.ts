import { FEATURE_COUNT, type NodeSample } from '@mlsched/core';
import { buildDataset, errorMetrics, featureColumn, subsample } from '../src/index';

const T0 = 1_700_000_000;

/** 10 hours at 60 s: 601 samples, cpu rising 0.001 per minute, memory flat. */
function rampSeries(): Map<string, NodeSample[]> {
  const samples: NodeSample[] = [];
  for (let i = 0; i <= 600; i++) samples.push({ t: T0 + 60 * i, cpu: 0.2 + 0.001 * i, mem: 0.6 });
  return new Map([['node-a', samples]]);
}

describe('buildDataset', () => {
  it('splits by time without letting a training target cross into validation', () => {
    const ds = buildDataset(rampSeries(), { validationFraction: 0.2 });

    // cut = T0 + 0.8 × 36,000 s = sample 480. Training anchors need 15 min of history
    // (from sample 15) and a target at or before the cut (anchor ≤ sample 475).
    expect(ds.train.rows).toBe(461);
    // Validation anchors lie after the cut (from 481) and need a target within 60 s of
    // anchor + 300 s: up to 596, whose target is the last sample, 600.
    expect(ds.validation.rows).toBe(116);
    expect(ds.skippedAnchors).toEqual({
      features_unavailable: 15,
      target_crosses_split: 5,
      no_target_sample: 4,
    });
    expect(ds.train.range).toEqual({ start: T0 + 60 * 15, end: T0 + 60 * 475 });
    expect(ds.validation.range).toEqual({ start: T0 + 60 * 481, end: T0 + 60 * 596 });
    expect(ds.seriesUsed).toBe(1);
  });

  it('labels the change over the next 5 minutes (delta) and keeps the observed level', () => {
    const ds = buildDataset(rampSeries());

    // Five steps of +0.001 ahead; memory does not move.
    expect(Math.max(...ds.train.cpuLabel.map((v) => Math.abs(v - 0.005)))).toBeLessThan(1e-6);
    expect(Math.max(...ds.train.memLabel.map(Math.abs))).toBe(0);
    // The first training anchor is sample 15; its target is sample 20.
    expect(ds.train.cpuActual[0]).toBeCloseTo(0.22, 6);
    expect(ds.train.features[0]).toBeCloseTo(0.215, 6);
  });

  it('labels the level itself with target "level"', () => {
    const ds = buildDataset(rampSeries(), { target: 'level' });

    expect(ds.train.cpuLabel[0]).toBeCloseTo(0.22, 6);
    expect(ds.train.memLabel[0]).toBeCloseTo(0.6, 6);
  });

  it('skips a series too short to give any row, and refuses a bad validation fraction', () => {
    const ds = buildDataset(new Map([['tiny', [{ t: T0, cpu: 0.1, mem: 0.1 }]]]));

    expect(ds.train.rows + ds.validation.rows).toBe(0);
    expect(ds.skippedAnchors).toEqual({ series_too_short: 1 });
    expect(() => buildDataset(rampSeries(), { validationFraction: 1 })).toThrow(
      /validationFraction/,
    );
  });
});

describe('subsample', () => {
  it('keeps rows spread evenly over the split', () => {
    const split = buildDataset(rampSeries()).train;

    const kept = subsample(split, 4);

    // floor(k × 461 / 4) for k = 0..3.
    const picked = [0, 115, 230, 345];
    expect(kept.rows).toBe(4);
    expect([...kept.cpuActual]).toEqual(picked.map((i) => split.cpuActual[i]));
    expect([...kept.features.subarray(FEATURE_COUNT, 2 * FEATURE_COUNT)]).toEqual([
      ...split.features.subarray(115 * FEATURE_COUNT, 116 * FEATURE_COUNT),
    ]);
    expect(subsample(split, 1000)).toBe(split);
  });
});

describe('errorMetrics', () => {
  it('computes MAE and RMSE, and refuses non-finite values instead of averaging them', () => {
    expect(errorMetrics([0.1, 0.5], [0.2, 0.2])).toEqual({
      mae: 0.2,
      rmse: Math.sqrt((0.01 + 0.09) / 2),
    });
    expect(() => errorMetrics([Number.NaN], [0.2])).toThrow(/row 0/);
  });

  it('reads a feature column of a split', () => {
    const split = buildDataset(rampSeries()).train;

    expect(featureColumn(split, 0)[1]).toBeCloseTo(0.216, 6);
  });
});
