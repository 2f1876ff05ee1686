/**
 * Writes the rule files for promtool and for people to read: one file per group and `all.yaml`.
 * Usage: `node alerts/lib/cli.js <out-dir>`. The TypeScript stays the source of truth; these
 * files are outputs, never edited by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { renderRuleFile } from './render.js';
import type { PrometheusRuleGroup } from './types.js';
import { ruleGroups } from './index.js';

export function writeRuleFiles(
  dir: string,
  groups: readonly PrometheusRuleGroup[] = ruleGroups(),
): string[] {
  mkdirSync(dir, { recursive: true });
  const files = [
    ...groups.map((g) => ({ name: `${g.name}.yaml`, groups: [g] })),
    { name: 'all.yaml', groups },
  ];
  return files.map((f) => {
    const path = join(dir, f.name);
    writeFileSync(path, renderRuleFile(f.groups));
    return path;
  });
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node alerts/lib/cli.js <out-dir>');
    process.exit(2);
  }
  for (const path of writeRuleFiles(resolve(out))) console.log(path);
}
