// Lets a child `node` process run this repo's TypeScript sources, the way jest does (swc, with
// `@mlsched/*` mapped to sources and `./x.js` imports resolved to `./x.ts`). Used only when the
// trainer itself runs from sources (jest, ad-hoc scripts) and forks its training worker; the
// compiled `lib/` needs nothing of this. Relies on @swc/core, a root devDependency.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '..', '..', '..');
const aliases = {
  '@mlsched/core': path.join(root, 'packages/core/src/index.ts'),
  '@mlsched/trainer': path.join(root, 'apps/trainer/src/index.ts'),
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (aliases[request]) return aliases[request];
  if (parent?.filename?.endsWith('.ts') && request.startsWith('.') && request.endsWith('.js')) {
    const ts = path.resolve(path.dirname(parent.filename), `${request.slice(0, -3)}.ts`);
    if (fs.existsSync(ts)) return ts;
  }
  return resolve.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
