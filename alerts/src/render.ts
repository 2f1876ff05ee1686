import { stringify } from 'yaml';

import type { PrometheusRuleGroup } from './types.js';

/**
 * A plain Prometheus rule file (`groups:` at the top), as `promtool check rules` and Prometheus'
 * `rule_files` read it. Multi-line PromQL stays a block scalar so the file reads like the source.
 */
export function renderRuleFile(groups: readonly PrometheusRuleGroup[]): string {
  return stringify({ groups }, { lineWidth: 0, blockQuote: 'literal' });
}
