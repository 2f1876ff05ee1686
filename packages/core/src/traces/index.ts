export * from './read-report.js';
export * from './lines.js';
export * from './alibaba2018.js';
export * from './bitbrains.js';
export * from './synthetic.js';
