/**
 * Just enough of Prometheus' text exposition format for the stand-in exporters: families of
 * samples with labels, and cumulative histograms.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly samples: readonly Sample[];
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

/** Renders families as text exposition, version 0.0.4. */
export function render(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const name = f.type === 'histogram' ? (s.labels.__name__ ?? f.name) : f.name;
      const { __name__: _drop, ...labels } = s.labels;
      lines.push(`${name}${labelText(labels)} ${s.value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A histogram keeping cumulative bucket counts per label set, as client libraries do. */
export class Histogram {
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; count: number; sum: number }
  >();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = JSON.stringify(labels);
    const s = this.series.get(key) ?? {
      labels,
      counts: this.buckets.map(() => 0),
      count: 0,
      sum: 0,
    };
    this.series.set(key, s);
    this.buckets.forEach((le, i) => {
      if (value <= le) s.counts[i] = (s.counts[i] ?? 0) + 1;
    });
    s.count += 1;
    s.sum += value;
  }

  family(): Family {
    const samples: Sample[] = [];
    for (const s of this.series.values()) {
      const bucket = (le: string, value: number): Sample => ({
        labels: { __name__: `${this.name}_bucket`, ...s.labels, le },
        value,
      });
      this.buckets.forEach((le, i) => samples.push(bucket(String(le), s.counts[i] ?? 0)));
      samples.push(
        bucket('+Inf', s.count),
        { labels: { __name__: `${this.name}_sum`, ...s.labels }, value: s.sum },
        { labels: { __name__: `${this.name}_count`, ...s.labels }, value: s.count },
      );
    }
    return { name: this.name, type: 'histogram', help: this.help, samples };
  }
}

export interface MetricsEndpoint {
  /** `127.0.0.1:port`, as a Prometheus target. */
  readonly target: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` on a free loopback port from `families()`, computed per scrape. */
export async function serveMetrics(families: () => readonly Family[]): Promise<MetricsEndpoint> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(render(families()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
