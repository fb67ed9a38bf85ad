/** How the routes answering bases (range, region, refget) send them: validators, Range, compression, streaming. */
import { isAscii } from 'node:buffer';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { applyCaseMask, isAsStored, type CaseMask } from '../src/store/case-mask.js';
import { encodeBody, type Encoding } from '../src/http/compression.js';
import { answerTooLarge, pastTheEnd } from '../src/core/errors.js';
import {
  answeredConditionally,
  chooseEncoding,
  closeTag,
  compressible,
  rangeTag,
  setCacheHeaders,
  type CacheHeaders,
  type CachePolicy,
} from '../src/http/cache.js';
import { contentRange, parseRange, rangeApplies } from '../src/http/range.js';
import type { MappedSequence } from '../src/store/mapped-sequence.js';
import { ChunkStream } from '../src/store/chunk-stream.js';
import type { SequenceStore } from '../src/store/sequence-store.js';

/** What a route answering bases needs. */
export interface BasesRouteOptions {
  store: SequenceStore;
  /** Answers up to this many bases are sent as one buffer; longer ones are streamed. */
  streamThreshold: number;
  /** Most bases in one answer (413 beyond; config maxAnswerBases); default unlimited. */
  maxAnswerBases?: number;
  /** Cache-Control and compression (src/http/cache.ts). */
  cache: CachePolicy;
}

/** `?strand`, `?case` and `?mask` as parsed by routes/schemas.ts `answerOptions`. */
export interface AnswerOptions extends CaseMask {
  strand: '+' | '-';
}

/**
 * Sends bases [start, end) of a sequence (reverse-complemented for strand -), already checked
 * against its length. The representation is those bases; an HTTP Range header selects bytes of
 * it (206, never encoded), HEAD gets the headers only, and answers longer than `streamThreshold`
 * are streamed. Case and mask apply to the bytes sent, chunk by chunk when streamed; with the
 * defaults and no Content-Encoding the bytes go out untouched (a view of the mapping where they
 * are contiguous). Validators: src/http/cache.ts; a 304 beats a 206 or 416 (RFC 9110 §13.2.2).
 */
export function answerBases(
  request: FastifyRequest,
  reply: FastifyReply,
  sequence: MappedSequence,
  bases: { start: number; end: number },
  options: AnswerOptions,
  route: Pick<BasesRouteOptions, 'streamThreshold' | 'maxAnswerBases' | 'cache'>,
): FastifyReply {
  const { start, end } = bases;
  const reverse = options.strand === '-';
  const size = end - start;
  reply.header('content-type', 'text/plain').header('accept-ranges', 'bytes');
  const lastModified = { date: sequence.lastModified, ms: sequence.lastModifiedMs, strong: sequence.lastModifiedStrong };
  const tag = rangeTag(sequence, start, end, options);
  const identityTag = closeTag(tag, undefined);
  const ranged =
    request.headers.range !== undefined &&
    rangeApplies(request.headers['if-range'], { etag: identityTag, lastModified: lastModified.ms, lastModifiedStrong: lastModified.strong });
  const range = ranged ? parseRange(request.headers.range, size) : ({ kind: 'none' } as const);
  // Byte ranges are of the identity form: a 206 is never encoded.
  const encoding = range.kind === 'none' ? chooseEncoding(request, route.cache, size) : undefined;
  const h: CacheHeaders = {
    etag: closeTag(tag, encoding),
    lastModified,
    cacheControl: route.cache.cacheControl,
    vary: compressible(route.cache, size) ? ['Accept-Encoding'] : [],
  };
  if (answeredConditionally(request, reply, h)) return reply;
  if (range.kind === 'unsatisfiable') {
    throw pastTheEnd(`Range ${request.headers.range} is outside the ${size} bases of this answer`, size);
  }
  let [from, to] = [start, end];
  // Byte k of a reverse complement is the complement of base end-1-k.
  if (range.kind === 'range') [from, to] = reverse ? [end - range.end, end - range.start] : [start + range.start, start + range.end];
  if (to - from > (route.maxAnswerBases ?? Infinity)) throw answerTooLarge(to - from, route.maxAnswerBases!);
  // Only now, with no error left to throw: a problem answer never carries these.
  setCacheHeaders(reply, h);
  if (range.kind === 'range') reply.code(206).header('content-range', contentRange(range.start, range.end, size));
  return sendBases(
    request,
    reply,
    sequence,
    { from, to, reverse },
    options,
    route.streamThreshold,
    route.maxAnswerBases,
    encoding,
    route.cache.compression?.level,
  );
}

/**
 * The body of an answer: bases [from, to) of a sequence, reverse-complemented when `reverse`
 * (then from/to still name the forward bases), with case and mask applied; one buffer, or a
 * stream when longer than `streamThreshold`; compressed as a stream when `encoding` is given
 * (no Content-Length then); headers only for HEAD. Status and the other headers are the caller's.
 */
export function sendBases(
  request: FastifyRequest,
  reply: FastifyReply,
  sequence: MappedSequence,
  { from, to, reverse }: { from: number; to: number; reverse: boolean },
  options: CaseMask,
  streamThreshold: number,
  maxBases = Infinity,
  encoding?: Encoding,
  level = 1,
): FastifyReply {
  if (to - from > maxBases) throw answerTooLarge(to - from, maxBases);
  if (encoding !== undefined) reply.header('content-encoding', encoding);
  else reply.header('content-length', to - from);
  if (request.method === 'HEAD') return reply.send();
  // Case and masking are per byte (and complement keeps case), so they apply to any slice,
  // after the reverse complement; applyCaseMask copies, as the mapping is read-only and shared.
  const read = reverse ? (a: number, b: number) => sequence.reverseComplement(a, b) : (a: number, b: number) => sequence.bytes(a, b);
  const chunk = isAsStored(options) ? read : (a: number, b: number) => applyCaseMask(read(a, b), options);
  // Encoded: the chunks go through the compressor as the socket drains, whatever the size.
  if (encoding !== undefined) return reply.send(encodeBody(new ChunkStream(chunk, from, to, reverse), encoding, level, to - from));
  if (to - from > streamThreshold) return reply.send(new ChunkStream(chunk, from, to, reverse));
  const body = chunk(from, to);
  // A string goes out in the same write as the headers, a Buffer as a second chunk (writev; see
  // BENCHMARKS.md#code-choices-and-their-measurements). Only ASCII: a string carries it byte for byte.
  return reply.send(body.length <= smallAnswer && isAscii(body) ? body.toString('latin1') : body);
}

/** Answers up to this many bytes are sent as a string (see sendBases). */
const smallAnswer = 16 * 1024;
