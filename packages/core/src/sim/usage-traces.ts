/**
 * Streaming readers for the two usage traces the workload draws on: Bitbrains VM usage (usage
 * over provisioned, per VM) and Alibaba 2018 machine utilisation (per machine). Both give
 * `NodeSample`s with fractions, grouped by id and sorted by time.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { NodeSample } from '../types.js';

type Row = (col: string) => string;

async function readCsv(
  path: string,
  required: readonly string[],
  onRow: (row: Row, lineNo: number) => void,
): Promise<void> {
  const input = createReadStream(path);
  const stream = path.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let header: Map<string, number> | undefined;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    if (!header) {
      header = new Map(cells.map((c, i) => [c.trim(), i]));
      const missing = required.filter((c) => !header?.has(c));
      if (missing.length > 0) {
        throw new Error(`${path}: header lacks column(s) ${missing.join(', ')}`);
      }
      continue;
    }
    const h = header;
    onRow((col) => (cells[h.get(col) as number] ?? '').trim(), lineNo);
  }
  if (!header) throw new Error(`${path}: file is empty`);
}

function parseNum(path: string, lineNo: number, col: string, raw: string): number {
  // Number() reads the Java-style exponents (2.0948992E7) these traces contain.
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v)) {
    throw new Error(`${path}:${lineNo}: ${col} must be a number, got '${raw}'`);
  }
  return v;
}

function push(map: Map<string, NodeSample[]>, id: string, s: NodeSample): void {
  const list = map.get(id);
  if (list) list.push(s);
  else map.set(id, [s]);
}

function sortAll(map: Map<string, NodeSample[]>): Map<string, NodeSample[]> {
  for (const list of map.values()) list.sort((a, b) => a.t - b.t);
  return map;
}

/**
 * Bitbrains Rnd: per VM, `cpu = cpu_usage_mhz / cpu_capacity_provisioned_mhz` and
 * `mem = mem_usage_kb / mem_capacity_provisioned_kb`. Rows with `cpu_cores = 0` (VM not
 * provisioned at that time, capacities zero) are skipped, as are rows repeating the previous
 * timestamp of the same VM.
 */
export async function readBitbrainsUsage(path: string): Promise<Map<string, NodeSample[]>> {
  const out = new Map<string, NodeSample[]>();
  const cols = [
    'vm_id',
    'timestamp',
    'cpu_cores',
    'cpu_capacity_provisioned_mhz',
    'cpu_usage_mhz',
    'mem_capacity_provisioned_kb',
    'mem_usage_kb',
  ];
  const lastT = new Map<string, number>();
  await readCsv(path, cols, (row, lineNo) => {
    const n = (col: string): number => parseNum(path, lineNo, col, row(col));
    if (n('cpu_cores') === 0) return;
    const cpuCap = n('cpu_capacity_provisioned_mhz');
    const memCap = n('mem_capacity_provisioned_kb');
    if (cpuCap <= 0 || memCap <= 0) return;
    const id = row('vm_id');
    const t = n('timestamp');
    if (lastT.get(id) === t) return;
    lastT.set(id, t);
    push(out, id, { t, cpu: n('cpu_usage_mhz') / cpuCap, mem: n('mem_usage_kb') / memCap });
  });
  return sortAll(out);
}

/** Alibaba 2018 machine_usage: per machine, CPU and memory utilisation percent / 100. */
export async function readAlibabaMachineUsage(path: string): Promise<Map<string, NodeSample[]>> {
  const out = new Map<string, NodeSample[]>();
  const cols = ['machine_id', 'time_stamp', 'cpu_util_percent', 'mem_util_percent'];
  await readCsv(path, cols, (row, lineNo) => {
    const n = (col: string): number => parseNum(path, lineNo, col, row(col));
    push(out, row('machine_id'), {
      t: n('time_stamp'),
      cpu: n('cpu_util_percent') / 100,
      mem: n('mem_util_percent') / 100,
    });
  });
  return sortAll(out);
}
