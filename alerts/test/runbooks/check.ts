/**
 * Checks a runbook page against the rules, dashboards and series that exist, so a renamed alert,
 * dashboard or metric cannot leave a page pointing at nothing.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Every alert page has these, each with content. */
export const ALERT_SECTIONS = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation'] as const;
/** Every procedure has these, each with content. */
export const PROCEDURE_SECTIONS = [
  'When to use',
  'Steps',
  'What good looks like',
  'Escalate',
] as const;

export interface RunbookContext {
  readonly alerts: ReadonlySet<string>;
  readonly dashboardUids: ReadonlySet<string>;
  readonly dashboardTitles: ReadonlySet<string>;
  readonly isKnownMetric: (name: string) => boolean;
}

/** `## Heading` → the text under it, up to the next `## ` heading. */
export function sections(markdown: string): Map<string, string> {
  const result = new Map<string, string>();
  let current: string | undefined;
  let body: string[] = [];
  for (const line of markdown.split('\n')) {
    const heading = /^## (.+?)\s*$/.exec(line);
    if (heading) {
      if (current !== undefined) result.set(current, body.join('\n').trim());
      current = heading[1];
      body = [];
    } else if (current !== undefined) {
      body.push(line);
    }
  }
  if (current !== undefined) result.set(current, body.join('\n').trim());
  return result;
}

const unique = (values: Iterable<string>) => [...new Set(values)];

/** Problems of one page; `path` resolves its relative links, `name` labels the messages. */
export function pageProblems(
  name: string,
  path: string,
  markdown: string,
  required: readonly string[],
  ctx: RunbookContext,
): string[] {
  const problems: string[] = [];
  const found = sections(markdown);
  for (const section of required) {
    const body = found.get(section);
    if (body === undefined) problems.push(`${name}: no "## ${section}" section`);
    else if (body === '') problems.push(`${name}: section "${section}" is empty`);
  }

  for (const alert of unique(markdown.match(/\bMlsched[A-Z][A-Za-z0-9]*/g) ?? [])) {
    if (!ctx.alerts.has(alert))
      problems.push(`${name}: names alert ${alert}, which does not exist`);
  }
  for (const [, uid] of markdown.matchAll(/\/d\/([a-z0-9-]+)/g)) {
    if (uid && !ctx.dashboardUids.has(uid)) {
      problems.push(`${name}: links dashboard uid ${uid}, which does not exist`);
    }
  }
  for (const [title] of markdown.matchAll(/ML scheduler \/ [A-Z][a-z]*(?: [a-z]+)*/g)) {
    if (!ctx.dashboardTitles.has(title)) {
      problems.push(`${name}: names dashboard "${title}", which does not exist`);
    }
  }
  const series = (markdown.match(/[a-z_:]*mlsched_[a-z0-9][a-z0-9_:]*/g) ?? []).map((m) =>
    m.replace(/[:_]+$/, ''),
  );
  for (const metric of unique(series)) {
    if (!ctx.isKnownMetric(metric)) {
      problems.push(`${name}: names series ${metric}, which nothing exposes or records`);
    }
  }
  for (const [, target] of markdown.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
    if (!target || /^[a-z]+:/.test(target)) continue;
    if (!existsSync(resolve(dirname(path), target))) {
      problems.push(`${name}: links ${target}, which does not exist`);
    }
  }
  return problems;
}
