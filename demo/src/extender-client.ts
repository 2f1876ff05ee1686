/**
 * The kube-scheduler side of the extender protocol (v1 JSON, `nodeCacheCapable: true`): sends
 * `{ Pod, NodeNames }` to `/filter` and `/prioritize` over real HTTP and checks each reply the way
 * kube-scheduler would, so the demo cannot count a reply the real scheduler would drop.
 */
import type { WorkloadPod } from '@mlsched/core';

export type Verb = 'filter' | 'prioritize';

/** The Pod object kube-scheduler sends: what the extender reads from it, nothing invented. */
export interface PodJson {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly uid: string };
  readonly spec: {
    readonly containers: readonly {
      readonly name: string;
      readonly resources: { readonly requests: { readonly cpu: string; readonly memory: string } };
    }[];
  };
}

export const DEMO_NAMESPACE = 'demo';

/** UID the demo gives a workload pod, also the key of its in-flight entry. */
export function podUid(podName: string): string {
  return `uid-${podName}`;
}

export function podJson(pod: WorkloadPod): PodJson {
  return {
    metadata: { name: pod.name, namespace: DEMO_NAMESPACE, uid: podUid(pod.name) },
    spec: {
      containers: [
        {
          name: 'main',
          resources: {
            requests: { cpu: `${pod.cpuMilli}m`, memory: String(pod.memBytes) },
          },
        },
      ],
    },
  };
}

/** A reply kube-scheduler would reject, or a transport failure. */
export class ExtenderCallError extends Error {
  constructor(
    readonly verb: Verb,
    message: string,
  ) {
    super(`${verb}: ${message}`);
  }
}

export interface ExtenderClientProps {
  /** e.g. `http://127.0.0.1:40123` */
  readonly baseUrl: string;
  /** kube-scheduler's `httpTimeout` for the extender. @default 5000 */
  readonly timeoutMs?: number;
}

export interface CallCounts {
  readonly calls: number;
  readonly errors: number;
}

/** Calls per verb, and every call's round-trip time. */
export interface ClientStats {
  readonly filter: CallCounts;
  readonly prioritize: CallCounts;
  /** Round-trip milliseconds of successful calls, both verbs. */
  readonly latenciesMs: readonly number[];
}

export class ExtenderClient {
  private readonly timeoutMs: number;
  private readonly counts = {
    filter: { calls: 0, errors: 0 },
    prioritize: { calls: 0, errors: 0 },
  };
  private readonly latencies: number[] = [];

  constructor(private readonly props: ExtenderClientProps) {
    this.timeoutMs = props.timeoutMs ?? 5000;
  }

  /** The nodes the extender lets through, a subset of `nodeNames`. */
  async filter(pod: PodJson, nodeNames: readonly string[]): Promise<string[]> {
    const body = await this.post('filter', { Pod: pod, NodeNames: nodeNames });
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw this.fail('filter', 'reply is not a JSON object');
    }
    const reply = body as { NodeNames?: unknown; Error?: unknown };
    if (typeof reply.Error === 'string' && reply.Error !== '') {
      throw this.fail('filter', `extender reported an error: ${reply.Error}`);
    }
    // With nodeCacheCapable kube-scheduler reads NodeNames only; null means "none passed".
    if (reply.NodeNames === null || reply.NodeNames === undefined) return [];
    if (!Array.isArray(reply.NodeNames) || reply.NodeNames.some((n) => typeof n !== 'string')) {
      throw this.fail('filter', 'NodeNames is not an array of strings');
    }
    const asked = new Set(nodeNames);
    const unknown = (reply.NodeNames as string[]).filter((n) => !asked.has(n));
    if (unknown.length > 0) {
      throw this.fail('filter', `NodeNames holds nodes not asked about: ${unknown.join(', ')}`);
    }
    return reply.NodeNames as string[];
  }

  /** Score per node, 0..10 integers, as kube-scheduler decodes them. */
  async prioritize(pod: PodJson, nodeNames: readonly string[]): Promise<Map<string, number>> {
    const body = await this.post('prioritize', { Pod: pod, NodeNames: nodeNames });
    if (!Array.isArray(body)) throw this.fail('prioritize', 'reply is not a JSON array');
    const scores = new Map<string, number>();
    for (const entry of body as unknown[]) {
      const e = entry as { Host?: unknown; Score?: unknown };
      if (typeof e?.Host !== 'string' || !Number.isInteger(e.Score)) {
        // kube-scheduler decodes Score into int64: anything else fails the whole reply.
        throw this.fail(
          'prioritize',
          `entry ${JSON.stringify(entry)} is not {Host, integer Score}`,
        );
      }
      scores.set(e.Host, e.Score as number);
    }
    return scores;
  }

  stats(): ClientStats {
    return {
      filter: { ...this.counts.filter },
      prioritize: { ...this.counts.prioritize },
      latenciesMs: [...this.latencies],
    };
  }

  private async post(verb: Verb, payload: unknown): Promise<unknown> {
    this.counts[verb].calls++;
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(`${this.props.baseUrl}/${verb}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.fail(verb, `request failed: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (res.status !== 200) {
      throw this.fail(verb, `status ${res.status}: ${text.slice(0, 200)}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw this.fail(verb, `reply is not JSON: ${text.slice(0, 200)}`);
    }
    this.latencies.push(performance.now() - started);
    return body;
  }

  private fail(verb: Verb, message: string): ExtenderCallError {
    this.counts[verb].errors++;
    return new ExtenderCallError(verb, message);
  }
}
