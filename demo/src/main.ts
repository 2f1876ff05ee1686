/**
 * `npm run demo`: trains the predictor on the shared traces, serves it with the extender, and
 * replays a trace-driven workload with and without it. Progress goes to stderr (pino), the
 * comparison table to stdout, the full result to reports/demo.json.
 */
import pino from 'pino';
import { USAGE, UsageError, parseDemoArgs } from './args.js';
import { defaultWorkDir, runDemo } from './run.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseDemoArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  const log = pino({ name: 'demo', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  log.info({ seed: args.seed, hours: args.hours, dataDir: args.dataDir }, 'demo starting');
  const { table } = await runDemo({ ...args, workDir: defaultWorkDir(args.out), log });
  process.stdout.write(`${table}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
