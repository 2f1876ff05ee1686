// One jest run for the whole monorepo. Sources are transformed by swc (no type check here:
// `npm run typecheck` does that), and workspace packages resolve to their TypeScript sources so a
// test never runs against a stale build.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/lib/', '/.tools/'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // Jest on Node 20 cannot require() ES modules: these ship ESM only and must be transformed.
  transformIgnorePatterns: [
    '/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose|cookie)/)',
  ],
  moduleNameMapper: {
    '^@mlsched/core$': '<rootDir>/packages/core/src/index.ts',
    '^@mlsched/scheduler$': '<rootDir>/apps/scheduler/src/index.ts',
    '^@mlsched/trainer$': '<rootDir>/apps/trainer/src/index.ts',
    '^@mlsched/dashboards$': '<rootDir>/dashboards/src/index.ts',
    '^@mlsched/alerts$': '<rootDir>/alerts/src/index.ts',
    // Sources import siblings with the .js suffix that nodenext requires.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 30000,
};
