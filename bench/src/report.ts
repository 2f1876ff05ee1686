/**
 * The report as a person reads it: markdown tables (stdout and reports/bench.md) with every
 * ratio next to its two figures, and a bar chart (reports/bench.svg).
 */
import type { BenchReport } from './run.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Three significant digits, grouped: 0.0123, 1.23, 123, 12,300. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return integer.format(value);
  if (abs === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(abs)));
  return value.toFixed(Math.min(digits, 6));
}

export function bytes(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${num(value / 1e6)} MB`;
  if (abs >= 1e3) return `${num(value / 1e3)} kB`;
  return `${num(value)} B`;
}

export function ratio(value: number): string {
  return `${num(value)}×`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const right = (cell: string) => /^[-\d.,]/.test(cell);
  const align = header.map((_, i) => (rows.every((r) => right(r[i] ?? '')) ? '---:' : '---'));
  return [header, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function renderMarkdown(report: BenchReport, chartFile?: string): string {
  const { meta, http, scoring, refresh, memory } = report;
  const out: string[] = [];
  out.push('# Extender benchmarks', '');
  out.push(
    `${meta.startedAt}, ${num(meta.durationSeconds)} s. Node ${meta.node} on ${meta.platform}, ` +
      `${meta.cpus} × ${meta.cpuModel}; 1-min load average ${num(meta.loadAverage.start)} at ` +
      `start, ${num(meta.loadAverage.end)} at end. Baselines ran in the same process.`,
    '',
  );

  const cold = report.coldStart;
  const warmOf = (verb: string) =>
    http.cases.find((c) => c.verb === verb && c.nodes === cold.nodes && c.mode === 'names');
  out.push(`## X02: cold cache, ${cold.nodes} NodeNames right after start-up`, '');
  out.push(
    'A fresh extender, empty store, no model: every node passed and scored 5 (checked). ' +
      'The first requests ran before any other extender code in the process.',
    '',
  );
  out.push(
    table(
      ['verb', 'first request ms', 'cold p50 ms', 'cold p99 ms', 'warm p50 ms', 'cold ÷ warm p50'],
      [cold.filter, cold.prioritize].map((c) => {
        const warm = warmOf(c.verb);
        return [
          c.verb,
          num(c.verb === 'filter' ? cold.firstFilterMs : cold.firstPrioritizeMs),
          num(c.p50Ms),
          num(c.p99Ms),
          warm ? num(warm.p50Ms) : '–',
          warm ? ratio(c.p50Ms / warm.p50Ms) : '–',
        ];
      }),
    ),
    '',
  );

  out.push('## X11: filter and prioritize over HTTP, full Node objects vs NodeNames', '');
  out.push(
    `One request at a time over keep-alive loopback, warm store. A Node object is ` +
      `${bytes(meta.nodeObjectBytes)} of JSON on average. p99 with n under 100 is close to ` +
      'the maximum.',
    '',
  );
  out.push(
    table(
      ['verb', 'nodes', 'mode', 'req/s', 'p50 ms', 'p99 ms', 'request', 'reply', 'n'],
      http.cases.map((c) => [
        c.verb,
        String(c.nodes),
        c.mode === 'names' ? 'NodeNames' : 'full Nodes',
        num(c.requestsPerSecond),
        num(c.p50Ms),
        num(c.p99Ms),
        bytes(c.requestBytes),
        bytes(c.responseBytes),
        String(c.requests),
      ]),
    ),
    '',
  );
  out.push('Full ÷ NodeNames, same verb and node count:', '');
  out.push(
    table(
      ['verb', 'nodes', 'req/s', 'p50', 'p99', 'request bytes', 'reply bytes'],
      http.ratios.map((r) => [
        r.verb,
        String(r.nodes),
        ratio(r.requestsPerSecond),
        ratio(r.p50Ms),
        ratio(r.p99Ms),
        ratio(r.requestBytes),
        ratio(r.responseBytes),
      ]),
    ),
    '',
  );

  out.push(`## Decision path in-process, ${integer.format(scoring.nodes)} nodes`, '');
  out.push(
    `ExtenderService on a warm store against kube-scheduler's request-based filter and ` +
      `scoring on the same nodes and pod; median of ${scoring.rounds} alternating rounds. The ` +
      `extender's filter passed ${scoring.extenderPassed} nodes, kube-default's ` +
      `${scoring.baselineFeasible}; prioritize is asked about those.`,
    '',
  );
  out.push(
    table(
      ['case', 'extender ns/node', 'kube-default ns/node', 'extender ÷ kube-default'],
      scoring.rows.map((r) => [
        r.case,
        num(r.extenderNsPerNode),
        num(r.baselineNsPerNode),
        ratio(r.ratio),
      ]),
    ),
    '',
  );

  const m = refresh.model;
  out.push(`## Metrics refresh for ${integer.format(refresh.nodes)} nodes`, '');
  out.push(
    `Model ${m.version} (${m.source}, ${m.rounds} rounds, depth ${m.maxDepth}` +
      `${m.trainSeconds !== undefined ? `, trained in ${num(m.trainSeconds)} s` : ''}) against ` +
      `the last-value stand-in; median of ${refresh.rounds} alternating rounds; ` +
      `${refresh.forecastsOk} of ${refresh.nodes} nodes had a model forecast at the end.`,
    '',
  );
  out.push(
    table(
      ['case', 'model ms', 'last value ms', 'model µs/node', 'last value µs/node', 'model ÷ last'],
      refresh.rows.map((r) => [
        r.case,
        num(r.modelMs),
        num(r.lastValueMs),
        num(r.modelUsPerNode),
        num(r.lastValueUsPerNode),
        ratio(r.ratio),
      ]),
    ),
    '',
  );

  const first = memory.runs[0];
  out.push(
    `## Memory: ${first?.calls ?? 0} filter calls with ${integer.format(first?.nodes ?? 0)} nodes`,
    '',
  );
  out.push(
    memory.gcExposed
      ? '"before" follows a full collection, "after GC" another after the last call. ' +
          '"kept per call" is the after-GC heap growth from the first quarter of the run to the ' +
          'end, divided by the calls in between: what accumulates per call.'
      : 'Run without --expose-gc: no after-GC figures, "before" is as found.',
    '',
  );
  const gcCell = (v: number | undefined) => (v === undefined ? '–' : bytes(v));
  out.push(
    table(
      [
        'mode',
        'request',
        'heap before',
        'heap peak',
        'heap after',
        'heap after GC',
        'RSS before',
        'RSS peak',
        'RSS after GC',
        'kept per call',
      ],
      memory.runs.map((r) => [
        r.mode === 'names' ? 'NodeNames' : 'full Nodes',
        bytes(r.requestBytes),
        bytes(r.before.heapUsed),
        bytes(r.peak.heapUsed),
        bytes(r.after.heapUsed),
        gcCell(r.afterGc?.heapUsed),
        bytes(r.before.rss),
        bytes(r.peak.rss),
        gcCell(r.afterGc?.rss),
        r.retainedHeapPerCall === null ? '–' : bytes(r.retainedHeapPerCall),
      ]),
    ),
    '',
  );
  for (const run of memory.runs) {
    if (run.checkpoints.length === 0) continue;
    const points = run.checkpoints.map((c) => `${c.calls}: ${bytes(c.heapUsed)}`).join(', ');
    out.push(
      `- ${run.mode === 'names' ? 'NodeNames' : 'Full Nodes'}, heap after GC by calls made: ` +
        `${points}.`,
    );
  }
  out.push('', `Peak heap growth, full ÷ NodeNames: ${ratio(memory.peakHeapGrowthRatio)}.`, '');
  if (chartFile) out.push(`![benchmark chart](${chartFile})`, '');
  return out.join('\n');
}

