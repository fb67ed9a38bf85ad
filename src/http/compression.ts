/**
 * Content-Encoding of answers when the client's Accept-Encoding asks (RFC 9110 §12.5.3). Not the
 * `@fastify/compress` plugin: it compresses in an onSend hook, too late to give each encoding its own
 * strong ETag before the conditional request is evaluated, and it knows nothing of the fast path.
 */
import { Readable, pipeline, type Transform } from 'node:stream';
import zlib from 'node:zlib';

export type Encoding = 'gzip' | 'br' | 'zstd';

/** What the server compresses with, from config (undefined when compression is off). */
export interface CompressionPolicy {
  /** The codecs this Node has, in the server's order of preference (a tie of q-values picks the first). */
  encodings: readonly Encoding[];
  /** 1-9: gzip's level, brotli's quality, zstd's level. */
  level: number;
  /** Answers up to this many bytes are never compressed (and so do not vary by Accept-Encoding). */
  threshold: number;
}

type ZstdFactory = (options: { params: Record<number, number> }) => Transform;
const zstdFactory = (zlib as unknown as { createZstdCompress?: ZstdFactory }).createZstdCompress;
const zstdLevelParam = (zlib.constants as unknown as Record<string, number>).ZSTD_c_compressionLevel;

/** Whether this Node has zstd (Node >= 22.15 / 23.8). */
export const hasZstd = typeof zstdFactory === 'function' && zstdLevelParam !== undefined;

/**
 * Preference when the client accepts several equally, by speed and ratio on sequence text
 * (BENCHMARKS.md#code-choices-and-their-measurements).
 */
const supportedEncodings: readonly Encoding[] = hasZstd ? ['zstd', 'br', 'gzip'] : ['br', 'gzip'];

export function compressionPolicy(config: { compression: boolean; compressionLevel: number; compressionThreshold: number }): CompressionPolicy | undefined {
  if (!config.compression) return undefined;
  return { encodings: supportedEncodings, level: config.compressionLevel, threshold: config.compressionThreshold };
}

/** The quality value of one Accept-Encoding member (`;q=0.5`), or undefined when malformed. */
function qValue(params: string[]): number | undefined {
  for (const p of params) {
    const [key, value] = p.split('=').map((s) => s.trim());
    if (key?.toLowerCase() !== 'q') continue;
    if (value === undefined || !/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value)) return undefined;
    return Number(value);
  }
  return 1;
}

/**
 * The encoding to answer with, or undefined for identity. A codec is chosen when its q-value is
 * above 0 and at least that of an identity the header names (so `gzip;q=0.5, identity` keeps
 * identity, `gzip;q=0.5` does not); `*` stands for every
 * coding not named; `x-gzip` is gzip. No header, an empty one, or nothing acceptable (even
 * `identity;q=0` with no codec we have) means identity: the data is better sent plain than refused.
 */
export function negotiateEncoding(header: string | string[] | undefined, encodings: readonly Encoding[]): Encoding | undefined {
  if (header === undefined) return undefined;
  const q = new Map<string, number>();
  for (const member of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [token, ...params] = member.split(';');
    const name = token!.trim().toLowerCase();
    if (name === '') continue;
    const value = qValue(params);
    if (value !== undefined) q.set(name === 'x-gzip' ? 'gzip' : name, value);
  }
  const star = q.get('*');
  let best: Encoding | undefined;
  let bestQ = 0;
  for (const encoding of encodings) {
    const value = q.get(encoding) ?? star ?? 0;
    if (value > bestQ) [best, bestQ] = [encoding, value];
  }
  // Identity is acceptable by default but has no weight unless named: only an explicit, higher
  // identity;q= (or `*` higher than the codec) keeps the answer plain.
  const identity = q.get('identity') ?? star ?? 0;
  return best !== undefined && bestQ >= identity ? best : undefined;
}

/** A compressor for one answer; `sizeHint` (bytes) lets brotli size its window. */
export function compressor(encoding: Encoding, level: number, sizeHint?: number): Transform {
  // 64 KiB output chunks: a quarter of the socket writes of zlib's 16 KiB default.
  const chunkSize = 64 * 1024;
  if (encoding === 'gzip') return zlib.createGzip({ level, chunkSize });
  if (encoding === 'br') {
    const params: Record<number, number> = {
      [zlib.constants.BROTLI_PARAM_QUALITY]: level,
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
    };
    if (sizeHint !== undefined) params[zlib.constants.BROTLI_PARAM_SIZE_HINT] = sizeHint;
    return zlib.createBrotliCompress({ chunkSize, params });
  }
  if (!hasZstd) throw new Error('zstd is not available in this Node version');
  return zstdFactory!({ params: { [zstdLevelParam!]: level } });
}

/**
 * The body encoded, as a stream with backpressure: a ChunkStream is piped through the
 * compressor (read from the mapping only as the socket drains, never assembled whole); a buffer
 * or string is written into it. Compression runs on libuv's thread pool, not the event loop. When
 * the client hangs up Fastify destroys the returned stream, and pipeline destroys the source,
 * which stops reading.
 */
export function encodeBody(body: Readable | Buffer | string, encoding: Encoding, level: number, sizeHint?: number): Readable {
  const z = compressor(encoding, level, sizeHint);
  if (body instanceof Readable) {
    // Errors reach the compressor (pipeline destroys it with them), and Fastify ends the answer.
    pipeline(body, z, () => {});
  } else {
    z.end(body);
  }
  return z;
}
