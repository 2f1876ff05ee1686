/**
 * Writes the record of each training run into the reports directory (format in @mlsched/core
 * `trainer-run.ts`), and keeps only the newest records so the directory, which the extender
 * lists every minute, stays small.
 */
import { mkdir, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TRAINER_RUN_FILE, trainerRunFileName, type TrainerRunRecord } from '@mlsched/core';
import type { Logger } from 'pino';

/** Records kept per reports directory: 50 days of the cluster's four runs a day. */
export const MAX_RUN_RECORDS = 200;

/**
 * Writes `record` as `run-<endedAt>.json` in `dir` atomically (the extender may read at any
 * moment), then removes the oldest records beyond `keep`. Resolves to the record's path.
 */
export async function writeRunRecord(
  dir: string,
  record: TrainerRunRecord,
  log: Logger,
  keep = MAX_RUN_RECORDS,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, trainerRunFileName(new Date(record.endedAt)));
  // The temporary name does not match TRAINER_RUN_FILE, so a reader never takes it for a record.
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(tmp, path);

  try {
    const records = (await readdir(dir)).filter((f) => TRAINER_RUN_FILE.test(f)).sort();
    // Names carry the end time in ISO order, so a plain sort is oldest first.
    for (const old of records.slice(0, Math.max(0, records.length - keep))) {
      await unlink(join(dir, old));
    }
  } catch (err) {
    log.warn({ err, dir }, 'old run records could not be removed');
  }
  return path;
}
