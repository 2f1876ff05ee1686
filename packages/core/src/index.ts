export * from './types.js';
export * from './cluster.js';
export * from './metric-names.js';
export * from './sim/index.js';
