/**
 * `npm run synth` writes every environment's manifests to `dist/`; `npm run synth:check`
 * fails when the committed `dist/` is not what synth produces.
 */
import * as path from 'node:path';

import { buildApp } from './app.js';
import { diffOutput, renderApp, writeOutput } from './render.js';

/** The repository root, from `infra/src` (tests) or `infra/lib` (compiled). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const DIST_DIR = path.join(REPO_ROOT, 'dist');

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const files = renderApp(buildApp().app);

  if (check) {
    const problems = diffOutput(files, DIST_DIR);
    if (problems.length > 0) {
      console.error(
        `dist/ is not what synth produces; run npm run synth and commit:\n  ${problems.join('\n  ')}`,
      );
      return 1;
    }
    console.log(`dist/ is up to date (${files.length} files)`);
    return 0;
  }
  writeOutput(files, DIST_DIR);
  console.log(`wrote ${files.length} files to ${path.relative(process.cwd(), DIST_DIR) || '.'}`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    // A ConfigError names the setting; the stack adds nothing for the person fixing it.
    console.error(err instanceof Error && err.name === 'ConfigError' ? err.message : err);
    process.exitCode = 1;
  }
}
