/**
 * Writes each dashboard's JSON to `<out-dir>/<uid>.json`, for people to read or import by hand.
 * Usage: `node dashboards/lib/cli.js <out-dir>`. The TypeScript stays the source of truth.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { dashboards } from './index.js';

export function writeDashboardFiles(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return dashboards().map((d) => {
    const path = join(dir, `${d.uid}.json`);
    writeFileSync(path, `${JSON.stringify(d.json, null, 2)}\n`);
    return path;
  });
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node dashboards/lib/cli.js <out-dir>');
    process.exit(2);
  }
  for (const path of writeDashboardFiles(resolve(out))) console.log(path);
}
