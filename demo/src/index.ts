export {
  runDemo,
  checkContracts,
  SIM_EPOCH_SECONDS,
  type RunDemoProps,
  type DemoOutcome,
} from './run.js';
export * from './report.js';
export { parseDemoArgs, UsageError, USAGE, type DemoArgs } from './args.js';
export { ExtenderClient, ExtenderCallError, podJson, type ClientStats } from './extender-client.js';
export { mlPlacer, type MlPlacer, type MlPolicyCounters } from './ml-policy.js';
