/**
 * Reader for Alibaba cluster-trace-v2018 `machine_usage` (see
 * /work/shared/data/alibaba-v2018-machines/PROVENANCE.md for the columns).
 *
 * Quirks handled: a header row may or may not be present (the original has none); sampling is
 * irregular (~60 s median); cpu and memory are integer percent and become fractions; `time_stamp`
 * counts seconds from the trace start, so a fixed offset turns it into unix-like seconds;
 * `disk_io_percent` of −1 or 101 marks an invalid value (counted as a note, the row's cpu and
 * memory are still good); `net_in`/`net_out` are cumulative counters and are not read, because a
 * {@link NodeSample} carries cpu and memory only.
 */
import { describeInput, readLineBatches, type TraceInput } from './lines.js';
import {
  PROGRESS_EVERY_ROWS,
  ReasonCounter,
  SeriesSelector,
  parseDecimal,
  type TraceReadOptions,
  type TraceReadResult,
} from './read-report.js';

/**
 * Added to Alibaba's trace-relative `time_stamp` so samples carry unix-like seconds:
 * 2018-01-01T00:00:00Z. It is NOT the trace's real start, which Alibaba does not publish; no
 * feature depends on absolute time, so the choice only affects how time ranges are displayed.
 */
export const ALIBABA_2018_TIME_OFFSET_SECONDS = 1_514_764_800;

/** Column order of the original, header-less file. */
export const ALIBABA_2018_MACHINE_USAGE_COLUMNS = [
  'machine_id',
  'time_stamp',
  'cpu_util_percent',
  'mem_util_percent',
  'mem_gps',
  'mkpi',
  'net_in',
  'net_out',
  'disk_io_percent',
] as const;

/** File name of the slice in /work/shared/data/alibaba-v2018-machines. */
export const ALIBABA_2018_MACHINE_USAGE_FILE = 'machine_usage_m1932-m1942.csv.gz';

function percent(
  field: string | undefined,
  name: string,
  skipped: ReasonCounter,
): number | undefined {
  const v = parseDecimal(field);
  if (v === undefined) skipped.add(`${name}_missing`);
  else if (Number.isNaN(v)) skipped.add(`${name}_not_numeric`);
  else if (v < 0 || v > 100) skipped.add(`${name}_out_of_range`);
  else return v / 100;
  return undefined;
}

/** Streams `machine_usage` into per-machine series. */
export async function readAlibaba2018MachineUsage(
  input: TraceInput,
  options: TraceReadOptions & { readonly timeOffsetSeconds?: number } = {},
): Promise<TraceReadResult> {
  const offset = options.timeOffsetSeconds ?? ALIBABA_2018_TIME_OFFSET_SECONDS;
  const selector = new SeriesSelector(options);
  const { series } = selector;
  const skipped = new ReasonCounter();
  const notes = new ReasonCounter();
  let rowsRead = 0;
  let samples = 0;
  let truncated = false;
  let first = true;

  reading: for await (const batch of readLineBatches(input)) {
    for (const line of batch) {
      if (first) {
        first = false;
        // The shared copy has a header; the original file does not.
        if (line.startsWith('machine_id')) continue;
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
      if (f.length !== ALIBABA_2018_MACHINE_USAGE_COLUMNS.length) {
        skipped.add('column_count');
        continue;
      }
      const id = (f[0] as string).trim();
      if (id === '') {
        skipped.add('missing_machine_id');
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

      const ts = parseDecimal(f[1]);
      if (ts === undefined || !Number.isFinite(ts) || ts < 0) {
        skipped.add('bad_timestamp');
        continue;
      }
      const cpu = percent(f[2], 'cpu', skipped);
      if (cpu === undefined) continue;
      const mem = percent(f[3], 'mem', skipped);
      if (mem === undefined) continue;

      const t = ts + offset;
      const prev = samplesOf[samplesOf.length - 1];
      if (prev && t <= prev.t) {
        skipped.add(t === prev.t ? 'duplicate_timestamp' : 'time_out_of_order');
        continue;
      }
      const disk = parseDecimal(f[8]);
      if (disk === -1 || disk === 101) notes.add('disk_io_invalid');

      samplesOf.push({ t, cpu, mem });
      samples++;
    }
  }

  for (const [id, s] of series) if (s.length === 0) series.delete(id);
  options.onProgress?.({ rowsRead, series: series.size });
  return {
    series,
    report: {
      format: 'alibaba2018',
      file: describeInput(input),
      rowsRead,
      samples,
      series: series.size,
      skipped: skipped.counts,
      notes: notes.counts,
      truncated,
    },
  };
}
