/**
 * Seeded pseudo-random numbers for the simulator. Every random choice in a replay (which trace
 * pod starts the window, which VM a pod's usage follows, tie-breaks between equal scores) draws
 * from one of these, so the same seed gives the same replay, byte for byte.
 *
 * The generator is the 32-bit "mulberry" construction: small, fast and good enough for
 * sampling; it is not meant for anything security-related.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** Uniform in [min, max). */
  range(min: number, max: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

/** A generator for `seed`. Seeds are taken modulo 2^32; non-integers are rejected. */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) {
    throw new Error(`seed must be an integer, got ${String(seed)}`);
  }
  let state = seed >>> 0;

  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };

  return {
    next,
    int(maxExclusive: number): number {
      if (!Number.isInteger(maxExclusive) || maxExclusive <= 0) {
        throw new Error(`maxExclusive must be a positive integer, got ${String(maxExclusive)}`);
      }
      return Math.floor(next() * maxExclusive);
    },
    range(min: number, max: number): number {
      return min + (max - min) * next();
    },
    normal(): number {
      // 1 - next() is in (0, 1], so the log never sees zero.
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}

/**
 * Derives an independent seed for one purpose (`label`) from the run's seed, so adding a random
 * draw in one part of the replay does not shift every draw in another.
 */
export function deriveSeed(seed: number, label: string): number {
  // FNV-1a over the label, folded with the seed.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
