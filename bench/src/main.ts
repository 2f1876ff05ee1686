/**
 * `node --expose-gc bench/lib/main.js [--quick] [--out DIR] [--model FILE] [--sizes 100,500]`.
 * Progress goes to stderr (pino), the markdown table to stdout; the report is written to
 * `<out>/bench.md`, `<out>/bench.json` and `<out>/bench.svg` (default: the repository's
 * reports/).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { DEFAULT_OPTIONS, QUICK_OPTIONS, runBench, type BenchOptions } from './run.js';
import { writeReport } from './write.js';

const USAGE = `usage: node --expose-gc bench/lib/main.js [options]

  --quick         a handful of iterations of everything (seconds, not minutes)
  --out DIR       where bench.md, bench.json and bench.svg go (default: reports/)
  --model FILE    serve this model artifact instead of training one on synthetic load
  --sizes LIST    X11 node counts, comma-separated (default: 100,500,1000)
  --help
`;

class UsageError extends Error {}

function parseSizes(text: string): number[] {
  const sizes = text.split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 20_000)) {
    throw new UsageError(
      `--sizes must be integers from 1 to 20000 separated by commas, got '${text}'`,
    );
  }
  return sizes;
}

function options(argv: readonly string[]): { bench: BenchOptions; out: string } | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean' },
        out: { type: 'string' },
        model: { type: 'string' },
        sizes: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values } = parsed;
  if (values.help) return undefined;
  const base = values.quick ? QUICK_OPTIONS : DEFAULT_OPTIONS;
  const bench: BenchOptions = {
    ...base,
    ...(values.sizes !== undefined ? { sizes: parseSizes(values.sizes) } : {}),
    ...(values.model !== undefined ? { modelPath: resolve(values.model) } : {}),
  };
  const out = resolve(values.out ?? resolve(__dirname, '..', '..', 'reports'));
  return { bench, out };
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = options(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (!parsed) {
    process.stdout.write(USAGE);
    return 0;
  }

  const log = pino({ name: 'bench', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  log.info({ sizes: parsed.bench.sizes, out: parsed.out }, 'bench starting');
  const report = await runBench(parsed.bench, log);
  const { markdown, files } = await writeReport(report, parsed.out);
  log.info({ files, seconds: report.meta.durationSeconds }, 'bench done');
  process.stdout.write(`${markdown}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
