/** HTTP caching: ETags, Last-Modified, Cache-Control, conditional requests and the choice of Content-Encoding. */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CaseMask } from '../store/case-mask.js';
import { compressionPolicy, encodeBody, negotiateEncoding, type CompressionPolicy, type Encoding } from './compression.js';
import { ProblemError } from '../core/errors.js';
import { evaluatePreconditions } from './range.js';
import type { MappedSequence } from '../store/mapped-sequence.js';

/**
 * Validators and Cache-Control of the answers HTTP caches and CDNs may keep (RFC 9110 §8.8,
 * RFC 9111). The data changes only by a reload, and a reload that changes a file's bytes changes
 * its identity (device, inode, size, mtime, taken when mapped), so an answer's strong ETag is that
 * identity plus what selects the bytes: sequence, coordinates, options and Content-Encoding (each
 * encoding is its own representation). Entity-tags are built as an opening (quote, no closing
 * quote) to which the encoding suffix and the closing quote are added last.
 */
export interface CachePolicy {
  /** Cache-Control of answers whose data changes only by a reload. */
  cacheControl: string;
  compression: CompressionPolicy | undefined;
}

/** Refget answers are addressed by the digest of their bases: they never change. */
export const immutable = 'public, max-age=31536000, immutable';

export function cachePolicy(config: { cacheMaxAge: number; compression: boolean; compressionLevel: number; compressionThreshold: number }): CachePolicy {
  return { cacheControl: `public, max-age=${config.cacheMaxAge}`, compression: compressionPolicy(config) };
}

/** The ETag opening of bases [start, end) of a sequence with the answer options; the fast path builds the same. */
export function rangeTag(sequence: MappedSequence, start: number, end: number, options: CaseMask & { strand: '+' | '-' }): string {
  const flags =
    (options.strand === '-' ? 'r' : '') + (options.case === 'upper' ? 'U' : options.case === 'lower' ? 'L' : '') + (options.mask === 'hard' ? 'H' : '');
  return `${sequence.etagPrefix}${start}-${end}${flags}`;
}

/** The ETag opening of a JSON body: a digest of its bytes (so it changes exactly when they do). */
export function contentTag(body: string): string {
  return `"j${createHash('sha1').update(body).digest('base64url')}`;
}

/** An ETag opening closed for one encoding (undefined: identity). */
export function closeTag(opening: string, encoding: Encoding | undefined): string {
  return encoding === undefined ? `${opening}"` : `${opening}-${encoding}"`;
}

/** Whether an answer of `size` bytes may be compressed at all (and so varies by Accept-Encoding). */
export function compressible(policy: CachePolicy, size: number): boolean {
  return policy.compression !== undefined && size > policy.compression.threshold;
}

/** The encoding for this request and an answer of `size` bytes; undefined for identity. */
export function chooseEncoding(request: FastifyRequest, policy: CachePolicy, size: number): Encoding | undefined {
  if (!compressible(policy, size)) return undefined;
  return negotiateEncoding(request.headers['accept-encoding'], policy.compression!.encodings);
}

/** The caching headers of one representation. */
export interface CacheHeaders {
  etag: string;
  /** An HTTP-date, and the same in ms (whole seconds); absent for answers addressed by digest. */
  lastModified?: { date: string; ms: number; strong: boolean };
  cacheControl: string;
  /** Request headers the answer depends on, for Vary. */
  vary: string[];
}

/** Sets the caching headers; called only once the answer is known to succeed (errors never get them). */
export function setCacheHeaders(reply: FastifyReply, h: CacheHeaders): void {
  reply.header('etag', h.etag).header('cache-control', h.cacheControl);
  if (h.lastModified) reply.header('last-modified', h.lastModified.date);
  if (h.vary.length > 0) reply.header('vary', h.vary.join(', '));
}

/**
 * If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since (src/http/range.ts): sends
 * the 304 (no body, with the caching headers) and returns true, throws 412, or returns false.
 */
export function answeredConditionally(request: FastifyRequest, reply: FastifyReply, h: CacheHeaders): boolean {
  const lm = h.lastModified;
  // No Last-Modified: a date can never match (Number.NaN compares false; 0 would say "not modified").
  const outcome = evaluatePreconditions(request.headers, { etag: h.etag, lastModified: lm ? lm.ms : Number.NaN, lastModifiedStrong: lm?.strong ?? false });
  if (outcome === 'failed') throw new ProblemError('bad-request', 'a precondition (If-Match or If-Unmodified-Since) does not hold for this answer', {}, 412);
  if (outcome === 'proceed') return false;
  setCacheHeaders(reply, h);
  reply.code(304).send();
  return true;
}

/** What a JSON answer is besides its body. */
export interface JsonAnswer {
  /** The ETag opening; contentTag(body) when absent. */
  tag?: string;
  lastModifiedMs?: number;
  cacheControl: string;
  /** Request headers the body depends on besides Accept-Encoding (refget: Accept). */
  vary?: string[];
  type?: string;
}

/** Sends a JSON body with validators, 304 when asked, compressed above the threshold when asked. */
export function sendJson(request: FastifyRequest, reply: FastifyReply, body: string, policy: CachePolicy, answer: JsonAnswer): FastifyReply {
  const size = Buffer.byteLength(body);
  const encoding = chooseEncoding(request, policy, size);
  const ms = answer.lastModifiedMs;
  const h: CacheHeaders = {
    etag: closeTag(answer.tag ?? contentTag(body), encoding),
    ...(ms === undefined ? {} : { lastModified: { date: new Date(ms).toUTCString(), ms: Math.floor(ms / 1000) * 1000, strong: false } }),
    cacheControl: answer.cacheControl,
    vary: [...(answer.vary ?? []), ...(compressible(policy, size) ? ['Accept-Encoding'] : [])],
  };
  if (answeredConditionally(request, reply, h)) return reply;
  setCacheHeaders(reply, h);
  reply.header('content-type', answer.type ?? 'application/json; charset=utf-8');
  if (encoding === undefined) return reply.send(body);
  reply.header('content-encoding', encoding);
  return request.method === 'HEAD' ? reply.send() : reply.send(encodeBody(body, encoding, policy.compression!.level, size));
}

/**
 * Sends a body without validators (POST /batch, /random), compressed when it is over the
 * threshold and the client asks; `size` is its length in bytes, or an estimate for a stream.
 */
export function sendEncoded(request: FastifyRequest, reply: FastifyReply, body: string | Buffer | Readable, policy: CachePolicy, size: number): FastifyReply {
  if (!compressible(policy, size)) return reply.send(body);
  reply.header('vary', 'Accept-Encoding');
  const encoding = negotiateEncoding(request.headers['accept-encoding'], policy.compression!.encodings);
  if (encoding === undefined) return reply.send(body);
  reply.removeHeader('content-length');
  reply.header('content-encoding', encoding);
  return reply.send(encodeBody(body, encoding, policy.compression!.level));
}

/**
 * When a JSON answer last changed: its data files' newest mtime, or, when its body changed
 * since it was first made (refget digests found after startup, a reload), the time it did.
 * Without this, If-Modified-Since would call a body with new digests "not modified".
 */
export class ChangeClock {
  private last: string | undefined;
  private changedAt = 0;

  /** Notes the current body's tag; returns the Last-Modified time in ms. */
  stamp(tag: string, filesMtimeMs: number): number {
    if (this.last !== undefined && this.last !== tag) this.changedAt = Date.now();
    this.last = tag;
    return Math.max(filesMtimeMs, this.changedAt);
  }
}
