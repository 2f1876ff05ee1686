import * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  RowBuilder,
  type Panel,
} from '@grafana/grafana-foundation-sdk/dashboard';

import { DATASOURCE_VARIABLE } from './panels.js';

/** Every dashboard carries it; the dashboards link to each other through it. */
export const DASHBOARD_TAG = 'mlsched';

interface WithId extends cog.Builder<Panel> {
  id(id: number): unknown;
}

export interface Section {
  /** Row title. */
  readonly row: string;
  readonly panels: readonly WithId[];
}

export interface DashboardProps {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly sections: readonly Section[];
}

/**
 * A dashboard with the project's defaults: the datasource variable, shared crosshair, links to
 * the other dashboards, read-only (the source of truth is this code), and panel ids numbered in
 * layout order so they do not change between builds.
 */
export function buildDashboard(p: DashboardProps): object {
  const dashboard = new DashboardBuilder(p.title)
    .uid(p.uid)
    .description(p.description)
    .tags([DASHBOARD_TAG])
    .readonly()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .timezone('utc')
    .withVariable(
      new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Data source').type('prometheus'),
    )
    .link(
      new DashboardLinkBuilder('ML scheduler')
        .type(DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );

  let id = 0;
  for (const section of p.sections) {
    dashboard.withRow(new RowBuilder(section.row).id(++id));
    for (const panel of section.panels) {
      panel.id(++id);
      dashboard.withPanel(panel);
    }
  }
  return dashboard.build();
}
