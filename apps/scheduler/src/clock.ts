/** Where the extender reads the time, so the demo can drive it with simulated time. */
export interface Clock {
  /** Unix time in seconds (fractions allowed). */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() / 1000 };

/** A clock that moves only when told to; for simulations and tests. */
export class ManualClock implements Clock {
  private t: number;

  constructor(start = 1_700_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Moves the clock forward by `seconds` (negative values are refused). */
  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new Error(`clock can only move forward, got ${seconds} seconds`);
    this.t += seconds;
  }

  set(t: number): void {
    if (!Number.isFinite(t)) throw new Error(`clock time must be finite, got ${t}`);
    this.t = t;
  }
}
