/**
 * Command-line flags of the demo. Environment: `MLSCHED_DATA_DIR` (data directory when
 * `--data-dir` is not given), `LOG_LEVEL` (pino level for the progress log on stderr).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const USAGE = `usage: npm run demo -- [options]

  --seed N          seed of every random choice (default 1); same seed, same result
  --hours H         simulated hours to replay (default 4)
  --data-dir DIR    directory with the shared traces (default: $MLSCHED_DATA_DIR or
                    ../shared/data beside the repository)
  --synthetic       use the synthetic workload and training data even if traces exist
  --out FILE        JSON report (default reports/demo.json)
  --train-rows N    training rows for the model (default 60000)
`;

export interface DemoArgs {
  readonly seed: number;
  readonly hours: number;
  readonly dataDir: string;
  readonly synthetic: boolean;
  readonly out: string;
  readonly trainRows: number;
  readonly help: boolean;
}

/** A flag that cannot be used; the message names the flag and what is wrong. */
export class UsageError extends Error {}

/** The repository root, from `demo/src` (tests) or `demo/lib` (built). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MLSCHED_DATA_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'data');
}

export function parseDemoArgs(argv: readonly string[], env = process.env): DemoArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        seed: { type: 'string' },
        hours: { type: 'string' },
        'data-dir': { type: 'string' },
        synthetic: { type: 'boolean' },
        out: { type: 'string' },
        'train-rows': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }

  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new UsageError(`--seed: "${String(values.seed)}" is not an integer in 0..4294967295`);
  }
  const hours = values.hours === undefined ? 4 : Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 48) {
    throw new UsageError(`--hours: "${String(values.hours)}" is not a number in (0, 48]`);
  }
  const trainRows = values['train-rows'] === undefined ? 60_000 : Number(values['train-rows']);
  if (!Number.isInteger(trainRows) || trainRows < 1000) {
    throw new UsageError(
      `--train-rows: "${String(values['train-rows'])}" is not an integer >= 1000`,
    );
  }

  return {
    seed,
    hours,
    dataDir: resolve(values['data-dir'] ?? defaultDataDir(env)),
    synthetic: values.synthetic ?? false,
    out: resolve(values.out ?? resolve(REPO_ROOT, 'reports', 'demo.json')),
    trainRows,
    help: values.help ?? false,
  };
}
