import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import {
  DashboardBuilder,
  DatasourceVariableBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import {
  DEFAULT_TARGETS,
  isKnownMetric,
  metricNamesIn,
  RECORDS,
  ruleGroups,
} from '@mlsched/alerts';
import { METRICS } from '@mlsched/core';

import { dashboardProblems, dashboards, DATASOURCE } from '@mlsched/dashboards';

import { writeDashboardFiles } from '../src/cli';

interface Target {
  refId?: string;
  expr?: string;
  legendFormat?: string;
  datasource?: { uid?: string };
  format?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig?: { defaults?: { unit?: string } };
  options?: { legend?: { showLegend?: boolean } };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  tags: string[];
  templating: { list: Array<{ name: string; type: string; query: string }> };
  panels: Panel[];
}

const built = dashboards();
const all = built.map((d) => d.json as Dashboard);
const panels = all.flatMap((d) => d.panels.filter((p) => p.type !== 'row').map((p) => ({ d, p })));
const targets = panels.flatMap(({ d, p }) => (p.targets ?? []).map((t) => ({ d, p, t })));

describe('dashboards()', () => {
  it('returns the four dashboards with the UIDs and titles runbooks and links rely on', () => {
    expect(built.map((d) => [d.uid, d.title])).toEqual([
      ['mlsched-overview', 'ML scheduler / Overview'],
      ['mlsched-scheduler', 'ML scheduler / Scheduler'],
      ['mlsched-balance', 'ML scheduler / Cluster balance'],
      ['mlsched-model', 'ML scheduler / Model'],
    ]);
    for (const d of built) expect((d.json as Dashboard).uid).toBe(d.uid);
  });

  it('builds the same JSON every time, so ConfigMap diffs show only real changes', () => {
    expect(JSON.stringify(dashboards())).toBe(JSON.stringify(built));
  });

  it('finds no problem in any shipped dashboard', () => {
    for (const d of all)
      expect({ uid: d.uid, problems: dashboardProblems(d) }).toEqual({ uid: d.uid, problems: [] });
  });

  it('gives every dashboard the datasource variable, used by every panel and target', () => {
    for (const d of all) {
      expect(d.templating.list).toContainEqual(
        expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
      );
      expect(d.tags).toEqual(['mlsched']);
    }
    for (const { p } of panels)
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    for (const { t } of targets) expect(t.datasource).toEqual(DATASOURCE);
  });

  it('sets a refId, unique in its panel, on every target, and a unit on every panel', () => {
    for (const { p } of panels) {
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(refIds).toEqual(['A', 'B', 'C', 'D'].slice(0, refIds.length));
      expect(p.fieldConfig?.defaults?.unit).toMatch(/^(percentunit|s|reqps|short|none)$/);
    }
    expect(targets.length).toBeGreaterThan(40);
  });

  it('shows a legend on every time series panel, naming each series', () => {
    const series = panels.filter(({ p }) => p.type === 'timeseries');
    expect(series.length).toBeGreaterThan(20);
    for (const { p } of series) {
      expect(p.options?.legend?.showLegend).toBe(true);
      for (const t of p.targets ?? []) expect(t.legendFormat).toBeTruthy();
    }
  });

  it('reads only series the project exposes, records, or takes from a known exporter', () => {
    const unknown = targets.flatMap(({ d, p, t }) =>
      metricNamesIn(t.expr ?? '')
        .filter((m) => !isKnownMetric(m))
        .map((m) => `${d.uid} / ${p.title}: ${m}`),
    );

    expect(unknown).toEqual([]);
  });

  it('with the rules, uses every series the extender and trainer expose', () => {
    const exprs = [
      ...targets.map(({ t }) => t.expr ?? ''),
      ...ruleGroups().flatMap((g) => g.rules.map((r) => r.expr)),
    ];
    const used = new Set(
      exprs.flatMap(metricNamesIn).map((m) => m.replace(/_(bucket|sum|count)$/, '')),
    );

    expect(Object.values(METRICS).filter((m) => !used.has(m))).toEqual([]);
    expect(Object.values(RECORDS).filter((m) => !used.has(m))).toEqual([]);
  });

  it('lays panels out within the 24-column grid, with stable ids', () => {
    for (const d of all) {
      const ids = d.panels.map((p) => p.id);
      expect(ids).toEqual(ids.map((_, i) => i + 1));
      for (const p of d.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      expect(d.schemaVersion).toBeGreaterThanOrEqual(39);
    }
  });

  it('splices the configured scheduler profile and jobs into the queries', () => {
    const custom = dashboards({ ...DEFAULT_TARGETS, schedulerName: 'sched', extenderJob: 'ext' });
    const text = JSON.stringify(custom);

    expect(text).toContain('profile=\\"sched\\"');
    expect(text).toContain('up{job=\\"ext\\"}');
    expect(text).not.toContain('mlsched-extender');
  });
});

describe('dashboardProblems()', () => {
  const datasourceVariable = new DatasourceVariableBuilder('datasource').type('prometheus');

  function dashboardWith(panel: TimeseriesPanelBuilder, uid = 'broken-test'): object {
    return new DashboardBuilder('Broken')
      .uid(uid)
      .withVariable(datasourceVariable)
      .withPanel(panel)
      .build();
  }

  function goodPanel(): TimeseriesPanelBuilder {
    return new TimeseriesPanelBuilder()
      .id(1)
      .title('Up')
      .description('targets up')
      .datasource(DATASOURCE)
      .unit('short')
      .withTarget(
        new DataqueryBuilder().refId('A').datasource(DATASOURCE).expr('up').legendFormat('{{job}}'),
      );
  }

  it('accepts a well-formed panel, so the failures below are about the one thing removed', () => {
    expect(dashboardProblems(dashboardWith(goodPanel()))).toEqual(['panel "Up" hides its legend']);
  });

  it('fails on a target without refId (the SDK leaves it out)', () => {
    const panel = goodPanel().targets([
      new DataqueryBuilder().datasource(DATASOURCE).expr('up').legendFormat('x'),
    ]);

    expect(dashboardProblems(dashboardWith(panel))).toContain('panel "Up" target 0 has no refId');
  });

  it('fails on a panel or target without the datasource variable', () => {
    const panel = new TimeseriesPanelBuilder()
      .id(1)
      .title('Up')
      .description('d')
      .unit('short')
      .withTarget(new DataqueryBuilder().refId('A').expr('up').legendFormat('x'));

    const problems = dashboardProblems(dashboardWith(panel));

    expect(problems).toContain('panel "Up" does not use the $datasource datasource');
    expect(problems).toContain('panel "Up" target 0 does not use the $datasource datasource');
  });

  it('fails on a dashboard without the datasource variable', () => {
    const json = new DashboardBuilder('No variable')
      .uid('no-variable')
      .withPanel(goodPanel())
      .build();

    expect(dashboardProblems(json)).toContain(
      'no datasource variable $datasource of type prometheus',
    );
  });

  it('fails on a panel without unit, or with a unit Grafana does not know', () => {
    const noUnit = new TimeseriesPanelBuilder()
      .id(1)
      .title('Up')
      .description('d')
      .datasource(DATASOURCE)
      .withTarget(
        new DataqueryBuilder().refId('A').datasource(DATASOURCE).expr('up').legendFormat('x'),
      );

    expect(dashboardProblems(dashboardWith(noUnit))).toContain('panel "Up" has no unit');
    expect(dashboardProblems(dashboardWith(goodPanel().unit('percent_unit')))).toContain(
      'panel "Up" has unit percent_unit, which is not in KNOWN_UNITS',
    );
  });

  it('fails on an unknown series, an unstable UID, a shipped dashboard stripped of a unit', () => {
    const typo = goodPanel().targets([
      new DataqueryBuilder()
        .refId('A')
        .datasource(DATASOURCE)
        .expr('rate(mlsched_extender_request_total[5m])')
        .legendFormat('x'),
    ]);
    expect(dashboardProblems(dashboardWith(typo))).toContain(
      'panel "Up" target 0 reads unknown series mlsched_extender_request_total',
    );
    expect(dashboardProblems(dashboardWith(goodPanel(), 'Has Spaces'))).toContain(
      'uid "Has Spaces" is not a stable lowercase id of at most 40 characters',
    );

    const shipped = structuredClone(all[0]) as Dashboard;
    const victim = shipped.panels.find((p) => p.type !== 'row');
    if (!victim?.fieldConfig?.defaults) throw new Error('no panel with field config');
    delete victim.fieldConfig.defaults.unit;
    expect(dashboardProblems(shipped)).toEqual([
      `panel ${JSON.stringify(victim.title)} has no unit`,
    ]);
  });
});

describe('writeDashboardFiles()', () => {
  it('writes <uid>.json for each dashboard, equal to what dashboards() returns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlsched-dash-'));
    try {
      const files = writeDashboardFiles(dir);

      expect(files.map((f) => basename(f))).toEqual(built.map((d) => `${d.uid}.json`));
      expect(JSON.parse(readFileSync(join(dir, 'mlsched-model.json'), 'utf8'))).toEqual(
        built[3]?.json,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
