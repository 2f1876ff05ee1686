/**
 * Reader for the GWA-T-12 Bitbrains "Rnd" trace as stored in /work/shared/data/bitbrains-rnd
 * (one CSV for many VMs, a `vm_id` column, a header; see its PROVENANCE.md).
 *
 * Quirks handled: numbers may be in Java scientific notation (`2.0948992E7`); timestamps are
 * unix seconds (the original header's "[ms]" is wrong) at ~300 s steps; some rows repeat the
 * previous timestamp (the first usable one is kept); rows with `cpu_cores = 0` or a zero
 * provisioned capacity come from a VM that is not reporting and are skipped, never read as 0 %
 * load. Utilisation is usage over provisioned capacity for both CPU (MHz) and memory (KB).
 */
import { MAX_VALID_UTILISATION } from '../features.js';
import { describeInput, readLineBatches, type TraceInput } from './lines.js';
import {
  PROGRESS_EVERY_ROWS,
  ReasonCounter,
  SeriesSelector,
  parseDecimal,
  type TraceReadOptions,
  type TraceReadResult,
} from './read-report.js';

/** File name of the slice in /work/shared/data/bitbrains-rnd. */
export const BITBRAINS_RND_FILE = 'bitbrains_rnd_2013-07_vm001-100.csv.gz';

const REQUIRED = [
  'vm_id',
  'timestamp',
  'cpu_cores',
  'cpu_capacity_provisioned_mhz',
  'cpu_usage_mhz',
  'mem_capacity_provisioned_kb',
  'mem_usage_kb',
] as const;
type Column = (typeof REQUIRED)[number];

/** Streams the Bitbrains CSV into per-VM series. Throws when a required column is missing. */
export async function readBitbrainsRnd(
  input: TraceInput,
  options: TraceReadOptions = {},
): Promise<TraceReadResult> {
  const selector = new SeriesSelector(options);
  const { series } = selector;
  const skipped = new ReasonCounter();
  let rowsRead = 0;
  let samples = 0;
  let truncated = false;
  let col: Record<Column, number> | undefined;
  let width = 0;

  reading: for await (const batch of readLineBatches(input)) {
    for (const line of batch) {
      if (!col) {
        const names = line.split(',').map((s) => s.trim());
        const missing = REQUIRED.filter((c) => !names.includes(c));
        if (missing.length > 0) {
          throw new Error(
            `${describeInput(input)}: header lacks column(s) ${missing.join(', ')}; ` +
              `expected the shared copy's header with ${REQUIRED.join(', ')}`,
          );
        }
        col = Object.fromEntries(REQUIRED.map((c) => [c, names.indexOf(c)])) as Record<
          Column,
          number
        >;
        width = names.length;
        continue;
      }
      if (line.trim() === '') continue;
      if (options.maxRows !== undefined && rowsRead >= options.maxRows) {
        truncated = true;
        break reading;
      }
      rowsRead++;
      if (options.onProgress && rowsRead % PROGRESS_EVERY_ROWS === 0) {
        options.onProgress({ rowsRead, series: series.size });
      }

      const f = line.split(',');
      if (f.length !== width) {
        skipped.add('column_count');
        continue;
      }
      const id = (f[col.vm_id] as string).trim();
      if (id === '') {
        skipped.add('missing_vm_id');
        continue;
      }
      const samplesOf = selector.take(id);
      if (samplesOf === 'stop') {
        rowsRead--;
        truncated = true;
        break reading;
      }
      if (typeof samplesOf === 'string') {
        skipped.add(samplesOf);
        continue;
      }

      const t = parseDecimal(f[col.timestamp]);
      if (t === undefined || !Number.isFinite(t) || t <= 0) {
        skipped.add('bad_timestamp');
        continue;
      }
      let bad: string | undefined;
      const value = (c: Column): number => {
        const v = parseDecimal(f[(col as Record<Column, number>)[c]]);
        if (v === undefined || !Number.isFinite(v)) {
          bad ??= `${c}_${v === undefined ? 'missing' : 'not_numeric'}`;
          return NaN;
        }
        return v;
      };
      const cores = value('cpu_cores');
      const cpuCap = value('cpu_capacity_provisioned_mhz');
      const cpuUsed = value('cpu_usage_mhz');
      const memCap = value('mem_capacity_provisioned_kb');
      const memUsed = value('mem_usage_kb');
      if (bad) {
        skipped.add(bad);
        continue;
      }
      if (cores <= 0 || cpuCap <= 0 || memCap <= 0) {
        skipped.add('not_reporting');
        continue;
      }
      if (cpuUsed < 0 || memUsed < 0) {
        skipped.add('negative_usage');
        continue;
      }
      const cpu = cpuUsed / cpuCap;
      const mem = memUsed / memCap;
      if (cpu > MAX_VALID_UTILISATION || mem > MAX_VALID_UTILISATION) {
        skipped.add('utilisation_out_of_range');
        continue;
      }

      const prev = samplesOf[samplesOf.length - 1];
      if (prev && t <= prev.t) {
        skipped.add(t === prev.t ? 'duplicate_timestamp' : 'time_out_of_order');
        continue;
      }
      samplesOf.push({ t, cpu, mem });
      samples++;
    }
  }

  if (!col) throw new Error(`${describeInput(input)}: empty file, no header`);
  for (const [id, s] of series) if (s.length === 0) series.delete(id);
  options.onProgress?.({ rowsRead, series: series.size });
  return {
    series,
    report: {
      format: 'bitbrains',
      file: describeInput(input),
      rowsRead,
      samples,
      series: series.size,
      skipped: skipped.counts,
      notes: {},
      truncated,
    },
  };
}
