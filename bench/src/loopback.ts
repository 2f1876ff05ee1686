/**
 * A keep-alive HTTP client for one loopback server, one request at a time: kube-scheduler runs
 * one scheduling cycle at a time and calls its extender from it, so requests to an extender do
 * not overlap. Replies are counted, not parsed, unless the caller asks for the body.
 */
import { Agent, request } from 'node:http';

export interface LoopbackReply {
  readonly status: number;
  readonly bytes: number;
  /** The reply body, only when asked for. */
  readonly body?: Buffer;
}

export class LoopbackClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
      throw new Error(`the bench client talks to loopback only, got host ${host}`);
    }
  }

  post(path: string, body: Buffer, keepBody = false): Promise<LoopbackReply> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          path,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          let bytes = 0;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (keepBody) chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              bytes,
              ...(keepBody ? { body: Buffer.concat(chunks) } : {}),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
