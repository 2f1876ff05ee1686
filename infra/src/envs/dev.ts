import { loadRelease } from './release.js';
import { sharedEnvironment } from './shared.js';
import type { EnvironmentConfig } from './types.js';
import { validateEnvironment } from './validate.js';

/** dev: the first stop of every release; replaced in one go, debug logs. */
export function devEnvironment(releaseDir?: string): EnvironmentConfig {
  const shared = sharedEnvironment('dev', loadRelease('dev', releaseDir));
  return validateEnvironment({
    ...shared,
    scheduler: { ...shared.scheduler, rolloutFraction: 1 },
    extender: { ...shared.extender, logLevel: 'debug' },
  });
}
