/**
 * The workload a replay runs: which pods arrive when, what they request, what they really use,
 * and each node's own background load.
 *
 * From the traces (`buildTraceWorkload`), documented choices:
 *
 * - Pods, requests and lifetimes: Alibaba cluster-trace-gpu-v2023 "OpenB" pod list.
 *   - Requests are scaled by worker / reference node, per resource. The reference node is the
 *     most common node shape in the OpenB node list (96 cores, 384 GiB: 596 of 1,523 nodes), so on
 *     the 16-core / 64 GiB workers both factors are 1/6: a pod that took 1/8 of a typical OpenB
 *     node takes 1/8 of a worker. Pods that still exceed a worker keep their size and count as
 *     "did not fit", as they would in a real cluster.
 *   - GPU requests are ignored (the simulated cluster has no GPUs); CPU and memory are kept.
 *   - Pods the trace never scheduled (phase Pending, empty `scheduled_time`) are left out: they
 *     never ran, their Pending state came from GPU constraints this cluster does not model, and
 *     they have no running time to replay. Their number is reported.
 *   - Running time = `deletion_time - scheduled_time`, in real seconds (not compressed). Pods
 *     still running when the trace ends have no known end and run until the replay ends.
 *   - Arrival times are compressed: a window of consecutive trace pods (its start drawn from the
 *     seed) is replayed with inter-arrival gaps divided by one factor, chosen so that the
 *     expected CPU requested (Σ request × time alive within the horizon ÷ horizon) is
 *     `targetRequestedShare` of the workers' CPU. Burstiness of arrivals is kept; only the rate
 *     changes. The factor is reported as trace seconds per simulated second.
 * - Actual pod usage: request × a usage ratio series from a Bitbrains Rnd VM
 *   (`cpu_usage_mhz / cpu_capacity_provisioned_mhz`, `mem_usage_kb / mem_capacity_provisioned_kb`;
 *   rows with `cpu_cores = 0` skipped), VM and starting offset drawn per pod from the seed, 300 s
 *   steps held between samples. Only VMs with at least a day of valid samples are used. The
 *   trace reader drops rows above 2× provisioned (artefacts: memory "used" reaches 52×); memory
 *   ratios between 1 and 2 are clipped to 1 (a VM cannot use more memory than it was given);
 *   CPU ratios are kept (they reach 1.06). Requests and usage thus differ as they do in
 *   production: most of this trace's VMs use a small share of what they were given.
 * - CPU usage level: Bitbrains VMs were provisioned for their peaks (mean CPU use is about 11 %
 *   of what they were given), while Kubernetes requests are often sized nearer typical use, and
 *   at 11 % no node of the replay ever runs hot, whatever the policy. Every VM's CPU ratio series
 *   is therefore multiplied by one factor and clipped at `MAX_CPU_USAGE_RATIO` (a limit of 2× the
 *   request), the factor chosen so that the mean over all VMs after clipping is
 *   `meanCpuUsageRatio` (default 0.5: pods use half their CPU request on average). Each VM
 *   keeps its own shape and its level relative to the others: light VMs stay light, bursty ones
 *   become pods that burst above their requests. The factor is reported
 *   (`cpuUsageScale`); `meanCpuUsageRatio: 0` keeps the raw ratios.
 * - Node background (OS, kubelet, system daemons): Alibaba 2018 machine utilisation, one machine
 *   per node, mapped linearly from 0..100 % to 5..15 % of the node (CPU and memory alike), so the
 *   daemons keep the machine's daily rhythm at a daemon's size.
 *
 * Without the trace files, `buildSyntheticWorkload` makes a documented synthetic workload instead
 * (see there); `loadWorkload` picks and reports which one was used.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { NodeSample, NodeSpec } from '../types.js';
import type { NodeBackground, SimPod } from './cluster-state.js';
import { type Rng, createRng, deriveSeed } from './rng.js';
import { type RatioSeries, toGrid } from './series.js';
import { OPENB_TRACE_END_SECONDS, type OpenbPod, readOpenbPods } from './openb.js';
import {
  type TraceReadReport,
  type TraceReadResult,
  readAlibaba2018MachineUsage,
  readBitbrainsRnd,
} from '../traces/index.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const DAY = 86_400;

/** A pod of the workload: a `SimPod` plus when it arrives. */
export interface WorkloadPod extends SimPod {
  /** Sim seconds at which the pod is created and first tries to get a node. */
  readonly arrivalSeconds: number;
  /** Trace QoS class (or the synthetic usage class). */
  readonly qos: string;
}

