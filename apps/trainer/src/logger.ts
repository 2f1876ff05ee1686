import pino, { type Logger } from 'pino';

/** Structured logs to stderr, so stdout stays free for the report table. */
export function createLogger(name: string): Logger {
  return pino({ name, level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
}
