import { METRICS } from '@mlsched/core';

import { EXTERNAL_METRICS } from './external-metrics.js';
import { RECORDS } from './records.js';

const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

// Words PromQL reserves; none of them is a series even when not followed by "(" (aggregations
// may put `by (...)` between their name and their argument).
const KEYWORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
  'atan2',
]);

/**
 * The series names a PromQL expression reads. Not a parser: it removes what cannot hold a series
 * name (strings, label matchers, ranges, grouping lists, numbers and durations) and keeps the
 * identifiers that are not called as functions. Good enough to catch a renamed or misspelt
 * series; Prometheus itself (the live test, promtool) catches syntax errors.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/#[^\n]*/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' $1 ');
  const names = new Set<string>();
  const token =
    /(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:ms|[smhdwy])*)|([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g;
  for (const m of stripped.matchAll(token)) {
    const [, number, ident, call] = m;
    if (number !== undefined || ident === undefined || call !== undefined) continue;
    if (KEYWORDS.has(ident.toLowerCase())) continue;
    names.add(ident);
  }
  return [...names];
}

const KNOWN = new Set<string>([
  ...Object.values(METRICS),
  ...Object.values(RECORDS),
  ...Object.values(EXTERNAL_METRICS).flat(),
]);

/** True for a series this project exposes, records or reads from a known exporter. */
export function isKnownMetric(name: string): boolean {
  return KNOWN.has(name) || KNOWN.has(name.replace(HISTOGRAM_SERIES, ''));
}

/** The series an expression reads that nobody exposes or records. */
export function unknownMetricsIn(expr: string): string[] {
  return metricNamesIn(expr).filter((name) => !isKnownMetric(name));
}