export type WorkloadSource = 'traces' | 'synthetic';

/** How the workload was built: the numbers a reader needs to judge the replay. */
export interface WorkloadSummary {
  readonly source: WorkloadSource;
  readonly seed: number;
  readonly horizonSeconds: number;
  /** Pods arriving within the horizon. */
  readonly pods: number;
  /** Pods in the trace file (or generated candidates). */
  readonly podsAvailable: number;
  /** Never-scheduled trace pods left out. */
  readonly pendingExcluded: number;
  /** Pods in the window whose GPU request was dropped. */
  readonly gpuRequestsIgnored: number;
  /** Pods in the window larger than one worker even when empty. */
  readonly largerThanAnyWorker: number;
  /** Pods still running at trace end, running to the end of the replay. */
  readonly runUntilEnd: number;
  /** Index of the first pod of the window among the usable pods. */
  readonly windowStart: number;
  /** Trace seconds replayed per simulated second. */
  readonly traceSecondsPerSimSecond: number;
  /** Expected share of worker CPU requested, averaged over the horizon. */
  readonly expectedRequestedShare: number;
  /** Factors applied to trace requests. */
  readonly requestScale: {
    readonly cpu: number;
    readonly mem: number;
    readonly referenceNode: string;
  };
  /** Mean of the pods' CPU usage ratios (usage / request) over their series. */
  readonly meanCpuUsageRatio: number;
  /** Factor applied to every trace CPU usage ratio (1 = raw trace, and for synthetic). */
  readonly cpuUsageScale: number;
  readonly usageSeries: number;
  readonly backgroundSeries: number;
  /** Usage or background values clipped as measurement artefacts. */
  readonly clippedValues: number;
  /** What the usage-trace readers skipped and why (empty for the synthetic workload). */
  readonly traceReports: readonly TraceReadReport[];
}

export interface Workload {
  readonly pods: readonly WorkloadPod[];
  readonly background: ReadonlyMap<string, NodeBackground>;
  readonly summary: WorkloadSummary;
}

export interface WorkloadProps {
  readonly seed: number;
  /** Replay horizon, hours. */
  readonly hours: number;
  /** The cluster the workload is sized for; untainted nodes are the workers. */
  readonly nodes: readonly NodeSpec[];
  /** Expected share of worker CPU requested, averaged over the horizon. @default 0.7 */
  readonly targetRequestedShare?: number;
}

/** Pods may burst to at most this multiple of their CPU request (their limit). */
export const MAX_CPU_USAGE_RATIO = 2;

export interface TraceWorkloadProps extends WorkloadProps {
  /**
   * Mean CPU usage / request over all usage series after rescaling; 0 keeps the trace's raw
   * ratios (about 0.11). See the module comment. @default 0.5
   */
  readonly meanCpuUsageRatio?: number;
  /** Directory holding `alibaba-gpu-v2023-openb/`, `bitbrains-rnd/`, `alibaba-v2018-machines/`. */
  readonly dataDir: string;
  /** Reading progress of the large usage traces. */
  readonly onProgress?: (progress: { file: string; rowsRead: number; series: number }) => void;
}

/** The trace files the workload reads, found by name pattern under `dataDir`. */
export interface TraceFiles {
  readonly openbPods: string;
  readonly openbNodes: string;
  readonly bitbrains: string;
  readonly alibabaMachines: string;
}

