import pino, { type LogFn } from 'pino';

/** The part of a pino (or fastify) logger the extender's modules use. */
export interface Log {
  readonly error: LogFn;
  readonly warn: LogFn;
  readonly info: LogFn;
  readonly debug: LogFn;
}

/** A logger that drops everything; the default for modules built without one. */
export const silentLog: Log = pino({ level: 'silent' });

/**
 * Lets a recurring condition be logged once per interval instead of once per request or per
 * refresh, so a degraded-but-serving state is visible without flooding the log.
 */
export class LogLimiter {
  private readonly last = new Map<string, number>();

  constructor(private readonly intervalSeconds: number) {}

  /** True when `key` was not allowed within the last interval (by the given clock time). */
  allow(key: string, now: number): boolean {
    const previous = this.last.get(key);
    if (previous !== undefined && now - previous < this.intervalSeconds) return false;
    this.last.set(key, now);
    return true;
  }

  /** Forgets `key`, so the next occurrence is logged at once (after a recovery). */
  reset(key: string): void {
    this.last.delete(key);
  }
}
