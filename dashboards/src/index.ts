/**
 * Grafana dashboards of the ML scheduler, built with grafana-foundation-sdk. `infra/` ships the
 * JSON of `dashboards()` in ConfigMaps for Grafana's dashboard sidecar.
 */
import { checkTargets, DEFAULT_TARGETS, type ObservabilityTargets } from '@mlsched/alerts';

import { balanceDashboard } from './balance.js';
import { dashboardProblems } from './check.js';
import { modelDashboard } from './model.js';
import { overviewDashboard } from './overview.js';
import { schedulerDashboard } from './scheduler.js';

export { dashboardProblems, KNOWN_UNITS } from './check.js';
export { DATASOURCE, DATASOURCE_VARIABLE } from './panels.js';
export { DASHBOARD_TAG } from './layout.js';
export { DASHBOARD_TITLES, DASHBOARD_UIDS } from './uids.js';

export interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  /** The Grafana dashboard model, as the SDK builds it. */
  readonly json: object;
}

/**
 * Every dashboard. Throws, listing each problem, when one would ship without a refId, unit,
 * legend or datasource variable, or reads a series nobody exposes.
 */
export function dashboards(targets: ObservabilityTargets = DEFAULT_TARGETS): DashboardJson[] {
  const t = checkTargets(targets);
  // The SDK leaves a marker function on every target; the JSON round trip keeps exactly what
  // Grafana will receive, so the checks below and the callers see plain data.
  const built = [
    overviewDashboard(t),
    schedulerDashboard(t),
    balanceDashboard(),
    modelDashboard(),
  ].map((d) => JSON.parse(JSON.stringify(d)) as object);

  const problems = built.flatMap((json) => {
    const uid = (json as { uid?: string }).uid;
    return dashboardProblems(json).map((p) => `${uid}: ${p}`);
  });
  if (problems.length > 0) throw new Error(`invalid dashboards:\n- ${problems.join('\n- ')}`);

  return built.map((json) => {
    const { uid, title } = json as { uid: string; title: string };
    return { uid, title, json };
  });
}
