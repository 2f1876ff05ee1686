/**
 * `mlsched-trainer train …`: argument parsing and the run, separate from the process entry so
 * tests drive it in-process.
 */
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { createLogger } from './logger.js';
import { formatReportTable } from './report.js';
import { SOURCE_KINDS, type SourceKind, type TrainingSource } from './sources.js';
import { trainNodeLoadModel, type TrainOptions } from './train.js';

export const USAGE = `usage: mlsched-trainer train --source alibaba2018|bitbrains|synthetic|prometheus [options]

data
  --data-dir DIR            directory with alibaba-v2018-machines/ and bitbrains-rnd/
                            (default: $MLSCHED_DATA_DIR or ../shared/data beside the repo)
  --file FILE               read this trace file instead of the shared slice
  --max-series N            read only the first N series of a trace
  --max-rows-per-series N   keep only the first N samples of each series
  --prometheus-url URL      Prometheus to query (source prometheus)
  --range DURATION          how far back to query, e.g. 6h, 7d (default 24h)
  --end TIME                end of the range: unix seconds or ISO time (default now)
  --step SECONDS            query resolution (default 60)
  --cpu-query PROMQL        per-node CPU utilisation 0..1 (default from node-exporter)
  --memory-query PROMQL     per-node memory utilisation 0..1 (default from node-exporter)
  --series-label LABEL      label naming the node in both queries (default instance)
  --nodes N --days D --seed N   shape of the synthetic trace (default 6 nodes, 2 days, seed 1)

training
  --max-train-rows N        subsample training rows beyond N (default 200000)
  --target delta|level      what the boosters predict (default delta)
  --rounds N                boosting rounds (default 250)

output
  --out DIR                 base directory for models/ and reports/ (default .)
  --models-dir DIR          where models/<version>.json goes
  --reports-dir DIR         where reports/trainer-<source>.json goes
  --serving-model PATH      the served model: replaced by the new one only if that beats it
  --compare-with PATH       the served model, compared against but never written (a pinned
                            release); without either, a model must beat the last value
  --rejected-dir DIR        where an unpublished artifact goes (default: rejected/ beside
                            the models dir)
`;

class UsageError extends Error {}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `90s`, `15m`, `6h`, `7d`, `2w` → seconds. */
export function parseDuration(text: string, flag = '--range'): number {
  const m = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: "${text}" is not a duration like 30m, 6h or 7d`);
  return Number(m[1]) * (UNITS[m[2] as string] as number);
}

function positive(text: string | undefined, flag: string, integer = true): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new UsageError(`${flag}: "${text}" is not a positive ${integer ? 'integer' : 'number'}`);
  }
  return v;
}

function parseTime(text: string, flag: string): number {
  const asNumber = Number(text);
  if (text.trim() !== '' && Number.isFinite(asNumber)) return asNumber;
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new UsageError(`${flag}: "${text}" is neither unix seconds nor an ISO time`);
  return ms / 1000;
}

/** Turns `train …` arguments into {@link TrainOptions}; throws a usage error naming the flag. */
export function parseTrainArgs(
  argv: readonly string[],
  nowSeconds = Date.now() / 1000,
): TrainOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      source: { type: 'string' },
      'data-dir': { type: 'string' },
      file: { type: 'string' },
      'max-series': { type: 'string' },
      'max-rows-per-series': { type: 'string' },
      'prometheus-url': { type: 'string' },
      range: { type: 'string' },
      end: { type: 'string' },
      step: { type: 'string' },
      'cpu-query': { type: 'string' },
      'memory-query': { type: 'string' },
      'series-label': { type: 'string' },
      nodes: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      'max-train-rows': { type: 'string' },
      target: { type: 'string' },
      rounds: { type: 'string' },
      out: { type: 'string' },
      'models-dir': { type: 'string' },
      'reports-dir': { type: 'string' },
      'serving-model': { type: 'string' },
      'compare-with': { type: 'string' },
      'rejected-dir': { type: 'string' },
    },
  });
  if (positionals[0] !== 'train' || positionals.length !== 1) {
    throw new UsageError(`expected the command "train", got "${positionals.join(' ')}"`);
  }
  const kind = values.source as SourceKind | undefined;
  if (!kind || !SOURCE_KINDS.includes(kind)) {
    throw new UsageError(`--source must be one of ${SOURCE_KINDS.join(', ')}, got "${kind ?? ''}"`);
  }

  let source: TrainingSource;
  if (kind === 'alibaba2018' || kind === 'bitbrains') {
    source = {
      kind,
      dataDir: values['data-dir'],
      file: values.file,
      maxSeries: positive(values['max-series'], '--max-series'),
      maxRowsPerSeries: positive(values['max-rows-per-series'], '--max-rows-per-series'),
    };
  } else if (kind === 'synthetic') {
    const days = positive(values.days, '--days', false) ?? 2;
    source = {
      kind,
      nodes: positive(values.nodes, '--nodes') ?? 6,
      durationSeconds: days * 86_400,
      seed: values.seed === undefined ? 1 : Number(values.seed),
    };
    if (!Number.isInteger(source.seed))
      throw new UsageError(`--seed: "${values.seed}" is not an integer`);
  } else {
    const url = values['prometheus-url'];
    if (!url) throw new UsageError('--prometheus-url is required with --source prometheus');
    try {
      new URL(url);
    } catch {
      throw new UsageError(`--prometheus-url: "${url}" is not a URL`);
    }
    const end = values.end === undefined ? Math.floor(nowSeconds) : parseTime(values.end, '--end');
    const range = parseDuration(values.range ?? '24h');
    source = {
      kind,
      url,
      start: end - range,
      end,
      stepSeconds: positive(values.step, '--step') ?? 60,
      cpuQuery: values['cpu-query'],
      memoryQuery: values['memory-query'],
      seriesLabel: values['series-label'],
    };
  }

  const target = values.target ?? 'delta';
  if (target !== 'delta' && target !== 'level')
    throw new UsageError(`--target must be delta or level, got "${target}"`);
  const rounds = positive(values.rounds, '--rounds');
  if (values['serving-model'] !== undefined && values['compare-with'] !== undefined)
    throw new UsageError('--serving-model and --compare-with are exclusive: give one served model');
  return {
    source,
    outDir: values.out,
    modelsDir: values['models-dir'],
    reportsDir: values['reports-dir'],
    servingModelPath: values['serving-model'],
    compareWithPath: values['compare-with'],
    rejectedDir: values['rejected-dir'],
    maxTrainRows: positive(values['max-train-rows'], '--max-train-rows'),
    target,
    ...(rounds ? { params: { rounds } } : {}),
  };
}

export interface CliIo {
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  readonly logger?: Logger;
}

/** Runs the command; resolves to the process exit code (0 ok, 1 failed, 2 usage). */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => process.stderr.write(t));
  if (argv.includes('--help') || argv.includes('-h')) {
    out(USAGE);
    return 0;
  }
  let options: TrainOptions;
  try {
    options = parseTrainArgs(argv);
  } catch (e) {
    // parseArgs reports unknown or malformed flags with its own error codes.
    const code = (e as { code?: unknown }).code;
    if (
      !(e instanceof UsageError) &&
      !(typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
    ) {
      throw e;
    }
    err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const log = io.logger ?? createLogger('trainer');
  try {
    const { report } = await trainNodeLoadModel({ ...options, logger: log });
    out(`${formatReportTable(report)}\n`);
    return 0;
  } catch (e) {
    log.error({ err: e, source: options.source.kind }, 'training failed');
    err(`training failed: ${(e as Error).message}\n`);
    return 1;
  }
}
