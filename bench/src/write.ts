import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderMarkdown, renderSvg } from './report.js';
import type { BenchReport } from './run.js';

export interface WrittenReport {
  readonly markdown: string;
  readonly files: { readonly markdown: string; readonly json: string; readonly svg: string };
}

/** Writes bench.md, bench.json and bench.svg into `dir`; returns the markdown and the paths. */
export async function writeReport(report: BenchReport, dir: string): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const files = {
    markdown: join(dir, 'bench.md'),
    json: join(dir, 'bench.json'),
    svg: join(dir, 'bench.svg'),
  };
  const markdown = renderMarkdown(report, 'bench.svg');
  await writeFile(files.markdown, markdown);
  await writeFile(files.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(files.svg, renderSvg(report));
  return { markdown, files };
}
