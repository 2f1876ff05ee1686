/**
 * Reader for the pod list of Alibaba cluster-trace-gpu-v2023 ("OpenB"): Kubernetes pods with their
 * CPU/memory requests and creation, scheduling and deletion times (see the data set's
 * PROVENANCE.md). Streams the file line by line, so the size of the file does not matter.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/** One row of `openb_pod_list_*.csv`. */
export interface OpenbPod {
  readonly name: string;
  /** Requested CPU, millicores. */
  readonly cpuMilli: number;
  /** Requested memory, MiB. */
  readonly memoryMib: number;
  /** GPUs requested (the simulated cluster has none; kept for the record). */
  readonly numGpu: number;
  readonly qos: string;
  /** Final phase: Running, Succeeded, Failed or Pending. */
  readonly phase: string;
  /** Seconds since trace start. */
  readonly creationTime: number;
  readonly deletionTime: number;
  /** Undefined for pods the trace never scheduled. */
  readonly scheduledTime: number | undefined;
}

/** Deletion time the trace gives pods still running when it ends. */
export const OPENB_TRACE_END_SECONDS = 12_902_960;

const REQUIRED = [
  'name',
  'cpu_milli',
  'memory_mib',
  'num_gpu',
  'qos',
  'pod_phase',
  'creation_time',
  'deletion_time',
  'scheduled_time',
] as const;

/** Reads an OpenB pod list (plain or `.gz`). Throws naming the line and column of a bad value. */
export async function readOpenbPods(path: string): Promise<OpenbPod[]> {
  const input = createReadStream(path);
  const stream = path.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });

  const pods: OpenbPod[] = [];
  let header: Map<string, number> | undefined;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    if (!header) {
      header = new Map(cells.map((c, i) => [c.trim(), i]));
      const missing = REQUIRED.filter((c) => !header?.has(c));
      if (missing.length > 0) {
        throw new Error(`${path}: header lacks column(s) ${missing.join(', ')}`);
      }
      continue;
    }
    const cell = (col: (typeof REQUIRED)[number]): string =>
      (cells[header?.get(col) as number] ?? '').trim();
    const num = (col: (typeof REQUIRED)[number]): number => {
      const raw = cell(col);
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v) || v < 0) {
        throw new Error(`${path}:${lineNo}: ${col} must be a non-negative number, got '${raw}'`);
      }
      return v;
    };
    const scheduledRaw = cell('scheduled_time');
    pods.push({
      name: cell('name'),
      cpuMilli: num('cpu_milli'),
      memoryMib: num('memory_mib'),
      numGpu: num('num_gpu'),
      qos: cell('qos'),
      phase: cell('pod_phase'),
      creationTime: num('creation_time'),
      deletionTime: num('deletion_time'),
      scheduledTime: scheduledRaw === '' ? undefined : num('scheduled_time'),
    });
  }
  if (!header) throw new Error(`${path}: file is empty`);
  return pods;
}
