import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { stringify } from 'yaml';

import type { KubeObject } from '../render.js';
import { ref } from './objects.js';

export interface PromtoolResult {
  readonly object: string;
  readonly ok: boolean;
  /** promtool's own report, stdout and stderr. */
  readonly output: string;
}

/**
 * Runs `promtool check rules` on the groups of every PrometheusRule among `objects`: the same
 * rules Prometheus loads once the operator has turned the object into a rule file.
 */
export function promtoolCheckRules(
  objects: readonly KubeObject[],
  promtool = 'promtool',
): PromtoolResult[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlsched-rules-'));
  try {
    return objects
      .filter((o) => o.kind === 'PrometheusRule')
      .map((o, i) => {
        const file = path.join(dir, `${i}-${o.metadata.name}.yaml`);
        fs.writeFileSync(
          file,
          stringify({ groups: (o.spec as { groups?: unknown[] }).groups ?? [] }),
        );
        const run = spawnSync(promtool, ['check', 'rules', file], { encoding: 'utf8' });
        if (run.error) throw new Error(`cannot run ${promtool}: ${run.error.message}`);
        return { object: ref(o), ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
      });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
