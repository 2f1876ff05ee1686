/**
 * What a replay measured, per placement policy. Node figures are over the workers only: the
 * control-plane nodes take no workload pods, so including them would dilute every figure.
 *
 * CPU figures are DEMAND (background + Σ pod usage) over capacity, not clipped: 1.2 means the
 * node's pods wanted 20 % more CPU than it has (saturation, i.e. throttling in a real cluster).
 */
export interface PolicyStats {
  /** Highest CPU demand of any worker at any step. */
  readonly peakCpu: number;
  /** 95th percentile (nearest rank) of CPU demand over all worker × step values. */
  readonly p95Cpu: number;
  readonly meanCpu: number;
  /** Worker-minutes with CPU demand above 0.8. */
  readonly nodeMinutesAbove80: number;
  /** Worker-minutes with CPU demand above 1.0 (saturated). */
  readonly saturatedNodeMinutes: number;
  /** Standard deviation of CPU demand across workers, averaged over steps. */
  readonly cpuImbalance: number;
  /** Highest memory demand of any worker at any step. */
  readonly peakMem: number;
  /** Pods that arrived within the horizon. */
  readonly podsArrived: number;
  /** Pods that got a node. */
  readonly podsPlaced: number;
  /** Pods that never got a node (deleted while pending, or still pending at the end). */
  readonly podsNotPlaced: number;
  /** Of those, pods no worker could hold even when empty. */
  readonly podsLargerThanAnyWorker: number;
  /** Pods placed only after waiting at least one step. */
  readonly podsPlacedLate: number;
  /** Mean wait of placed pods, seconds. */
  readonly meanPlacementDelaySeconds: number;
  /** Scheduling attempts (first tries and retries). */
  readonly placementAttempts: number;
  /** Pods placed per node. */
  readonly placementsByNode: Readonly<Record<string, number>>;
  /** Steps recorded. */
  readonly steps: number;
}

/** Collects per-step worker demand and placement outcomes, then summarises them. */
export class StatsRecorder {
  private readonly cpu: number[] = [];
  private peakMem = 0;
  private imbalanceSum = 0;
  private steps = 0;
  private arrived = 0;
  private placed = 0;
  private notPlaced = 0;
  private tooLarge = 0;
  private late = 0;
  private delaySum = 0;
  private attempts = 0;
  private readonly byNode: Record<string, number> = {};

  constructor(
    private readonly workers: readonly string[],
    private readonly stepSeconds: number,
  ) {
    for (const w of workers) this.byNode[w] = 0;
  }

  /** One step's demand per worker (`cpu`, `mem` fractions, unclipped). */
  recordStep(demand: ReadonlyMap<string, { cpu: number; mem: number }>): void {
    const values: number[] = [];
    for (const w of this.workers) {
      const d = demand.get(w);
      if (!d || !Number.isFinite(d.cpu) || !Number.isFinite(d.mem)) {
        throw new Error(`demand for worker ${w} is missing or not finite`);
      }
      values.push(d.cpu);
      this.cpu.push(d.cpu);
      this.peakMem = Math.max(this.peakMem, d.mem);
    }
    this.imbalanceSum += populationStdDev(values);
    this.steps++;
  }

  arrival(): void {
    this.arrived++;
  }

  attempt(): void {
    this.attempts++;
  }

  placement(node: string, delaySeconds: number): void {
    this.placed++;
    this.byNode[node] = (this.byNode[node] ?? 0) + 1;
    this.delaySum += delaySeconds;
    if (delaySeconds > 0) this.late++;
  }

  notPlacedPod(largerThanAnyWorker: boolean): void {
    this.notPlaced++;
    if (largerThanAnyWorker) this.tooLarge++;
  }

  summary(): PolicyStats {
    const sorted = [...this.cpu].sort((a, b) => a - b);
    const n = sorted.length;
    const minutes = this.stepSeconds / 60;
    return {
      peakCpu: n === 0 ? 0 : (sorted[n - 1] as number),
      p95Cpu: n === 0 ? 0 : (sorted[Math.ceil(0.95 * n) - 1] as number),
      meanCpu: n === 0 ? 0 : sorted.reduce((a, b) => a + b, 0) / n,
      nodeMinutesAbove80: sorted.filter((v) => v > 0.8).length * minutes,
      saturatedNodeMinutes: sorted.filter((v) => v > 1).length * minutes,
      cpuImbalance: this.steps === 0 ? 0 : this.imbalanceSum / this.steps,
      peakMem: this.peakMem,
      podsArrived: this.arrived,
      podsPlaced: this.placed,
      podsNotPlaced: this.notPlaced,
      podsLargerThanAnyWorker: this.tooLarge,
      podsPlacedLate: this.late,
      meanPlacementDelaySeconds: this.placed === 0 ? 0 : this.delaySum / this.placed,
      placementAttempts: this.attempts,
      placementsByNode: { ...this.byNode },
      steps: this.steps,
    };
  }
}

/** Population standard deviation. */
export function populationStdDev(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length);
}
