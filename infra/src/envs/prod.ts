import { loadRelease } from './release.js';
import { sharedEnvironment } from './shared.js';
import type { EnvironmentConfig } from './types.js';
import { validateEnvironment } from './validate.js';

/**
 * prod: three replicas, one replaced at a time, more room for the extender, and no automated
 * sync: Argo CD shows the diff and a person syncs it.
 */
export function prodEnvironment(releaseDir?: string): EnvironmentConfig {
  const shared = sharedEnvironment('prod', loadRelease('prod', releaseDir));
  return validateEnvironment({
    ...shared,
    scheduler: {
      ...shared.scheduler,
      replicas: 3,
      rolloutFraction: 0.34,
      extenderResources: {
        requests: { cpuMilli: 500, memoryMiB: 512 },
        limits: { cpuMilli: 2000, memoryMiB: 1024 },
      },
    },
    redis: { ...shared.redis, storage: { ...shared.redis.storage, sizeGiB: 5 } },
    argocd: { automatedSync: false },
  });
}