const PATTERNS: Record<keyof TraceFiles, [string, RegExp]> = {
  openbPods: ['alibaba-gpu-v2023-openb', /^openb_pod_list_.*\.csv(\.gz)?$/],
  openbNodes: ['alibaba-gpu-v2023-openb', /^openb_node_list_.*\.csv(\.gz)?$/],
  bitbrains: ['bitbrains-rnd', /^bitbrains_rnd_.*\.csv(\.gz)?$/],
  alibabaMachines: ['alibaba-v2018-machines', /^machine_usage_.*\.csv(\.gz)?$/],
};

/** Locates the trace files, or names every one that is missing. */
export function findTraceFiles(
  dataDir: string,
): { ok: true; files: TraceFiles } | { ok: false; missing: string[] } {
  const found: Partial<Record<keyof TraceFiles, string>> = {};
  const missing: string[] = [];
  for (const [key, [dir, re]] of Object.entries(PATTERNS) as [
    keyof TraceFiles,
    [string, RegExp],
  ][]) {
    const full = join(dataDir, dir);
    const name = existsSync(full)
      ? readdirSync(full)
          .sort()
          .find((f) => re.test(f))
      : undefined;
    if (name) found[key] = join(full, name);
    else missing.push(`${full}/${re.source}`);
  }
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, files: found as TraceFiles };
}

/** A candidate pod before the window is chosen: trace time axis, requests already scaled. */
interface Candidate {
  readonly name: string;
  readonly createdAt: number;
  readonly runSeconds: number;
  readonly cpuMilli: number;
  readonly memBytes: number;
  readonly qos: string;
  readonly gpu: boolean;
}

const BITBRAINS_STEP = 300;
const BACKGROUND_STEP = 60;
const MIN_USAGE_SLOTS = DAY / BITBRAINS_STEP;

/** The parsed trace files, read once and reusable for any seed or horizon. */
export interface TraceInputs {
  readonly files: TraceFiles;
  readonly openb: readonly OpenbPod[];
  readonly reference: { readonly cpuMilli: number; readonly memoryMib: number };
  readonly bitbrains: TraceReadResult;
  readonly alibaba: TraceReadResult;
}

/** Reads the three traces under `dataDir`. Throws naming a missing or malformed file. */
export async function readTraceInputs(
  dataDir: string,
  onProgress?: TraceWorkloadProps['onProgress'],
): Promise<TraceInputs> {
  const located = findTraceFiles(dataDir);
  if (!located.ok) {
    throw new Error(`trace files missing under ${dataDir}: ${located.missing.join(', ')}`);
  }
  const files = located.files;
  const [openb, reference, bitbrains, alibaba] = await Promise.all([
    readOpenbPods(files.openbPods),
    readReferenceNode(files.openbNodes),
    readBitbrainsRnd(files.bitbrains, {
      onProgress: onProgress && ((p) => onProgress({ file: files.bitbrains, ...p })),
    }),
    readAlibaba2018MachineUsage(files.alibabaMachines, {
      onProgress: onProgress && ((p) => onProgress({ file: files.alibabaMachines, ...p })),
    }),
  ]);
  return { files, openb, reference, bitbrains, alibaba };
}