interface Bar {
  readonly series: number;
  readonly value: number;
  readonly text: string;
}

interface PanelRow {
  readonly label: string;
  readonly bars: readonly Bar[];
}

interface Panel {
  readonly title: string;
  readonly series: readonly string[];
  readonly log: boolean;
  readonly rows: readonly PanelRow[];
}

const WIDTH = 820;
const LABEL_W = 250;
const BAR_H = 13;
const PLOT_W = WIDTH - LABEL_W - 110;
// Baseline grey first, the measured side in blue: the eye goes to the blue bar.
const COLOURS = ['#9aa0a6', '#2f6db5'];

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

function panelSvg(panel: Panel, top: number): { svg: string; height: number } {
  const values = panel.rows.flatMap((r) => r.bars.map((b) => b.value)).filter((v) => v > 0);
  const max = Math.max(...values, 1e-9);
  const min = Math.min(...values, max);
  // Log panels start one decade below the smallest bar so it still shows.
  const lo = panel.log ? Math.log10(min) - 1 : 0;
  const hi = panel.log ? Math.log10(max) : max;
  const scale = (v: number): number => {
    const x = panel.log ? Math.log10(Math.max(v, 10 ** lo)) : v;
    return Math.max(1, ((x - lo) / (hi - lo || 1)) * PLOT_W);
  };

  const parts: string[] = [];
  parts.push(
    `<text x="10" y="${top + 16}" font-size="14" font-weight="bold">` +
      `${escapeXml(panel.title)}</text>`,
  );
  panel.series.forEach((name, i) => {
    const x = LABEL_W + i * 180;
    parts.push(
      `<rect x="${x}" y="${top + 24}" width="12" height="12" ` +
        `fill="${COLOURS[i % COLOURS.length]}"/>`,
      `<text x="${x + 18}" y="${top + 34}" font-size="12">${escapeXml(name)}</text>`,
    );
  });
  let y = top + 46;
  for (const row of panel.rows) {
    const rowH = row.bars.length * (BAR_H + 2) + 8;
    parts.push(
      `<text x="${LABEL_W - 8}" y="${y + rowH / 2}" font-size="12" text-anchor="end">` +
        `${escapeXml(row.label)}</text>`,
    );
    row.bars.forEach((bar, i) => {
      const w = scale(bar.value);
      const by = y + i * (BAR_H + 2);
      parts.push(
        `<rect class="bar" x="${LABEL_W}" y="${by}" width="${w.toFixed(1)}" height="${BAR_H}" ` +
          `fill="${COLOURS[bar.series % COLOURS.length]}"/>`,
        `<text x="${(LABEL_W + w + 4).toFixed(1)}" y="${by + BAR_H - 2}" font-size="11">` +
          `${escapeXml(bar.text)}</text>`,
      );
    });
    y += rowH;
  }
  return { svg: parts.join('\n'), height: y - top + 14 };
}

