import { isKnownMetric, metricNamesIn } from '@mlsched/alerts';

import { DATASOURCE, DATASOURCE_VARIABLE } from './panels.js';

/**
 * Grafana unit ids these dashboards may use. A unit Grafana does not know shows raw numbers,
 * silently; this list turns a typo into a failed build.
 */
export const KNOWN_UNITS = new Set([
  'percentunit',
  's',
  'reqps',
  'ops',
  'short',
  'none',
  'bytes',
  'bool_yes_no',
]);

const UID = /^[a-z0-9][a-z0-9-]{0,39}$/;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null;
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

function targetProblems(where: string, target: Json, index: number): string[] {
  const at = `${where} target ${index}`;
  const problems: string[] = [];
  if (typeof target.refId !== 'string' || target.refId === '') problems.push(`${at} has no refId`);
  const ds = isObject(target.datasource) ? target.datasource : undefined;
  if (ds?.uid !== DATASOURCE.uid)
    problems.push(`${at} does not use the $${DATASOURCE_VARIABLE} datasource`);
  const expr = typeof target.expr === 'string' ? target.expr : '';
  if (expr.trim() === '') problems.push(`${at} has no expr`);
  const unknown = metricNamesIn(expr).filter((m) => !isKnownMetric(m));
  if (unknown.length > 0) problems.push(`${at} reads unknown series ${unknown.join(', ')}`);
  if (target.format !== 'table' && !target.legendFormat) problems.push(`${at} has no legendFormat`);
  return problems;
}

function panelProblems(panel: Json, ids: Set<unknown>): string[] {
  const where = `panel ${JSON.stringify(panel.title ?? '(untitled)')}`;
  const problems: string[] = [];
  if (ids.has(panel.id)) problems.push(`${where} reuses id ${String(panel.id)}`);
  ids.add(panel.id);
  if (panel.type === 'row') return problems;

  const ds = isObject(panel.datasource) ? panel.datasource : undefined;
  if (ds?.uid !== DATASOURCE.uid)
    problems.push(`${where} does not use the $${DATASOURCE_VARIABLE} datasource`);
  const defaults =
    isObject(panel.fieldConfig) && isObject(panel.fieldConfig.defaults)
      ? panel.fieldConfig.defaults
      : {};
  const unit = defaults.unit;
  if (typeof unit !== 'string' || unit === '') problems.push(`${where} has no unit`);
  else if (!KNOWN_UNITS.has(unit))
    problems.push(`${where} has unit ${unit}, which is not in KNOWN_UNITS`);
  if (!panel.description) problems.push(`${where} has no description`);
  if (!isObject(panel.gridPos)) problems.push(`${where} has no gridPos`);
  const targets = list(panel.targets);
  if (targets.length === 0) problems.push(`${where} has no targets`);
  const refIds = targets.map((t) => t.refId);
  if (new Set(refIds).size !== refIds.length) problems.push(`${where} repeats a refId`);
  targets.forEach((t, i) => problems.push(...targetProblems(where, t, i)));
  if (panel.type === 'timeseries') {
    const legend =
      isObject(panel.options) && isObject(panel.options.legend) ? panel.options.legend : {};
    if (legend.showLegend !== true || legend.displayMode === 'hidden')
      problems.push(`${where} hides its legend`);
  }
  return problems;
}

/**
 * What would make a dashboard useless or misleading once provisioned: no stable UID, no
 * datasource variable, a panel or target bound to a fixed datasource, a target without refId
 * (Grafana then drops or merges queries), a panel without unit or legend, a query reading a
 * series nobody exposes. Returns one line per problem; empty when the dashboard is sound.
 */
export function dashboardProblems(json: object): string[] {
  const d = json as Json;
  const problems: string[] = [];
  if (typeof d.uid !== 'string' || !UID.test(d.uid)) {
    problems.push(
      `uid ${JSON.stringify(d.uid)} is not a stable lowercase id of at most 40 characters`,
    );
  }
  if (!d.title) problems.push('the dashboard has no title');
  const variables = isObject(d.templating) ? list(d.templating.list) : [];
  const dsVar = variables.find((v) => v.name === DATASOURCE_VARIABLE);
  if (dsVar?.type !== 'datasource' || dsVar.query !== 'prometheus') {
    problems.push(`no datasource variable $${DATASOURCE_VARIABLE} of type prometheus`);
  }
  const ids = new Set<unknown>();
  const panels = list(d.panels);
  if (panels.filter((p) => p.type !== 'row').length === 0)
    problems.push('the dashboard has no panels');
  for (const panel of panels) problems.push(...panelProblems(panel, ids));
  return problems;
}
