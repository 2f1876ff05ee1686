/**
 * Smoke test of the whole demo on a tiny horizon: trains a small model, serves it over real
 * HTTP, replays both policies and checks the report's shape and that its values are sane.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findTraceFiles } from '@mlsched/core';
import pino from 'pino';
import { BASELINE_POLICY, type DemoReport, ML_POLICY } from '../src/report';
import { runDemo } from '../src/run';

const dataDir =
  process.env.MLSCHED_DATA_DIR ?? resolve(__dirname, '..', '..', '..', 'shared', 'data');
const haveData = findTraceFiles(dataDir).ok;
if (!haveData) console.warn(`trace files not found under ${dataDir}: trace smoke test skipped`);
const withData = haveData ? it : it.skip;

const silent = pino({ level: 'silent' });
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlsched-demo-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function checkReport(report: DemoReport, hours: number): void {
  const ml = report.policies[ML_POLICY];
  const base = report.policies[BASELINE_POLICY];

  for (const s of [ml, base]) {
    expect(s.steps).toBe(Math.round(hours * 60));
    expect(s.podsArrived).toBe(report.workload.pods);
    expect(s.podsPlaced + s.podsNotPlaced).toBe(s.podsArrived);
    expect(Object.values(s.placementsByNode).reduce((a, b) => a + b, 0)).toBe(s.podsPlaced);
    // Background alone keeps every worker above 5 %; a node cannot want 3× its CPU here.
    expect(s.p95Cpu).toBeGreaterThan(0.04);
    expect(s.p95Cpu).toBeLessThanOrEqual(s.peakCpu);
    expect(s.peakCpu).toBeLessThan(3);
    expect(Number.isFinite(s.cpuImbalance)).toBe(true);
    expect(s.nodeMinutesAbove80).toBeGreaterThanOrEqual(s.saturatedNodeMinutes);
  }
  expect(ml.podsArrived).toBe(base.podsArrived);
  if (ml.podsPlaced === base.podsPlaced) {
    expect(report.placementCountDifference).toBe('both policies placed the same number of pods');
  } else {
    expect(report.placementCountDifference).toMatch(/^ml-extender placed \d+ (more|fewer) pods/);
  }

  // Every placement went through /filter; every filter that left nodes went on to /prioritize.
  expect(report.http.filterCalls).toBeGreaterThanOrEqual(ml.podsPlaced);
  expect(report.http.filterErrors + report.http.prioritizeErrors).toBe(0);
  expect(report.http.prioritizeCalls).toBe(
    report.http.filterCalls - report.mlPolicy.filteredOutEverything,
  );
  expect(report.http.latencyMs.p50).toBeGreaterThan(0);
  expect(report.http.latencyMs.p50).toBeLessThanOrEqual(report.http.latencyMs.p99);

  expect(report.extenderWeight).toBe(2);
  expect(report.model.version).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(report.model.horizonSeconds).toBe(300);
  expect(report.cluster.map((n) => n.name)).toEqual([
    'cp-1',
    'cp-2',
    'cp-3',
    'worker-1',
    'worker-2',
    'worker-3',
  ]);
}

describe('demo', () => {
  withData(
    'runs on the traces: trains on Alibaba 2018, replays OpenB pods with Bitbrains usage',
    async () => {
      const out = join(dir, 'demo.json');

      const { report, table } = await runDemo({
        seed: 7,
        hours: 0.25,
        dataDir,
        synthetic: false,
        trainRows: 5000,
        out,
        workDir: join(dir, 'work'),
        log: silent,
      });

      expect(report.dataSource).toBe('traces');
      expect(report.syntheticFallback).toBe(false);
      expect(report.fallbackReason).toBeUndefined();
      expect(report.model.source).toBe('alibaba2018');
      expect(report.workload.requestScale.referenceNode).toBe('96 cores / 384 GiB');
      expect(report.workload.pods).toBeGreaterThan(0);
      expect(report.http.filterCalls).toBeGreaterThan(0);
      checkReport(report, 0.25);
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
      expect(table).toContain(ML_POLICY);
      expect(table).toContain(BASELINE_POLICY);
      expect(table).not.toContain('SYNTHETIC');
    },
    180_000,
  );

  it('falls back to synthetic data, loudly, when the data directory holds nothing', async () => {
    const out = join(dir, 'demo.json');

    const { report, table } = await runDemo({
      seed: 3,
      hours: 0.25,
      dataDir: join(dir, 'no-data-here'),
      synthetic: false,
      trainRows: 5000,
      out,
      workDir: join(dir, 'work'),
      log: silent,
    });

    expect(report.dataSource).toBe('synthetic');
    expect(report.syntheticFallback).toBe(true);
    expect(report.fallbackReason).toMatch(/^trace files missing under .*no-data-here/);
    expect(report.model.source).toBe('synthetic');
    expect(report.workload.pods).toBeGreaterThan(0);
    checkReport(report, 0.25);
    expect(table.split('\n')[0]).toMatch(/^!!! SYNTHETIC WORKLOAD, NOT TRACE DATA/);
  }, 180_000);
});
