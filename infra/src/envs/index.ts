import { devEnvironment } from './dev.js';
import { prodEnvironment } from './prod.js';
import { stagingEnvironment } from './staging.js';
import { ENVIRONMENT_NAMES, type EnvironmentConfig, type EnvironmentName } from './types.js';

const FACTORIES: Readonly<Record<EnvironmentName, (releaseDir?: string) => EnvironmentConfig>> = {
  dev: devEnvironment,
  staging: stagingEnvironment,
  prod: prodEnvironment,
};

/** Every environment, in promotion order, each validated. */
export function environments(releaseDir?: string): EnvironmentConfig[] {
  return ENVIRONMENT_NAMES.map((name) => FACTORIES[name](releaseDir));
}

export * from './types.js';