export function renderSvg(report: BenchReport): string {
  const { http, scoring, refresh, memory } = report;
  const panels: Panel[] = [
    {
      title: 'X11: p50 latency per request over HTTP, ms (log scale)',
      series: ['NodeNames', 'full Node objects'],
      log: true,
      rows: http.ratios.map((r) => {
        const pick = (mode: string) =>
          http.cases.find((c) => c.verb === r.verb && c.nodes === r.nodes && c.mode === mode);
        const bars = (['names', 'objects'] as const).map((mode, series) => {
          const value = pick(mode)?.p50Ms ?? 0;
          const times = mode === 'objects' ? ` (${ratio(r.p50Ms)})` : '';
          return { series, value, text: `${num(value)} ms${times}` };
        });
        return { label: `${r.verb}, ${r.nodes} nodes`, bars };
      }),
    },
    {
      title: `Decision cost in-process, ns per node (${integer.format(scoring.nodes)} nodes)`,
      series: ['kube-default', 'extender'],
      log: false,
      rows: scoring.rows.map((r) => ({
        label: r.case,
        bars: [
          { series: 0, value: r.baselineNsPerNode, text: num(r.baselineNsPerNode) },
          {
            series: 1,
            value: r.extenderNsPerNode,
            text: `${num(r.extenderNsPerNode)} (${ratio(r.ratio)})`,
          },
        ],
      })),
    },
    {
      title: `Metrics refresh, ms for ${integer.format(refresh.nodes)} nodes`,
      series: ['last value', 'XGBoost model'],
      log: false,
      rows: refresh.rows.map((r) => ({
        label: r.case.replace('refresh: 2 queries + parse + ingest + forecast', 'full refresh'),
        bars: [
          { series: 0, value: r.lastValueMs, text: `${num(r.lastValueMs)} ms` },
          { series: 1, value: r.modelMs, text: `${num(r.modelMs)} ms (${ratio(r.ratio)})` },
        ],
      })),
    },
    {
      title: 'Memory across the filter run: heap, MB',
      series: ['NodeNames', 'full Node objects'],
      log: false,
      rows: (
        [
          ['before', (r) => r.before.heapUsed],
          ['peak', (r) => r.peak.heapUsed],
          ['after GC', (r) => r.afterGc?.heapUsed ?? r.after.heapUsed],
        ] as const satisfies readonly (readonly [
          string,
          (r: (typeof memory.runs)[number]) => number,
        ])[]
      ).map(([label, pick]) => ({
        label: memory.gcExposed || label !== 'after GC' ? label : 'after (no GC)',
        bars: memory.runs.map((run, series) => ({
          series,
          value: pick(run) / 1e6,
          text: bytes(pick(run)),
        })),
      })),
    },
  ];

  let top = 10;
  const bodies: string[] = [];
  for (const panel of panels) {
    const { svg, height } = panelSvg(panel, top);
    bodies.push(svg);
    top += height;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top}" ` +
      `viewBox="0 0 ${WIDTH} ${top}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${WIDTH}" height="${top}" fill="#ffffff"/>`,
    ...bodies,
    '</svg>',
    '',
  ].join('\n');
}
