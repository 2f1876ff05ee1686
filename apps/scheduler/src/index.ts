export * from './anomaly.js';
export { buildApp, type ExtenderAppProps } from './app.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export {
  ConfigError,
  DEFAULT_CPU_QUERY,
  DEFAULT_FRESHNESS_QUERY,
  DEFAULT_MEMORY_QUERY,
  loadConfig,
  type ExtenderConfig,
  type LogLevel,
} from './config.js';
export * from './degradation.js';
export {
  ANOMALOUS_MESSAGE,
  ExtenderService,
  type NodeAssessment,
  type ScoringSettings,
} from './extender.js';
export * from './inflight.js';
export * from './kube-objects.js';
export { ListenError, loadModel, startExtender, type RunningExtender } from './main.js';
export * from './node-metrics.js';
export * from './prometheus-refresher.js';
export * from './protocol.js';
export * from './quantity.js';
export * from './scoring.js';
export * from './shared-state.js';
export * from './trainer-runs.js';
export { ExtenderTelemetry, versionTimestamp, type Decision, type Verb } from './telemetry.js';
