import { buildApp, type BuiltApp } from '../src/app';
import { externalObjects } from '../src/envs/external';
import type { EnvironmentConfig } from '../src/envs/types';
import { renderApp, type KubeObject, type RenderedFile } from '../src/render';

let built: { app: BuiltApp; files: RenderedFile[] } | undefined;

/** The committed app, synthesized once per test file (about half a second). */
export function synthesized(): { app: BuiltApp; files: RenderedFile[] } {
  if (!built) {
    const app = buildApp();
    built = { app, files: renderApp(app.app) };
  }
  return built;
}

/** The rendered objects of one chart directory (`dev`, `staging`, `prod`, `argocd`). */
export function objectsOf(chart: string): KubeObject[] {
  return synthesized()
    .files.filter((f) => f.path.startsWith(`${chart}/`))
    .map((f) => f.object);
}

export function envConfig(name: string): EnvironmentConfig {
  const chart = synthesized().app.environments.find((c) => c.env.name === name);
  if (!chart) throw new Error(`no environment ${name}`);
  return chart.env;
}

export function externalOf(chart: string) {
  return chart === 'argocd' ? [] : externalObjects(envConfig(chart));
}

/** The object of `kind` named `name` in `chart`; fails the test when it is missing. */
export function find(chart: string, kind: string, name: string): KubeObject {
  const found = objectsOf(chart).find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${chart}: no ${kind} ${name}`);
  return found;
}

/** A deep copy to break on purpose. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
