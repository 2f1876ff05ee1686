/**
 * Promotion by pull request. `npm run promote -w infra -- --from dev --to staging` copies what
 * runs in one environment (image digests, model versions) into the next one's release file and
 * re-synthesizes `dist/`, so the pull request shows the release change and the YAML it causes.
 * `--to dev --set-image scheduler=<ref> --set-model node-load=<version>` sets the first
 * environment from a new build or a newly trained model.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';

import { buildApp } from './app.js';
import { environments } from './envs/index.js';
import { ConfigError } from './envs/config-error.js';
import {
  defaultReleaseDir,
  formatRelease,
  isUnpublished,
  loadRelease,
  parseRelease,
  releaseFile,
} from './envs/release.js';
import { ENVIRONMENT_NAMES, type EnvironmentName, type Release } from './envs/types.js';
import { DIST_DIR } from './main.js';
import { diffOutput, renderApp, writeOutput } from './render.js';

export interface PromoteOptions {
  /** Copy from this environment; omitted when setting values directly. */
  readonly from?: EnvironmentName;
  readonly to: EnvironmentName;
  /** `scheduler` / `trainer` → image reference by digest. */
  readonly setImages?: Readonly<Partial<Record<'scheduler' | 'trainer', string>>>;
  /** Model name → version. */
  readonly setModels?: Readonly<Record<string, string>>;
  readonly releaseDir?: string;
  readonly outDir?: string;
}

export interface PromotionResult {
  readonly changed: boolean;
  /** One line per release field that changed: `images.scheduler: old → new`. */
  readonly changes: readonly string[];
  /** `dist/` files the promotion rewrote, added or removed. */
  readonly distChanges: readonly string[];
  /** Markdown for the pull request body. */
  readonly summary: string;
}

export function promote(options: PromoteOptions): PromotionResult {
  const releaseDir = options.releaseDir ?? defaultReleaseDir();
  const outDir = options.outDir ?? DIST_DIR;
  const current = loadRelease(options.to, releaseDir);
  const next = nextRelease(options, current, releaseDir);

  for (const [key, ref] of Object.entries(next.images)) {
    if (isUnpublished(ref) && ref !== current.images[key as keyof Release['images']]) {
      throw new ConfigError(
        `images.${key}: ${ref} is the unpublished placeholder; publish an image first`,
      );
    }
  }
  const changes = releaseChanges(current, next);
  if (changes.length === 0) {
    return {
      changed: false,
      changes,
      distChanges: [],
      summary: `Nothing to promote to ${options.to}.\n`,
    };
  }

  // Validate the new release as part of its environment before anything is written.
  parseRelease(JSON.parse(formatRelease(next)), releaseFile(options.to, releaseDir));
  const file = releaseFile(options.to, releaseDir);
  const previousText = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, formatRelease(next));
  let files;
  try {
    files = renderApp(buildApp({ environments: environments(releaseDir) }).app);
  } catch (err) {
    // A release that makes its environment invalid is not left half-applied.
    fs.writeFileSync(file, previousText);
    throw err;
  }
  const distChanges = diffOutput(files, outDir);
  writeOutput(files, outDir);

  const title = options.from
    ? `Promote ${options.from} to ${options.to}`
    : `Release to ${options.to}`;
  const summary = [
    `## ${title}`,
    '',
    'Release changes:',
    '',
    ...changes.map((c) => `- \`${c}\``),
    '',
    `Rendered manifests changed (${distChanges.length}):`,
    '',
    ...distChanges.map((c) => `- ${c}`),
    '',
    options.to === 'prod'
      ? 'prod syncs by hand: after merging, review the diff in Argo CD and press Sync.'
      : `Argo CD syncs ${options.to} automatically after the merge.`,
    '',
  ].join('\n');
  return { changed: true, changes, distChanges, summary };
}

