/**
 * Panel helpers that fill in what the SDK leaves out: a refId on every target, the datasource
 * variable on panels and targets, a unit, and a visible legend named from `legendFormat`.
 */
import * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  GraphDrawStyle,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  BigValueGraphMode,
  BigValueTextMode,
  BigValueColorMode,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  MappingType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type Panel,
  type Threshold,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { duration, MODEL_STALE_SECONDS, OBJECTIVES } from '@mlsched/alerts';
import { METRICS } from '@mlsched/core';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** The dashboard variable every panel and target reads its datasource from. */
export const DATASOURCE_VARIABLE = 'datasource';
export const DATASOURCE = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` } as const;

export interface QuerySpec {
  readonly expr: string;
  /** Series name in the legend, e.g. `{{node}} actual`. */
  readonly legend: string;
}

export interface PanelProps {
  readonly title: string;
  /** What the panel shows and how to read it; Grafana shows it on hover. */
  readonly description: string;
  /** A Grafana unit id: `percentunit`, `s`, `reqps`, `short`, `none`... */
  readonly unit: string;
  readonly queries: readonly QuerySpec[];
  /** Grid columns out of 24. @default 12 */
  readonly width?: number;
  /** @default 8 */
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
}

export interface TimeseriesProps extends PanelProps {
  /** Draws a dashed line at this value: the objective or limit the series is held to. */
  readonly limit?: number;
  /** Stacks series as bars, for counts per node. @default false */
  readonly stackedBars?: boolean;
}

export interface StatProps extends PanelProps {
  /** Colour steps: the base colour, then [value, colour] pairs in ascending order. */
  readonly steps?: readonly [string, ...(readonly [number, string])[]];
  /** Text for exact values, e.g. 1 → met, 0 → missed. */
  readonly valueText?: Readonly<Record<string, readonly [text: string, color: string]>>;
  /** Show the legend name beside each value. @default false */
  readonly showNames?: boolean;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function targets(queries: readonly QuerySpec[], instant: boolean): DataqueryBuilder[] {
  if (queries.length > REF_IDS.length)
    throw new Error(`a panel holds at most ${REF_IDS.length} queries`);
  return queries.map((q, i) => {
    const target = new DataqueryBuilder()
      .refId(REF_IDS.charAt(i))
      .datasource(DATASOURCE)
      .expr(q.expr)
      .legendFormat(q.legend);
    return instant ? target.instant() : target.range();
  });
}

function thresholds(
  steps: readonly [string, ...(readonly [number, string])[]],
): ThresholdsConfigBuilder {
  const [base, ...rest] = steps;
  const list: Threshold[] = [
    { value: null, color: base },
    ...rest.map(([value, color]) => ({ value, color })),
  ];
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(list);
}

/** The common part of every panel; `B` is the SDK builder of the panel's type. */
interface CommonBuilder<B> extends cog.Builder<Panel> {
  title(t: string): B;
  description(d: string): B;
  datasource(d: { type: string; uid: string }): B;
  unit(u: string): B;
  span(w: number): B;
  height(h: number): B;
  min(m: number): B;
  max(m: number): B;
}

function common<B extends CommonBuilder<B>>(builder: B, p: PanelProps): B {
  let b = builder
    .title(p.title)
    .description(p.description)
    .datasource(DATASOURCE)
    .unit(p.unit)
    .span(p.width ?? 12)
    .height(p.height ?? 8);
  if (p.min !== undefined) b = b.min(p.min);
  if (p.max !== undefined) b = b.max(p.max);
  return b;
}

export function timeseries(p: TimeseriesProps): TimeseriesPanelBuilder {
  let b = common(new TimeseriesPanelBuilder(), p)
    .targets(targets(p.queries, false))
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.List)
        .placement(LegendPlacement.Bottom),
    );
  if (p.limit !== undefined) {
    b = b
      .thresholds(thresholds(['transparent', [p.limit, 'red']]))
      .thresholdsStyle(
        new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed),
      );
  }
  if (p.stackedBars) {
    b = b
      .drawStyle(GraphDrawStyle.Bars)
      .fillOpacity(80)
      .stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  }
  return b;
}

export function stat(p: StatProps): StatPanelBuilder {
  let b = common(new StatPanelBuilder(), p)
    .targets(targets(p.queries, true))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(BigValueGraphMode.None)
    .colorMode(BigValueColorMode.Value)
    .textMode(p.showNames ? BigValueTextMode.ValueAndName : BigValueTextMode.Value);
  if (p.steps) b = b.thresholds(thresholds(p.steps));
  if (p.valueText) {
    const options = Object.fromEntries(
      Object.entries(p.valueText).map(([value, [text, color]]) => [value, { text, color }]),
    );
    const mapping: ValueMapping = { type: MappingType.ValueToText, options };
    b = b.mappings([mapping]);
  }
  return b;
}

/** An instant table, one row per series, labels as columns. */
export function table(p: PanelProps): TablePanelBuilder {
  const tableTargets = targets(p.queries, true).map((t) => t.format(PromQueryFormat.Table));
  return common(new TablePanelBuilder(), p).targets(tableTargets).showHeader(true);
}

/**
 * How old the served model is, on the Overview and the Model dashboard alike: orange after one
 * and a half training periods, red where MlschedModelStale fires.
 */
export function modelAgeStat(width: number): StatPanelBuilder {
  const period = OBJECTIVES.retrainIntervalSeconds;
  return stat({
    title: 'Model age',
    description:
      `Time since the served model was trained. The trainer runs every ${duration(period)}; ` +
      'older than two runs is stale.',
    unit: 's',
    width,
    height: 4,
    steps: ['green', [period * 1.5, 'orange'], [MODEL_STALE_SECONDS, 'red']],
    queries: [{ expr: `max(${METRICS.modelAge})`, legend: 'Age' }],
  });
}
