/**
 * `node -r ./ts-entry.cjs apps/scheduler/src/main.ts`: runs a TypeScript entry point as its own
 * process, compiled by swc on require, with workspace packages resolved to their sources (as
 * jest does), so a process test never runs against a stale build.
 */
/* global require, __dirname */
// A -r hook must be CommonJS that node loads as is, before any TypeScript can run.
/* eslint-disable @typescript-eslint/no-require-imports */
const Module = require('node:module');
const { existsSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { transformSync } = require('@swc/core');

const root = resolve(__dirname, '..', '..', '..');
const packages = {
  '@mlsched/core': join(root, 'packages/core/src/index.ts'),
  '@mlsched/scheduler': join(root, 'apps/scheduler/src/index.ts'),
};

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (packages[request]) return packages[request];
  // Sources import siblings with the .js suffix that nodenext requires.
  if (request.startsWith('.') && request.endsWith('.js') && parent && parent.filename) {
    const ts = resolve(parent.filename, '..', request.slice(0, -3) + '.ts');
    if (existsSync(ts)) return ts;
  }
  return resolveFilename.call(this, request, parent, ...rest);
};

Module._extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
