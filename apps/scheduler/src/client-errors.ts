/**
 * Replies to requests Node's HTTP parser refuses before any route sees them (timeouts, broken
 * framing). fastify's default answers `{error, message}`; kube-scheduler and the README expect
 * `{Error}` on every 4xx, so the same shape is written here, by hand, on the raw socket.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** What to answer to a parser-level error; undefined when the connection is already gone. */
export interface ClientErrorReply {
  readonly status: number;
  /** The `Error` field of the body. */
  readonly message: string;
}

/** Maps an HTTP parser or timeout error (by its `code`) to a status and a message. */
export function clientErrorReply(
  err: { code?: string },
  requestTimeoutMs: number,
): ClientErrorReply | undefined {
  switch (err.code) {
    case 'ECONNRESET':
      return undefined;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        message: `request not received in full within ${requestTimeoutMs / 1000} s`,
      };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: 'request headers are larger than the server accepts' };
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { status: 400, message: 'Content-Length header is not a valid length' };
    case 'HPE_INVALID_CHUNK_SIZE':
      return { status: 400, message: 'chunked request body has an invalid chunk size' };
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return { status: 400, message: 'Transfer-Encoding header is not valid' };
    default:
      return {
        status: 400,
        message: `malformed HTTP request (${err.code ?? 'unknown parser error'})`,
      };
  }
}

/** A `clientErrorHandler` for fastify that answers `{Error}` and logs the refusal at warn. */
export function clientErrorHandler(requestTimeoutMs: number) {
  return function handle(this: FastifyInstance, err: Error & { code?: string }, socket: Socket) {
    if (socket.destroyed) return;
    const reply = clientErrorReply(err, requestTimeoutMs);
    if (!reply) {
      socket.destroy();
      return;
    }
    this.log.warn(
      { status: reply.status, error: reply.message, code: err.code },
      'request rejected',
    );
    if (socket.writable) {
      const body = JSON.stringify({ Error: reply.message });
      socket.write(
        `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status]}\r\n` +
          'Content-Type: application/json; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          'Connection: close\r\n\r\n' +
          body,
      );
    }
    socket.destroy(err);
  };
}