/** Builds the workload from the three traces (read here unless `inputs` is given). */
export async function buildTraceWorkload(
  props: TraceWorkloadProps & { readonly inputs?: TraceInputs },
): Promise<Workload> {
  const { horizonSeconds, workers, target } = validate(props);
  const inputs = props.inputs ?? (await readTraceInputs(props.dataDir, props.onProgress));
  const { files, openb, reference, bitbrains, alibaba } = inputs;
  const vms = bitbrains.series;
  const machines = alibaba.series;

  const worker = workers[0] as NodeSpec;
  const cpuScale = (worker.cpuCores * 1000) / reference.cpuMilli;
  const memScale = worker.memoryBytes / (reference.memoryMib * MiB);
  const scheduled = openb.filter((p) => p.scheduledTime !== undefined);
  const candidates: Candidate[] = scheduled
    .map((p) => ({
      name: p.name,
      createdAt: p.creationTime,
      runSeconds:
        p.deletionTime >= OPENB_TRACE_END_SECONDS
          ? Infinity
          : Math.max(1, p.deletionTime - (p.scheduledTime as number)),
      cpuMilli: Math.max(1, Math.round(p.cpuMilli * cpuScale)),
      memBytes: Math.round(p.memoryMib * MiB * memScale),
      qos: p.qos,
      gpu: p.numGpu > 0,
    }))
    .sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : 1));

  let clipped = 0;
  const usage: RatioSeries[] = [];
  for (const id of [...vms.keys()].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : 1))) {
    const samples = vms.get(id) as NodeSample[];
    if (samples.length < MIN_USAGE_SLOTS) continue;
    const grid = toGrid(samples, { stepSeconds: BITBRAINS_STEP, maxCpu: 2, maxMem: 1 });
    clipped += grid.clipped;
    usage.push(grid.series);
  }
  if (usage.length === 0) throw new Error(`${files.bitbrains}: no VM has a day of valid samples`);
  const cpuUsageScale = rescaleCpuUsage(usage, props.meanCpuUsageRatio ?? 0.5);

  const backgrounds: RatioSeries[] = [];
  for (const id of [...machines.keys()].sort()) {
    const samples = machines.get(id) as NodeSample[];
    const span = (samples[samples.length - 1]?.t ?? 0) - (samples[0]?.t ?? 0);
    if (span < DAY) continue;
    const grid = toGrid(samples, {
      stepSeconds: BACKGROUND_STEP,
      maxCpu: 1,
      maxMem: 1,
      map: (u) => 0.05 + 0.1 * Math.min(Math.max(u, 0), 1),
    });
    clipped += grid.clipped;
    backgrounds.push(grid.series);
  }
  if (backgrounds.length === 0) {
    throw new Error(`${files.alibabaMachines}: no machine has a day of samples`);
  }

  return assemble({
    source: 'traces',
    seed: props.seed,
    nodes: props.nodes,
    workers,
    horizonSeconds,
    target,
    candidates,
    usage,
    backgrounds,
    podsAvailable: openb.length,
    pendingExcluded: openb.length - scheduled.length,
    traceReports: [bitbrains.report, alibaba.report],
    cpuUsageScale,
    requestScale: {
      cpu: cpuScale,
      mem: memScale,
      referenceNode: `${reference.cpuMilli / 1000} cores / ${reference.memoryMib / 1024} GiB`,
    },
    clipped,
  });
}

/**
 * A synthetic workload for when the traces are absent. Documented so its results are not
 * mistaken for trace results:
 *
 * - Arrivals: Poisson, with a daily rhythm (rate ×(1 ± 0.5) over 24 h), compressed onto the
 *   horizon like the trace path.
 * - Requests: CPU log-uniform 250 m..4 cores; memory 1..8 GiB per requested core (log-uniform).
 * - Running time: log-normal, median 15 min (σ = 1.5 in log space); 5 % run until the end.
 * - Usage classes (the mix real clusters show): 45 % over-requesting (use 10..40 % of the CPU
 *   request), 35 % close (60..95 %), 20 % under-requesting Burstable pods (110..180 %, up to a
 *   limit above the request). Each follows a daily sine (±30 %) with 10 % noise, 300 s steps.
 * - Background: 5..15 % CPU on a daily sine per node, 8..12 % memory.
 */
