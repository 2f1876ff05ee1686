import { loadRelease } from './release.js';
import { sharedEnvironment } from './shared.js';
import type { EnvironmentConfig } from './types.js';
import { validateEnvironment } from './validate.js';

/** staging: prod's shape (three replicas) with dev's automation, to rehearse prod rollouts. */
export function stagingEnvironment(releaseDir?: string): EnvironmentConfig {
  const shared = sharedEnvironment('staging', loadRelease('staging', releaseDir));
  return validateEnvironment({
    ...shared,
    scheduler: { ...shared.scheduler, replicas: 3, rolloutFraction: 0.34 },
  });
}
