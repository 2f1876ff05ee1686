/**
 * Requests Node's HTTP parser refuses before any route runs still get the `{Error}` body the
 * README promises for every 4xx.
 */
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { clientErrorHandler, clientErrorReply } from '../src/client-errors.js';
import { testApp } from './app-helpers.js';
import { captureLog } from './helpers.js';

/** Sends raw bytes to host:port and resolves with everything the server wrote back. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

function parse(answer: string): { status: number; body: unknown; headers: string } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  return { status, body: JSON.parse(body), headers: head };
}

describe('parser-level errors', () => {
  let app: FastifyInstance;
  let port: number;
  let lines: Record<string, unknown>[];

  beforeAll(async () => {
    const t = await testApp();
    app = t.app;
    lines = t.lines;
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers a bad Content-Length with 400 and an Error field', async () => {
    const answer = await raw(
      port,
      'POST /filter HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: abc\r\n\r\n{}',
    );

    const { status, body, headers } = parse(answer);
    expect(status).toBe(400);
    expect(body).toEqual({ Error: 'Content-Length header is not a valid length' });
    expect(headers).toMatch(/content-type: application\/json/i);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'request rejected',
        status: 400,
        code: 'HPE_INVALID_CONTENT_LENGTH',
      }),
    );
  });

  it('answers a broken chunk size with 400 and an Error field', async () => {
    const answer = await raw(
      port,
      'POST /prioritize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    );

    expect(parse(answer)).toMatchObject({
      status: 400,
      body: { Error: 'chunked request body has an invalid chunk size' },
    });
  });

  it('answers a request timeout with 408 and an Error field', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    let answer = '';
    client.on('data', (d: Buffer) => (answer += d.toString()));
    const closed = new Promise((r) => client.on('close', r));
    const serverSide = await accepted;
    serverSide.on('error', () => undefined);
    const { logger } = captureLog('silent');
    const timeout = Object.assign(new Error('Request timeout'), {
      code: 'ERR_HTTP_REQUEST_TIMEOUT',
    });

    clientErrorHandler(30_000).call(
      { log: logger } as unknown as FastifyInstance,
      timeout,
      serverSide,
    );
    await closed;
    server.close();

    expect(parse(answer)).toMatchObject({
      status: 408,
      body: { Error: 'request not received in full within 30 s' },
    });
  });

  it('says nothing to a connection the client reset', () => {
    expect(clientErrorReply({ code: 'ECONNRESET' }, 30_000)).toBeUndefined();
    expect(clientErrorReply({ code: 'HPE_HEADER_OVERFLOW' }, 30_000)?.status).toBe(431);
  });
});
