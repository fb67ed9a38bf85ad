/**
 * Reading the input FASTA: plain or gzip (gzip, bgzip or any multi-member gzip, told apart by
 * the gzip magic bytes, not by the extension), streamed in chunks, with read and decompression
 * failures turned into messages that say what to do.
 */
import { createReadStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DataError } from '../core/errors.js';
import { isGzipFile } from '../formats/bgzf/gzi.js';

export const READ_BYTES = 1 << 20;

const unreadable = (input: string, e: unknown) =>
  new DataError(`cannot read ${input} (${(e as NodeJS.ErrnoException).code ?? String(e)}); check that the file exists and is readable by this user`);

/** Checks that the input is a file (before anything is created, so a typo leaves no folder behind). */
export function checkInput(input: string): void {
  try {
    if (!statSync(input).isFile()) throw new DataError(`${input} is not a regular file; pass a FASTA file (.fa, .fa.gz)`);
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw unreadable(input, e);
  }
}

/** Whether the input is gzip-compressed: by its first bytes, whatever its extension. */
export function inputIsGzip(input: string): boolean {
  try {
    return isGzipFile(input);
  } catch (e) {
    throw unreadable(input, e);
  }
}

export interface ReadOptions {
  /** Bytes of the input file read so far (compressed bytes for a gzip input), after each read. */
  onRead?: (bytesRead: number) => void;
  /** Stops reading (rejecting with an AbortError); the caller cleans up. */
  signal?: AbortSignal;
}

/**
 * Feeds the (decompressed) input to `consume` in chunks of about `readBytes`. An error thrown
 * by `consume` comes out as it was thrown, and so does an abort.
 */
export async function readInput(
  input: string,
  gzip: boolean,
  readBytes: number,
  consume: (chunks: AsyncIterable<Buffer>) => Promise<void>,
  options: ReadOptions = {},
): Promise<void> {
  const source = createReadStream(input, { highWaterMark: readBytes });
  const { onRead, signal } = options;
  if (onRead) {
    let read = 0;
    source.on('data', (chunk) => onRead((read += chunk.length)));
  }
  // pipeline() may report our own error as the AbortError of the streams it then destroys.
  let failed = false;
  let failure: unknown;
  const guarded = async (chunks: AsyncIterable<Buffer>) => {
    try {
      await consume(chunks);
    } catch (e) {
      failed = true;
      failure = e;
      throw e;
    }
  };
  try {
    const streams = signal ? { signal } : {};
    if (gzip) await pipeline(source, createGunzip({ chunkSize: Math.max(readBytes, 64) }), guarded, streams);
    else await pipeline(source, guarded, streams);
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    // A gunzip error reaches us from pipeline() (Node 20) or, through the chunks our consumer
    // iterates, as the consumer's own failure (Node 24): either way it is reported as such.
    const error = failure ?? e;
    if (error instanceof DataError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_') || code === 'ERR_ZLIB_INITIALIZATION_FAILED') {
      throw new DataError(
        `${input}: cannot decompress it (${(error as Error).message}): the gzip file is truncated or corrupt; download it again (gzip -t ${input} checks a file)`,
      );
    }
    if (failed) throw failure;
    throw new DataError(`cannot read ${input} (${code || (e as Error).message}); check that the file is readable`);
  }
}
