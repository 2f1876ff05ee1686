import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** A file path (gzip when it ends in `.gz`) or an already decompressed text stream. */
export type TraceInput = string | Readable;

/**
 * Lines of a (possibly gzipped) text file, streamed in batches (one per chunk read): the 95 MB
 * Bitbrains file never sits in memory, and one await per chunk instead of per line keeps the
 * per-row cost low. Handles `\r\n`. Breaking out of the loop closes the file.
 */
export async function* readLineBatches(input: TraceInput): AsyncGenerator<string[]> {
  let stream: Readable;
  if (typeof input === 'string') {
    const file = createReadStream(input);
    stream = input.endsWith('.gz') ? file.pipe(createGunzip()) : file;
    // Errors of the file stream (ENOENT) do not travel through pipe(): forward them.
    if (stream !== file) file.on('error', (err) => stream.destroy(err));
  } else {
    stream = input;
  }
  // Splitting chunks by hand is ~2× faster than node:readline on the 832k-row Bitbrains file,
  // and a stream error (ENOENT, corrupt gzip) surfaces as a rejection of this loop.
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of stream) {
      const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
      const lines = text.split('\n');
      rest = lines.pop() as string;
      yield lines.map(stripCr);
    }
    rest += decoder.end();
    if (rest !== '') yield [stripCr(rest)];
  } finally {
    stream.destroy();
  }
}

const stripCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);

export function describeInput(input: TraceInput): string {
  return typeof input === 'string' ? input : '(stream)';
}
