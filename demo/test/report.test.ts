/**
 * The printed table: the verdict line computed from the figures, and the line about attempts the
 * extender's filter turned away.
 */
import type { PolicyStats } from '@mlsched/core';
import { formatTable, verdict, type DemoReport } from '../src/report';

function stats(overrides: Partial<PolicyStats>): PolicyStats {
  return {
    peakCpu: 1,
    p95Cpu: 0.8,
    meanCpu: 0.5,
    nodeMinutesAbove80: 10,
    saturatedNodeMinutes: 0,
    cpuImbalance: 0.1,
    peakMem: 0.5,
    podsArrived: 100,
    podsPlaced: 98,
    podsNotPlaced: 2,
    podsLargerThanAnyWorker: 0,
    podsPlacedLate: 0,
    meanPlacementDelaySeconds: 0,
    placementAttempts: 100,
    placementsByNode: {},
    steps: 240,
    ...overrides,
  };
}

describe('verdict', () => {
  it('names the lower figure per column and counts the wins', () => {
    // Seed 1 of the README: the extender wins p95, node-minutes and imbalance, loses the rest.
    const ml = stats({
      peakCpu: 1.113,
      p95Cpu: 0.778,
      nodeMinutesAbove80: 36,
      cpuImbalance: 0.119,
      podsNotPlaced: 6,
    });
    const base = stats({
      peakCpu: 0.973,
      p95Cpu: 0.852,
      nodeMinutesAbove80: 64,
      cpuImbalance: 0.151,
      podsNotPlaced: 3,
    });

    expect(verdict(ml, base)).toBe(
      'which did better (lower wins): peak CPU kube-default, p95 CPU ml-extender, ' +
        'node-min >80% ml-extender, imbalance σ ml-extender, not placed kube-default; ' +
        'ml-extender better on 3 of 5, kube-default on 2',
    );
    expect(verdict(base, ml)).toMatch(/ml-extender better on 2 of 5, kube-default on 3$/);
  });

  it('calls a tie what the table prints the same, rounding included', () => {
    // 85.21 % and 85.24 % both print as 85.2 %; 85.24 % and 85.26 % do not.
    const tie = verdict(stats({ p95Cpu: 0.8521 }), stats({ p95Cpu: 0.8524 }));
    const apart = verdict(stats({ p95Cpu: 0.8524 }), stats({ p95Cpu: 0.8526 }));

    expect(tie).toBe(
      'which did better (lower wins): peak CPU tie, p95 CPU tie, node-min >80% tie, ' +
        'imbalance σ tie, not placed tie; ml-extender better on 0 of 5, kube-default on 0',
    );
    expect(apart).toContain('p95 CPU ml-extender');
  });
});

describe('formatTable', () => {
  const report = {
    seed: 4,
    hours: 4,
    stepSeconds: 60,
    dataSource: 'traces',
    syntheticFallback: false,
    workload: { pods: 100, meanCpuUsageRatio: 0.5, cpuUsageScale: 18.6 },
    model: { version: '2026-01-02T03-04-05Z-ab12cd', source: 'alibaba2018' },
    extenderWeight: 2,
    policies: {
      'ml-extender': stats({ peakCpu: 1.27, podsNotPlaced: 4 }),
      'kube-default': stats({ peakCpu: 1.561, podsNotPlaced: 4 }),
    },
    http: {
      filterCalls: 100,
      filterErrors: 0,
      prioritizeCalls: 93,
      prioritizeErrors: 0,
      latencyMs: { p50: 1, p99: 2, p99Warm: 2, max: 3 },
    },
    mlPolicy: {
      filteredOutEverything: 7,
      changedChoice: 12,
      prioritizeDropped: 0,
      filterFailed: 0,
    },
    podsPlacedDifferently: 40,
    placementCountDifference: 'both policies placed the same number of pods',
  } as unknown as DemoReport;

  it('prints the verdict right under the rows, and says what a turned-away attempt is', () => {
    const lines = formatTable(report).split('\n');
    const baseRow = lines.findIndex((l) => l.startsWith('kube-default '));

    expect(lines[baseRow + 1]).toBe(
      'which did better (lower wins): peak CPU ml-extender, p95 CPU tie, node-min >80% tie, ' +
        'imbalance σ tie, not placed tie; ml-extender better on 1 of 5, kube-default on 0',
    );
    expect(lines).toContain(
      "7 scheduling attempts were turned away: the extender's filter rejected every worker " +
        'that had room for the pod (predicted load plus the pod above the hot threshold, or ' +
        'flagged anomalous), so the pod waited 60 s and was tried again (one pod can count ' +
        'several times)',
    );
    const once = { ...report, mlPolicy: { ...report.mlPolicy, filteredOutEverything: 1 } };
    const never = { ...report, mlPolicy: { ...report.mlPolicy, filteredOutEverything: 0 } };
    expect(formatTable(once)).toContain('\n1 scheduling attempt was turned away: ');
    expect(formatTable(never)).toContain(
      "\nno scheduling attempt was turned away: the extender's filter never rejected every " +
        'worker that had room for a pod\n',
    );
  });
});
