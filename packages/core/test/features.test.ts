import {
  FEATURE_COUNT,
  FEATURE_NAMES,
  MAX_SAMPLE_AGE_SECONDS,
  extractFeatures,
  targetIndex,
  writeFeatures,
  type NodeSample,
} from '../src/index';

const T0 = 1_700_000_000;

/** Samples every `step` s over [T0, T0 + span], with cpu/mem as functions of seconds since T0. */
function ramp(
  step: number,
  span: number,
  cpu: (s: number) => number,
  mem: (s: number) => number = () => 0.5,
) {
  const out: NodeSample[] = [];
  for (let s = 0; s <= span; s += step) out.push({ t: T0 + s, cpu: cpu(s), mem: mem(s) });
  return out;
}

function named(f: Float64Array): Record<string, number> {
  return Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, f[i] as number]));
}

describe('extractFeatures on hand-computed histories', () => {
  it('computes every feature of a 300 s ramp 0.1 → 0.7 over 30 minutes', () => {
    const history = ramp(300, 1800, (s) => 0.1 + (0.1 * s) / 300);
    const now = T0 + 1800;

    const f = extractFeatures(history, now);

    expect(f).toBeDefined();
    const v = named(f as Float64Array);
    expect(v.cpu_last).toBeCloseTo(0.7, 12);
    // 5 min window [T-300, T]: 0.6 and 0.7.
    expect(v.cpu_mean_5m_vs_last).toBeCloseTo(-0.05, 12);
    // 15 min: 0.4, 0.5, 0.6, 0.7 → mean and median 0.55.
    expect(v.cpu_mean_15m_vs_last).toBeCloseTo(-0.15, 12);
    expect(v.cpu_median_15m_vs_last).toBeCloseTo(-0.15, 12);
    // 30 min: all seven, mean 0.4, min 0.1, max 0.7, population std 0.2.
    expect(v.cpu_mean_30m_vs_last).toBeCloseTo(-0.3, 12);
    expect(v.cpu_min_30m_vs_last).toBeCloseTo(-0.6, 12);
    expect(v.cpu_max_30m_vs_last).toBeCloseTo(0, 12);
    expect(v.cpu_std_30m).toBeCloseTo(0.2, 12);
    // +0.1 per 300 s = +0.1 per 5-minute horizon.
    expect(v.cpu_slope_15m).toBeCloseTo(0.1, 12);
    expect(v.mem_last).toBe(0.5);
    expect(v.mem_mean_30m_vs_last).toBe(0);
    expect(v.mem_std_30m).toBe(0);
    expect(v.mem_slope_15m).toBe(0);
    expect(v.sample_interval_seconds).toBe(300);
  });

  it('gives the same window statistics for the same signal sampled every 60 s', () => {
    const signal = (s: number) => 0.1 + (0.1 * s) / 300;
    const coarse = extractFeatures(ramp(300, 3600, signal), T0 + 3600) as Float64Array;
    const fine = extractFeatures(ramp(60, 3600, signal), T0 + 3600) as Float64Array;

    // A linear signal sampled evenly has its window mean at the window's midpoint either way.
    const c = named(coarse);
    const f = named(fine);
    expect(f.cpu_mean_15m_vs_last).toBeCloseTo(c.cpu_mean_15m_vs_last as number, 12);
    expect(f.cpu_mean_30m_vs_last).toBeCloseTo(-0.3, 12);
    expect(f.cpu_slope_15m).toBeCloseTo(0.1, 12);
    expect(f.sample_interval_seconds).toBe(60);
    expect(c.sample_interval_seconds).toBe(300);
  });

  it('median ignores one spike that moves the mean', () => {
    const history = ramp(60, 1800, (s) => (s === 1740 ? 0.9 : 0.2));
    const v = named(extractFeatures(history, T0 + 1800) as Float64Array);

    expect(v.cpu_median_15m_vs_last).toBe(0);
    // 16 samples in [T-900, T], one of them 0.7 above the rest.
    expect(v.cpu_mean_15m_vs_last).toBeCloseTo(0.7 / 16, 12);
    expect(v.cpu_max_30m_vs_last).toBeCloseTo(0.7, 12);
  });

  it('reads only the last 30 minutes of a longer history', () => {
    const long = ramp(60, 7200, (s) => (s < 7200 - 1800 ? Number.NaN : 0.3));
    const f = extractFeatures(long, T0 + 7200);

    // The NaN samples lie before the window: they neither poison nor refuse the vector.
    expect(f).toBeDefined();
    const v = named(f as Float64Array);
    expect(v.cpu_mean_30m_vs_last).toBeCloseTo(0, 12);
    expect(v.cpu_std_30m).toBeCloseTo(0, 6);
  });

  it('writes into a Float32 matrix at an offset, as training does', () => {
    const history = ramp(300, 1800, (s) => 0.1 + (0.1 * s) / 300);
    const out = new Float32Array(FEATURE_COUNT * 2);

    expect(writeFeatures(history, history.length - 1, T0 + 1800, out, FEATURE_COUNT)).toBe(true);
    expect(out[FEATURE_COUNT]).toBeCloseTo(0.7, 6);
    expect(out[0]).toBe(0);
  });
});

describe('extractFeatures refuses untrustworthy history', () => {
  const good = ramp(60, 1800, () => 0.4);
  const now = T0 + 1800;

  it.each([
    ['empty', [] as NodeSample[], now],
    ['shorter than 15 minutes', ramp(60, 840, () => 0.4), T0 + 840],
    [
      'NaN cpu inside the window',
      good.map((s, i) => (i === 20 ? { ...s, cpu: Number.NaN } : s)),
      now,
    ],
    ['Infinity memory', good.map((s, i) => (i === 30 ? { ...s, mem: Infinity } : s)), now],
    ['negative cpu', good.map((s, i) => (i === 25 ? { ...s, cpu: -0.1 } : s)), now],
    ['unsorted', good.map((s, i) => (i === 10 ? { ...s, t: s.t + 600 } : s)), now],
    ['NaN time', good.map((s, i) => (i === 10 ? { ...s, t: Number.NaN } : s)), now],
    ['stale newest sample', good, now + MAX_SAMPLE_AGE_SECONDS + 1],
    ['newest sample in the future', good, now - 61],
    ['NaN now', good, Number.NaN],
  ])('%s → undefined', (_what, history, at) => {
    expect(extractFeatures(history, at)).toBeUndefined();
  });

  it('accepts a newest sample exactly MAX_SAMPLE_AGE_SECONDS old', () => {
    expect(extractFeatures(good, now + MAX_SAMPLE_AGE_SECONDS)).toBeDefined();
  });
});

describe('targetIndex', () => {
  const series = [0, 60, 130, 290, 370, 700].map((s) => ({ t: T0 + s, cpu: 0, mem: 0 }));

  it('picks the sample nearest to t + horizon within the tolerance', () => {
    // From t=0 the goal is 300: 290 (10 s off) beats 370 (70 s off).
    expect(targetIndex(series, 0, 300, 60)).toBe(3);
    // From t=60 the goal is 360: 370 (10 s off).
    expect(targetIndex(series, 1, 300, 60)).toBe(4);
  });

  it('gives undefined when no sample is within the tolerance', () => {
    // From t=130 the goal is 430: nearest is 370, 60 s off; with 59 s tolerance there is none.
    expect(targetIndex(series, 2, 300, 59)).toBeUndefined();
    expect(targetIndex(series, 2, 300, 60)).toBe(4);
    expect(targetIndex(series, 5, 300, 60)).toBeUndefined();
  });
});
