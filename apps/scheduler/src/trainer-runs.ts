/**
 * Reads the trainer's run records from the model store in the background and keeps a summary per
 * model for the `mlsched_trainer_*` series. The trainer runs as a CronJob whose pod is gone
 * before Prometheus could scrape it; each run leaves a record (format in @mlsched/core
 * `trainer-run.ts`) in `/models/<model>/reports`, which the extender mounts read-only.
 *
 * Never on the request path: a timer lists each directory and reads only files it has not seen.
 * A record is written once, atomically, so a file read is not read again, unless it was refused
 * and has changed since. A refused record (not JSON, a field missing or wrong) is counted and
 * skipped with a warning naming the file; nothing in a record can stop the extender.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  parseTrainerRunRecord,
  TRAINER_RUN_FILE,
  TRAINER_RUN_RESULTS,
  type TrainerRunRecord,
  type TrainerRunResult,
} from '@mlsched/core';
import { systemClock, type Clock } from './clock.js';
import { LogLimiter, silentLog, type Log } from './log.js';

/** A model and the directory its trainer writes run records into. */
export interface TrainerReportsDir {
  readonly model: string;
  readonly dir: string;
}

export interface TrainerRunReaderProps {
  readonly dirs: readonly TrainerReportsDir[];
  /** Seconds between two reads of the directories. */
  readonly refreshSeconds: number;
  readonly log?: Log;
  /** @default systemClock (for spacing repeated warnings) */
  readonly clock?: Clock;
}

/** What the records of one model say. */
export interface ModelRunSummary {
  readonly model: string;
  readonly dir: string;
  /** Records read since start, by result; they only grow (pruned files stay counted). */
  readonly runs: Readonly<Record<TrainerRunResult, number>>;
  /** The run that ended last, whatever its result. */
  readonly last: TrainerRunRecord | undefined;
  /** The published run that ended last. */
  readonly lastSuccess: TrainerRunRecord | undefined;
  /** Records refused since start. */
  readonly refused: number;
}

interface SeenFile {
  readonly mtimeMs: number;
  readonly refused: boolean;
}

class ModelRuns {
  readonly runs: Record<TrainerRunResult, number> = { published: 0, rejected: 0, failed: 0 };
  last: TrainerRunRecord | undefined;
  lastSuccess: TrainerRunRecord | undefined;
  refused = 0;
  readonly seen = new Map<string, SeenFile>();

  constructor(
    readonly model: string,
    readonly dir: string,
  ) {}

  add(record: TrainerRunRecord): void {
    this.runs[record.result]++;
    if (!this.last || endedAt(record) >= endedAt(this.last)) this.last = record;
    if (
      record.result === 'published' &&
      (!this.lastSuccess || endedAt(record) >= endedAt(this.lastSuccess))
    ) {
      this.lastSuccess = record;
    }
  }
}

const endedAt = (r: TrainerRunRecord): number => Date.parse(r.endedAt);

/** Unix seconds a record's run ended. */
export function runEndSeconds(record: TrainerRunRecord): number {
  return endedAt(record) / 1000;
}

export class TrainerRunReader {
  private readonly models: ModelRuns[];
  private readonly log: Log;
  private readonly clock: Clock;
  private readonly limiter = new LogLimiter(600);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly props: TrainerRunReaderProps) {
    if (!(props.refreshSeconds > 0)) throw new RangeError('refreshSeconds must be > 0');
    this.models = props.dirs.map((d) => new ModelRuns(d.model, d.dir));
    this.log = props.log ?? silentLog;
    this.clock = props.clock ?? systemClock;
  }

  /** Reads now, then every `refreshSeconds`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = (): void => {
      if (this.stopped) return;
      void this.refresh().finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(loop, this.props.refreshSeconds * 1000);
        // A pending read must not keep a stopping process alive.
        this.timer.unref();
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Reads every directory once; never throws (problems are logged and counted). */
  refresh(): Promise<void> {
    if (!this.running) {
      this.running = (async () => {
        for (const model of this.models) await this.readModel(model);
      })().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  summaries(): ModelRunSummary[] {
    return this.models.map((m) => ({
      model: m.model,
      dir: m.dir,
      runs: { ...m.runs },
      last: m.last,
      lastSuccess: m.lastSuccess,
      refused: m.refused,
    }));
  }

  private async readModel(model: ModelRuns): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(model.dir)).filter((f) => TRAINER_RUN_FILE.test(f));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const now = this.clock.now();
      if (code === 'ENOENT') {
        // Normal until the first run of a new model has finished.
        if (this.limiter.allow(`missing:${model.dir}`, now)) {
          this.log.info({ model: model.model, dir: model.dir }, 'no trainer run records yet');
        }
      } else if (this.limiter.allow(`unreadable:${model.dir}`, now)) {
        this.log.warn(
          { model: model.model, dir: model.dir, error: (err as Error).message },
          'trainer reports directory unreadable',
        );
      }
      return;
    }

    const present = new Set(names);
    for (const name of model.seen.keys()) {
      if (!present.has(name)) model.seen.delete(name);
    }
    // Oldest first, so `last` ends on the newest even when end times tie.
    for (const name of names.sort()) await this.readRecord(model, name);
  }

  private async readRecord(model: ModelRuns, name: string): Promise<void> {
    const file = join(model.dir, name);
    const seen = model.seen.get(name);
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(file)).mtimeMs;
    } catch {
      return; // removed between listing and reading (the trainer prunes old records)
    }
    if (seen && (!seen.refused || seen.mtimeMs === mtimeMs)) return;

    let record: TrainerRunRecord;
    try {
      record = parseTrainerRunRecord(await readFile(file, 'utf8'), file);
    } catch (err) {
      model.refused++;
      model.seen.set(name, { mtimeMs, refused: true });
      this.log.warn(
        { model: model.model, file, error: (err as Error).message },
        'trainer run record refused',
      );
      return;
    }
    model.seen.set(name, { mtimeMs, refused: false });
    model.add(record);
  }
}

/** The results a record can have, for exporting every counter series from zero. */
export const RUN_RESULTS: readonly TrainerRunResult[] = TRAINER_RUN_RESULTS;