// TODO(infra): promotion moves a model version's pin, not its artifact; until the model stores
// share a backend, the artifact must be copied to the target store before the pull request is
// merged, or the new extender pods refuse to start (the old ones keep serving).
function nextRelease(options: PromoteOptions, current: Release, releaseDir: string): Release {
  if (options.from !== undefined) {
    const fromIndex = ENVIRONMENT_NAMES.indexOf(options.from);
    const toIndex = ENVIRONMENT_NAMES.indexOf(options.to);
    // Skipping a stage (dev → prod) would ship what staging never ran.
    if (toIndex !== fromIndex + 1) {
      throw new ConfigError(
        `--to ${options.to}: promotion goes ${ENVIRONMENT_NAMES.join(' → ')}, one step at a time; ` +
          `the step after ${options.from} is ${ENVIRONMENT_NAMES[fromIndex + 1] ?? 'none'}`,
      );
    }
    if (options.setImages || options.setModels) {
      throw new ConfigError('--set-image and --set-model apply to a release without --from');
    }
    const source = loadRelease(options.from, releaseDir);
    return { images: { ...source.images }, models: { ...source.models } };
  }
  if (!options.setImages && !options.setModels) {
    throw new ConfigError('give --from <env>, or --set-image / --set-model to change a release');
  }
  for (const name of Object.keys(options.setModels ?? {})) {
    if (!(name in current.models))
      throw new ConfigError(`--set-model ${name}: no such model in ${options.to}`);
  }
  return {
    images: { ...current.images, ...options.setImages },
    models: { ...current.models, ...options.setModels },
  };
}

function releaseChanges(current: Release, next: Release): string[] {
  const out: string[] = [];
  for (const key of ['scheduler', 'trainer'] as const) {
    if (current.images[key] !== next.images[key]) {
      out.push(`images.${key}: ${current.images[key]} → ${next.images[key]}`);
    }
  }
  for (const name of new Set([...Object.keys(current.models), ...Object.keys(next.models)])) {
    const before = current.models[name] ?? null;
    const after = next.models[name] ?? null;
    if (before !== after) out.push(`models.${name}: ${String(before)} → ${String(after)}`);
  }
  return out;
}

/** Parses the command line; throws ConfigError naming the flag that is wrong. */
export function parsePromoteArgs(
  argv: readonly string[],
): PromoteOptions & { summaryFile?: string } {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'set-image': { type: 'string', multiple: true },
      'set-model': { type: 'string', multiple: true },
      summary: { type: 'string' },
    },
  });
  const env = (flag: string, value: string | undefined): EnvironmentName | undefined => {
    if (value === undefined) return undefined;
    if (!(ENVIRONMENT_NAMES as readonly string[]).includes(value)) {
      throw new ConfigError(`--${flag}: ${value} is not one of ${ENVIRONMENT_NAMES.join(', ')}`);
    }
    return value as EnvironmentName;
  };
  const to = env('to', values.to);
  if (!to) throw new ConfigError('--to: required');
  const pairs = (flag: string, items: string[] | undefined): Record<string, string> | undefined => {
    if (!items) return undefined;
    return Object.fromEntries(
      items.map((item) => {
        const at = item.indexOf('=');
        if (at <= 0) throw new ConfigError(`--${flag}: ${item} is not name=value`);
        return [item.slice(0, at), item.slice(at + 1)];
      }),
    );
  };
  const setImages = pairs('set-image', values['set-image']);
  for (const key of Object.keys(setImages ?? {})) {
    if (key !== 'scheduler' && key !== 'trainer') {
      throw new ConfigError(`--set-image: ${key} is not scheduler or trainer`);
    }
  }
  return {
    from: env('from', values.from),
    to,
    setImages,
    setModels: pairs('set-model', values['set-model']),
    summaryFile: values.summary,
  };
}

if (require.main === module) {
  try {
    const options = parsePromoteArgs(process.argv.slice(2));
    const result = promote(options);
    if (options.summaryFile) fs.writeFileSync(options.summaryFile, result.summary);
    process.stdout.write(result.summary);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const usage =
      err instanceof ConfigError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
    console.error(usage ? (err as Error).message : err);
    process.exitCode = 1;
  }
}