export function buildSyntheticWorkload(props: WorkloadProps): Workload {
  const { horizonSeconds, workers, target } = validate(props);
  const rng = createRng(deriveSeed(props.seed, 'synthetic'));

  const candidates: Candidate[] = [];
  let t = 0;
  for (let i = 0; i < 20_000; i++) {
    const rate = 1 + 0.5 * Math.sin((2 * Math.PI * t) / DAY);
    // Mean gap 60 s on the candidates' own time axis, so the daily rhythm spans many pods.
    t += (-Math.log(1 - rng.next()) * 60) / rate;
    const cores = Math.exp(rng.range(Math.log(0.25), Math.log(4)));
    const gibPerCore = Math.exp(rng.range(0, Math.log(8)));
    candidates.push({
      name: `synthetic-pod-${String(i).padStart(5, '0')}`,
      createdAt: t,
      runSeconds: rng.next() < 0.05 ? Infinity : Math.max(1, 900 * Math.exp(1.5 * rng.normal())),
      cpuMilli: Math.round(cores * 1000),
      memBytes: Math.round(cores * gibPerCore * GiB),
      qos: '',
      gpu: false,
    });
  }

  const usage: RatioSeries[] = [];
  const classes: [string, number, number][] = [];
  for (let i = 0; i < 100; i++) {
    const u = rng.next();
    const [name, lo, hi]: [string, number, number] =
      u < 0.45
        ? ['over-requesting', 0.1, 0.4]
        : u < 0.8
          ? ['close', 0.6, 0.95]
          : ['under', 1.1, 1.8];
    classes.push([name, lo, hi]);
    usage.push(dailySeries(rng, BITBRAINS_STEP, rng.range(lo, hi), rng.range(0.3, 0.9), [0, 2.5]));
  }
  const backgrounds: RatioSeries[] = [];
  for (let i = 0; i < props.nodes.length; i++) {
    backgrounds.push(
      dailySeries(rng, BACKGROUND_STEP, 0.1, rng.range(0.08, 0.12), [0.05, 0.15], 0.5),
    );
  }

  const workload = assemble({
    source: 'synthetic',
    seed: props.seed,
    nodes: props.nodes,
    workers,
    horizonSeconds,
    target,
    candidates,
    usage,
    backgrounds,
    podsAvailable: candidates.length,
    pendingExcluded: 0,
    requestScale: { cpu: 1, mem: 1, referenceNode: 'none (synthetic requests are worker-sized)' },
    clipped: 0,
  });
  // Label each pod with its usage class so the report can break results down by it.
  const pods = workload.pods.map((p) => ({
    ...p,
    qos: classes[usage.indexOf(p.usage as RatioSeries)]?.[0] ?? 'unknown',
  }));
  return { ...workload, pods };
}

export interface LoadWorkloadProps extends WorkloadProps {
  /** Where the traces are; undefined or missing files select the synthetic workload. */
  readonly dataDir?: string;
  /** Use the synthetic workload even when the traces are there. */
  readonly forceSynthetic?: boolean;
  readonly onProgress?: TraceWorkloadProps['onProgress'];
}

/** The trace workload when its files are there, else the synthetic one with the reason. */
export async function loadWorkload(
  props: LoadWorkloadProps,
): Promise<Workload & { readonly fallbackReason?: string }> {
  if (props.forceSynthetic) {
    return { ...buildSyntheticWorkload(props), fallbackReason: 'synthetic workload requested' };
  }
  if (props.dataDir === undefined) {
    return { ...buildSyntheticWorkload(props), fallbackReason: 'no data directory given' };
  }
  const located = findTraceFiles(props.dataDir);
  if (!located.ok) {
    return {
      ...buildSyntheticWorkload(props),
      fallbackReason: `trace files missing: ${located.missing.join(', ')}`,
    };
  }
  return buildTraceWorkload({ ...props, dataDir: props.dataDir });
}

function validate(props: WorkloadProps): {
  horizonSeconds: number;
  workers: NodeSpec[];
  target: number;
} {
  if (!Number.isInteger(props.seed)) {
    throw new Error(`seed must be an integer, got ${String(props.seed)}`);
  }
  if (!(props.hours > 0) || props.hours > 24 * 7) {
    throw new Error(`hours must be in (0, 168], got ${String(props.hours)}`);
  }
  const target = props.targetRequestedShare ?? 0.7;
  if (!(target > 0) || target > 1.5) {
    throw new Error(`targetRequestedShare must be in (0, 1.5], got ${String(target)}`);
  }
  const workers = props.nodes.filter((n) => !n.tainted);
  if (workers.length === 0) throw new Error('nodes holds no untainted (worker) node');
  return { horizonSeconds: Math.round(props.hours * 3600), workers, target };
}

