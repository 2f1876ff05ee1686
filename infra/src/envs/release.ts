import * as fs from 'node:fs';
import * as path from 'node:path';

import { ConfigError } from './config-error.js';
import type { EnvironmentName, Release } from './types.js';

/** `<registry>/<repository>@sha256:<64 hex>`: the only image reference a release may hold. */
const DIGEST_REF =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\.[a-z0-9-]+)*(?::\d+)?(?:\/[a-z0-9._-]+)+@sha256:[0-9a-f]{64}$/;
/** Model versions name directories and appear in labels: a safe, bounded alphabet. */
const MODEL_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * The digest a release holds before the images workflow has published anything. It renders
 * (every object stays valid) but cannot be pulled; promotion refuses to carry it forward.
 */
export const UNPUBLISHED_DIGEST = `sha256:${'0'.repeat(64)}`;

export function isUnpublished(imageRef: string): boolean {
  return imageRef.endsWith(`@${UNPUBLISHED_DIGEST}`);
}

/** Where each environment's release file lives, relative to this module (src or lib). */
export function releaseFile(env: EnvironmentName, dir = defaultReleaseDir()): string {
  return path.join(dir, `${env}.json`);
}

/**
 * The release files live in `src/envs/releases` and are read at synth time, so the compiled
 * app (in `lib/`) reads the same files the promote command edits.
 */
export function defaultReleaseDir(): string {
  return path.resolve(__dirname, '..', '..', 'src', 'envs', 'releases');
}

export function loadRelease(env: EnvironmentName, dir = defaultReleaseDir()): Release {
  const file = releaseFile(env, dir);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: cannot read release (${(err as Error).message})`);
  }
  return parseRelease(raw, file);
}

/** Checks a parsed release file field by field; every problem names its field. */
export function parseRelease(raw: unknown, source: string): Release {
  const problems: string[] = [];
  const obj = asRecord(raw);
  if (!obj) throw new ConfigError(`${source}: a release must be a JSON object`);

  const images = asRecord(obj.images);
  if (!images) problems.push('images: must be an object with scheduler and trainer');
  for (const key of ['scheduler', 'trainer'] as const) {
    const ref = images?.[key];
    if (images && (typeof ref !== 'string' || !DIGEST_REF.test(ref))) {
      problems.push(
        `images.${key}: must be <repository>@sha256:<64 hex>, got ${JSON.stringify(ref)}`,
      );
    }
  }

  const models = asRecord(obj.models);
  if (!models || Object.keys(models).length === 0) {
    problems.push('models: must map at least one model name to its version');
  }
  for (const [name, version] of Object.entries(models ?? {})) {
    if (version !== null && (typeof version !== 'string' || !MODEL_VERSION.test(version))) {
      problems.push(
        `models.${name}: must be null or match ${MODEL_VERSION}, got ${JSON.stringify(version)}`,
      );
    }
  }

  const unknown = Object.keys(obj).filter((k) => k !== 'images' && k !== 'models');
  for (const key of unknown) problems.push(`${key}: unknown field`);

  if (problems.length > 0) throw new ConfigError(`${source}: ${problems.join('; ')}`);
  return {
    images: { scheduler: images?.scheduler as string, trainer: images?.trainer as string },
    models: models as Record<string, string | null>,
  };
}

/** Writes a release back in the layout the files are committed in (sorted, 2-space JSON). */
export function formatRelease(release: Release): string {
  const models = Object.fromEntries(
    Object.entries(release.models).sort(([a], [b]) => a.localeCompare(b)),
  );
  const ordered = {
    images: { scheduler: release.images.scheduler, trainer: release.images.trainer },
    models,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
