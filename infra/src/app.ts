import { ruleGroups } from '@mlsched/alerts';
import { dashboards } from '@mlsched/dashboards';
import { App } from 'cdk8s';

import { ArgoCdChart } from './charts/argo-cd-chart.js';
import { EnvironmentChart, type EnvironmentChartProps } from './charts/environment-chart.js';
import { environments } from './envs/index.js';
import type { EnvironmentConfig } from './envs/types.js';

export interface BuildAppProps {
  /** Defaults to the committed environments. */
  readonly environments?: readonly EnvironmentConfig[];
  /** Defaults to `@mlsched/alerts`' rule groups. */
  readonly ruleGroups?: EnvironmentChartProps['ruleGroups'];
  /** Defaults to `@mlsched/dashboards`' dashboards. */
  readonly dashboards?: EnvironmentChartProps['dashboards'];
}

export interface BuiltApp {
  readonly app: App;
  readonly environments: readonly EnvironmentChart[];
  readonly argocd: ArgoCdChart;
}

/** The whole cdk8s app: one chart per environment and one for Argo CD. */
export function buildApp(props: BuildAppProps = {}): BuiltApp {
  const app = new App();
  const envCharts = (props.environments ?? environments()).map(
    (env) =>
      new EnvironmentChart(app, {
        env,
        ruleGroups: props.ruleGroups ?? ((targets) => ruleGroups(targets)),
        dashboards: props.dashboards ?? ((targets) => dashboards(targets)),
      }),
  );
  const argocd = new ArgoCdChart(app, envCharts);
  return { app, environments: envCharts, argocd };
}