interface AssembleInput {
  readonly source: WorkloadSource;
  readonly seed: number;
  readonly nodes: readonly NodeSpec[];
  readonly workers: readonly NodeSpec[];
  readonly horizonSeconds: number;
  readonly target: number;
  readonly candidates: readonly Candidate[];
  readonly usage: readonly RatioSeries[];
  readonly backgrounds: readonly RatioSeries[];
  readonly podsAvailable: number;
  readonly pendingExcluded: number;
  readonly traceReports?: readonly TraceReadReport[];
  readonly requestScale: WorkloadSummary['requestScale'];
  readonly cpuUsageScale?: number;
  readonly clipped: number;
}

/**
 * Multiplies every series' CPU ratios by one factor, clipped at MAX_CPU_USAGE_RATIO, so that their
 * overall mean after clipping is `targetMean`; returns the factor (1 when `targetMean` is 0).
 */
export function rescaleCpuUsage(series: readonly RatioSeries[], targetMean: number): number {
  if (targetMean === 0) return 1;
  if (!(targetMean > 0) || targetMean >= MAX_CPU_USAGE_RATIO) {
    throw new Error(
      `meanCpuUsageRatio must be 0 (raw) or in (0, ${MAX_CPU_USAGE_RATIO}), got ${String(targetMean)}`,
    );
  }
  const clippedMean = (factor: number): number => {
    let sum = 0;
    let n = 0;
    for (const s of series) {
      for (const v of s.cpu) sum += Math.min(MAX_CPU_USAGE_RATIO, v * factor);
      n += s.cpu.length;
    }
    return n === 0 ? 0 : sum / n;
  };
  if (!(clippedMean(1) > 0)) throw new Error('the usage series hold no CPU use to rescale');
  // The clipped mean grows monotonically with the factor: bisect it.
  let lo = 0;
  let hi = 1;
  while (clippedMean(hi) < targetMean) hi *= 2;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (clippedMean(mid) < targetMean) lo = mid;
    else hi = mid;
  }
  for (const s of series) {
    for (let i = 0; i < s.cpu.length; i++) {
      s.cpu[i] = Math.min(MAX_CPU_USAGE_RATIO, (s.cpu[i] as number) * hi);
    }
  }
  return hi;
}

