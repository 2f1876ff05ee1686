/**
 * `npm run validate -w infra`: validates the committed `dist/`, the manifests Argo CD applies,
 * with the same checks the tests run on fresh synth output. `-- --promtool` also runs
 * `promtool check rules` on every PrometheusRule. Exits 1 on any violation.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { parseAllDocuments } from 'yaml';

import { ARGOCD_CHART_ID } from './charts/argo-cd-chart.js';
import { environments } from './envs/index.js';
import { externalObjects } from './envs/external.js';
import { DIST_DIR } from './main.js';
import type { KubeObject } from './render.js';
import { formatViolations, validateObjects } from './validate/index.js';
import { promtoolCheckRules } from './validate/promtool.js';

function main(argv: readonly string[]): number {
  const promtool = argv.includes('--promtool');
  const envs = new Map(environments().map((e) => [e.name as string, e]));
  const dirs = fs
    .readdirSync(DIST_DIR)
    .filter((d) => fs.statSync(path.join(DIST_DIR, d)).isDirectory());
  let failures = 0;
  for (const dir of dirs.sort()) {
    const env = envs.get(dir);
    if (!env && dir !== ARGOCD_CHART_ID) {
      console.error(`dist/${dir}: no environment of this name`);
      failures++;
      continue;
    }
    const objects = fs
      .readdirSync(path.join(DIST_DIR, dir))
      .flatMap((f) =>
        parseAllDocuments(fs.readFileSync(path.join(DIST_DIR, dir, f), 'utf8')).map(
          (d) => d.toJS() as KubeObject,
        ),
      );
    if (promtool) {
      for (const result of promtoolCheckRules(objects)) {
        console.log(`dist/${dir} ${result.object}: promtool ${result.ok ? 'ok' : 'FAILED'}`);
        if (!result.ok) {
          console.error(result.output);
          failures++;
        }
      }
      continue;
    }
    const violations = validateObjects(objects, env ? externalObjects(env) : []);
    if (violations.length > 0) {
      console.error(
        `dist/${dir}: ${violations.length} violation(s)\n${formatViolations(violations)}`,
      );
      failures += violations.length;
    } else {
      console.log(`dist/${dir}: ${objects.length} objects valid`);
    }
  }
  return failures === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
