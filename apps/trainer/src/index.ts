export * from './train.js';
export * from './sources.js';
export * from './prometheus.js';
export * from './dataset.js';
export * from './evaluate.js';
export * from './report.js';
export { runCli, parseTrainArgs, parseDuration, USAGE } from './command.js';
export * from './run-record.js';