/** Chooses the window and compression, draws usage and background, and builds the pods. */
function assemble(input: AssembleInput): Workload {
  const rng = createRng(deriveSeed(input.seed, `workload-${input.source}`));
  const H = input.horizonSeconds;
  const workerCpu = input.workers.reduce((a, n) => a + n.cpuCores * 1000, 0);
  const maxWorkerCpu = Math.max(...input.workers.map((n) => n.cpuCores * 1000));
  const maxWorkerMem = Math.max(...input.workers.map((n) => n.memoryBytes));
  const fits = (c: Candidate): boolean => c.cpuMilli <= maxWorkerCpu && c.memBytes <= maxWorkerMem;

  // The window starts in the first 60 % of the pods so that enough follow it to fill any horizon.
  const all = input.candidates;
  if (all.length < 2) throw new Error('the workload needs at least two candidate pods');
  const start = rng.int(Math.max(1, Math.floor(all.length * 0.6)));
  const t0 = (all[start] as Candidate).createdAt;

  const share = (k: number): number => {
    let sum = 0;
    for (let i = start; i < all.length; i++) {
      const c = all[i] as Candidate;
      const a = (c.createdAt - t0) / k;
      if (a >= H) break;
      if (fits(c)) sum += c.cpuMilli * Math.min(c.runSeconds, H - a);
    }
    return sum / H / workerCpu;
  };
  // share(k) grows with k (more of the window lands inside the horizon): bisect on log k.
  let lo = Math.log(1e-3);
  let hi = Math.log(1e7);
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (share(Math.exp(mid)) < input.target) lo = mid;
    else hi = mid;
  }
  const k = Math.exp(hi);

  const pods: WorkloadPod[] = [];
  let gpu = 0;
  let tooLarge = 0;
  let runUntilEnd = 0;
  let ratioSum = 0;
  for (let i = start; i < all.length; i++) {
    const c = all[i] as Candidate;
    const arrival = Math.round((c.createdAt - t0) / k);
    if (arrival >= H) break;
    const series = input.usage[rng.int(input.usage.length)] as RatioSeries;
    const offset = rng.int(series.cpu.length) * series.stepSeconds;
    if (c.gpu) gpu++;
    if (!fits(c)) tooLarge++;
    if (c.runSeconds === Infinity) runUntilEnd++;
    ratioSum += mean(series.cpu);
    pods.push({
      name: c.name,
      cpuMilli: c.cpuMilli,
      memBytes: c.memBytes,
      toleratesControlPlane: false,
      usage: series,
      usageOffsetSeconds: offset,
      runSeconds: c.runSeconds,
      arrivalSeconds: arrival,
      qos: c.qos,
    });
  }

  const background = new Map<string, NodeBackground>();
  const order = shuffle(
    rng,
    input.backgrounds.map((_, i) => i),
  );
  input.nodes.forEach((node, i) => {
    const series = input.backgrounds[order[i % order.length] as number] as RatioSeries;
    const offsetSeconds = rng.int(series.cpu.length) * series.stepSeconds;
    background.set(node.name, { series, offsetSeconds });
  });

  return {
    pods,
    background,
    summary: {
      source: input.source,
      seed: input.seed,
      horizonSeconds: H,
      pods: pods.length,
      podsAvailable: input.podsAvailable,
      pendingExcluded: input.pendingExcluded,
      gpuRequestsIgnored: gpu,
      largerThanAnyWorker: tooLarge,
      runUntilEnd,
      windowStart: start,
      traceSecondsPerSimSecond: k,
      expectedRequestedShare: share(k),
      requestScale: input.requestScale,
      cpuUsageScale: input.cpuUsageScale ?? 1,
      meanCpuUsageRatio: pods.length === 0 ? 0 : ratioSum / pods.length,
      usageSeries: input.usage.length,
      backgroundSeries: input.backgrounds.length,
      clippedValues: input.clipped,
      traceReports: input.traceReports ?? [],
    },
  };
}

/** The most common (CPU, memory) shape in the OpenB node list. */
async function readReferenceNode(path: string): Promise<{ cpuMilli: number; memoryMib: number }> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const counts = new Map<string, number>();
  let cpuCol = -1;
  let memCol = -1;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    const cells = line.split(',');
    if (lineNo === 1) {
      cpuCol = cells.indexOf('cpu_milli');
      memCol = cells.indexOf('memory_mib');
      if (cpuCol < 0 || memCol < 0) {
        throw new Error(`${path}: header lacks cpu_milli or memory_mib`);
      }
      continue;
    }
    if (line.trim() === '') continue;
    const key = `${cells[cpuCol] ?? ''},${cells[memCol] ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  const [cpu, mem] = (best?.[0] ?? '').split(',').map(Number);
  if (!best || !(cpu && cpu > 0) || !(mem && mem > 0)) {
    throw new Error(`${path}: no node with positive cpu_milli and memory_mib`);
  }
  return { cpuMilli: cpu, memoryMib: mem };
}

function dailySeries(
  rng: Rng,
  stepSeconds: number,
  cpuBase: number,
  memBase: number,
  [lo, hi]: [number, number],
  amplitude = 0.3,
): RatioSeries {
  const n = DAY / stepSeconds;
  const cpu = new Float32Array(n);
  const mem = new Float32Array(n);
  const phase = rng.range(0, 2 * Math.PI);
  for (let i = 0; i < n; i++) {
    const daily = 1 + amplitude * Math.sin((2 * Math.PI * i * stepSeconds) / DAY + phase);
    cpu[i] = clamp(cpuBase * daily * (1 + 0.1 * rng.normal()), lo, hi);
    mem[i] = clamp(memBase * (1 + 0.03 * rng.normal()), lo, hi);
  }
  return { stepSeconds, cpu, mem };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

function mean(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return a.length === 0 ? 0 : s / a.length;
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
