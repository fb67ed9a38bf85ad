import { isAscii } from 'node:buffer';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { applyCaseMask, isAsStored, type CaseMask } from '../src/case-mask.js';
import { answerTooLarge, pastTheEnd } from '../src/errors.js';
import { contentRange, parseRange } from '../src/http-range.js';
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
}

/** `?strand`, `?case` and `?mask` as parsed by routes/schemas.ts `answerOptions`. */
export interface AnswerOptions extends CaseMask {
  strand: '+' | '-';
}

/**
 * Sends bases [start, end) of a sequence (reverse-complemented for strand -), already checked
 * against its length. The representation is those bases; an HTTP Range header selects bytes of
 * it (206), HEAD gets the headers only, and answers longer than `streamThreshold` are streamed.
 * Case and mask apply to the bytes sent, chunk by chunk when streamed; with the
 * defaults the bytes go out untouched (a view of the mapping where they are contiguous).
 */
export function answerBases(
  request: FastifyRequest,
  reply: FastifyReply,
  sequence: MappedSequence,
  bases: { start: number; end: number },
  options: AnswerOptions,
  streamThreshold: number,
  maxBases = Infinity,
): FastifyReply {
  const { start, end } = bases;
  const reverse = options.strand === '-';
  const size = end - start;
  reply.header('content-type', 'text/plain').header('accept-ranges', 'bytes');
  const range = parseRange(request.headers.range, size);
  if (range.kind === 'unsatisfiable') {
    throw pastTheEnd(`Range ${request.headers.range} is outside the ${size} bases of this answer`, size);
  }
  let [from, to] = [start, end];
  if (range.kind === 'range') {
    reply.code(206).header('content-range', contentRange(range.start, range.end, size));
    // Byte k of a reverse complement is the complement of base end-1-k.
    [from, to] = reverse ? [end - range.end, end - range.start] : [start + range.start, start + range.end];
  }
  return sendBases(request, reply, sequence, { from, to, reverse }, options, streamThreshold, maxBases);
}

/**
 * The body of an answer: bases [from, to) of a sequence, reverse-complemented when `reverse`
 * (then from/to still name the forward bases), with case and mask applied; one buffer, or a
 * stream when longer than `streamThreshold`; headers only for HEAD. Status and the other
 * headers are the caller's.
 */
export function sendBases(
  request: FastifyRequest,
  reply: FastifyReply,
  sequence: MappedSequence,
  { from, to, reverse }: { from: number; to: number; reverse: boolean },
  options: CaseMask,
  streamThreshold: number,
  maxBases = Infinity,
): FastifyReply {
  if (to - from > maxBases) throw answerTooLarge(to - from, maxBases);
  if (request.method === 'HEAD') return reply.header('content-length', to - from).send();
  // Case and masking are per byte (and complement keeps case), so they apply to any slice,
  // after the reverse complement; applyCaseMask copies, as the mapping is read-only and shared.
  const read = reverse ? (a: number, b: number) => sequence.reverseComplement(a, b) : (a: number, b: number) => sequence.bytes(a, b);
  const chunk = isAsStored(options) ? read : (a: number, b: number) => applyCaseMask(read(a, b), options);
  if (to - from > streamThreshold) return reply.header('content-length', to - from).send(new ChunkStream(chunk, from, to, reverse));
  const body = chunk(from, to);
  // Node writes a string body in the same write as the headers, a Buffer as a second chunk
  // (writev): for small answers that second chunk measured a large share of the request cost.
  // Only for ASCII, which a string carries byte for byte (other bytes would be re-encoded).
  return reply.send(body.length <= smallAnswer && isAscii(body) ? body.toString('latin1') : body);
}

/** Answers up to this many bytes are sent as a string (see sendBases). */
const smallAnswer = 16 * 1024;
