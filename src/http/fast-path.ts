/**
 * The two hottest requests (GET /chrom/NAME/base/OFFSET, and GET /chrom/NAME/range?start=S&end=E
 * up to `maxRangeBases`) answered before Fastify sees them, with the same status, headers, bytes
 * and access-log line as routes/base.ts and routes/range.ts.
 * Why: Fastify's per-request cost (BENCHMARKS.md#code-choices-and-their-measurements).
 */
import { isAscii } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';
import { requestId } from './request-id.js';
import type { SequenceStore } from '../store/sequence-store.js';

/**
 * Anything but the plain case falls through to Fastify, whose routes answer exactly as before
 * (HEAD, a Range header, other query parameters, percent-encoded or unknown names, bad coordinates,
 * non-ASCII bytes, a closing server, conditional or compressible requests); test/fast-path.test.ts
 * asks every request both ways. Validators and Cache-Control are the routes' (src/http/cache.ts),
 * strings made per sequence when mapped, only concatenated here.
 */
export interface FastPathOptions {
  /** The default assembly's sequences (what /chrom serves). */
  store: SequenceStore;
  /** Headers every answer carries besides content-type/length (CORS), as [name, value] pairs. */
  headers: readonly (readonly [string, string])[];
  /** The access logger, or undefined when access logging is off. */
  accessLog: Logger | undefined;
  /** True once the app is closing: new requests then go to Fastify, which answers 503. */
  closing: () => boolean;
  /** True while overloaded (@fastify/under-pressure): requests then go to Fastify, which answers 503. */
  underPressure?: () => boolean;
  /** The cap on bases per answer (config maxAnswerBases): longer ranges go to the route's 413. */
  maxAnswerBases?: number;
  /**
   * Counts an answer in the metrics (src/http/metrics.ts), under the pattern of the route that would
   * have given it (baseRoute, rangeRoute); seconds from the request to the answer's end.
   */
  observe?: (route: string, status: number, bytes: number, seconds: number) => void;
  /** Cache-Control of base and range answers (src/http/cache.ts CachePolicy.cacheControl). */
  cacheControl?: string;
  /** Answers longer than this (bytes) may be compressed, so vary by Accept-Encoding; undefined: compression off. */
  compressionThreshold?: number;
}

/** The Fastify route patterns of the answers given here, for the metrics' `route` label. */
const baseRoute = '/chrom/:name/base/:offset';
const rangeRoute = '/chrom/:name/range';

/** Longer ranges go through the route, which streams them (and a string copy would not pay). */
const maxRangeBases = 16 * 1024;

const prefix = '/chrom/';
/** Offsets are checked against lengths below 2^53; 16 digits are always enough to hold one. */
const maxDigits = 16;

/** Each byte of ASCII as a one-character string, made once (see routes/base.ts). */
const asciiStrings = Array.from({ length: 128 }, (_, b) => String.fromCharCode(b));

/** Header lists made once: content-type and the CORS headers, flat [name, value, ...] for writeHead. */
interface Prepared extends FastPathOptions {
  baseHeaders: string[];
  rangeHeaders: string[];
}

function prepare(options: FastPathOptions): Prepared {
  const common = [
    'content-type',
    'text/plain',
    ...options.headers.flat(),
    ...(options.cacheControl === undefined ? [] : ['cache-control', options.cacheControl]),
  ];
  // baseHeaders ends with the ETag, Last-Modified and X-Request-Id values' slots, set before each
  // writeHead (which copies the list at once).
  return {
    ...options,
    baseHeaders: [...common, 'content-length', '1', 'etag', '', 'last-modified', '', 'x-request-id', ''],
    rangeHeaders: [...common, 'accept-ranges', 'bytes', 'x-request-id'],
  };
}

/** A conditional request: the route evaluates it (304/412). */
function conditional(headers: IncomingMessage['headers']): boolean {
  return (
    headers['if-none-match'] !== undefined ||
    headers['if-modified-since'] !== undefined ||
    headers['if-match'] !== undefined ||
    headers['if-unmodified-since'] !== undefined
  );
}

/** Answers the request and returns true, or returns false and leaves it untouched for Fastify. */
function answerFast(request: IncomingMessage, response: ServerResponse, options: Prepared): boolean {
  const url = request.url;
  if (request.method !== 'GET' || url === undefined || !url.startsWith(prefix) || options.closing() || options.underPressure?.()) return false;
  const slash = url.indexOf('/', prefix.length);
  if (slash <= prefix.length) return false;
  const name = url.slice(prefix.length, slash);
  // '%' needs decoding: Fastify's router knows how.
  if (name.includes('%')) return false;
  const sequence = options.store.get(name);
  // A file changed on disk is never read again: the route answers 503 (StaleDataError).
  if (sequence === undefined || sequence.stale || conditional(request.headers)) return false;
  const started = options.accessLog || options.observe ? performance.now() : 0;

  if (url.startsWith('/base/', slash)) {
    const offset = digitsAt(url, slash + 6, url.length);
    if (offset < 0 || offset >= sequence.length) return false;
    const byte = sequence.baseByte(offset);
    if (byte >= 128) return false;
    // The client's X-Request-Id if sane, else a new one; `fp-` tells the log which path answered.
    const id = requestId(request.headers['x-request-id'], 'fp-');
    const headers = options.baseHeaders;
    const n = headers.length;
    // The same ETag as routes/base.ts: the sequence's opening, the offset.
    headers[n - 5] = `${sequence.etagPrefix}${offset}"`;
    headers[n - 3] = sequence.lastModified;
    headers[n - 1] = id;
    response.writeHead(200, headers);
    response.end(asciiStrings[byte]);
    const ms = started === 0 ? 0 : performance.now() - started;
    if (options.observe) options.observe(baseRoute, 200, 1, ms / 1000);
    if (options.accessLog) log(options.accessLog, id, url, ms, { sequence: name, offset });
    return true;
  }

  if (url.startsWith('/range?', slash) && request.headers.range === undefined) {
    const range = startEnd(url, slash + 7);
    if (range === undefined) return false;
    const [start, end] = range;
    if (end > sequence.length || start > end || end - start > maxRangeBases || end - start > (options.maxAnswerBases ?? Infinity)) return false;
    // Compressible: the route negotiates; without Accept-Encoding it is identity, varying all the same.
    const varies = options.compressionThreshold !== undefined && end - start > options.compressionThreshold;
    if (varies && request.headers['accept-encoding'] !== undefined) return false;
    const bases = sequence.bytes(start, end);
    // A string goes out in the same write as the headers; only ASCII is carried byte for byte.
    if (!isAscii(bases)) return false;
    const id = requestId(request.headers['x-request-id'], 'fp-');
    // The same ETag as routes/answer-bases.ts (rangeTag) for the default options.
    const etag = `${sequence.etagPrefix}${start}-${end}"`;
    const headers = [...options.rangeHeaders, id, 'content-length', String(end - start), 'etag', etag, 'last-modified', sequence.lastModified];
    if (varies) headers.push('vary', 'Accept-Encoding');
    response.writeHead(200, headers);
    response.end(bases.toString('latin1'));
    const ms = started === 0 ? 0 : performance.now() - started;
    if (options.observe) options.observe(rangeRoute, 200, end - start, ms / 1000);
    if (options.accessLog) log(options.accessLog, id, url, ms, { sequence: name, start, end, strand: '+' });
    return true;
  }
  return false;
}

/** The access-log line routes get from src/http/plugins/access-log.ts, with the same fields. */
function log(logger: Logger, reqId: string, url: string, elapsedMs: number, fields: Record<string, unknown>): void {
  const ms = Math.round(elapsedMs * 100) / 100;
  logger.info({ reqId, method: 'GET', url, status: 200, ms, ...fields }, 'request');
}

/** `start=S&end=E` or `end=E&start=S` and nothing else, as [start, end]; undefined otherwise. */
function startEnd(url: string, from: number): [number, number] | undefined {
  const amp = url.indexOf('&', from);
  if (amp < 0 || url.indexOf('&', amp + 1) >= 0) return undefined;
  const first = param(url, from, amp);
  const second = param(url, amp + 1, url.length);
  if (first === undefined || second === undefined || first[0] === second[0]) return undefined;
  return first[0] === 'start' ? [first[1], second[1]] : [second[1], first[1]];
}

function param(url: string, from: number, to: number): ['start' | 'end', number] | undefined {
  const key = url.startsWith('start=', from) ? 'start' : url.startsWith('end=', from) ? 'end' : undefined;
  if (key === undefined) return undefined;
  const value = digitsAt(url, from + key.length + 1, to);
  return value < 0 ? undefined : [key, value];
}

/** The decimal number in url[from, to), or -1 unless it is 1 to 16 digits and nothing else. */
function digitsAt(url: string, from: number, to: number): number {
  if (to - from < 1 || to - from > maxDigits) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = url.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return Number.isSafeInteger(n) ? n : -1;
}

/**
 * A Fastify serverFactory whose server tries the fast path first. The server is set up as
 * Fastify sets up its own (keep-alive, request and connection timeouts).
 */
export function fastPathServerFactory(fastPath: FastPathOptions): FastifyServerFactory {
  const options = prepare(fastPath);
  return (handler, opts): Server => {
    const server = createServer((request, response) => {
      if (!answerFast(request, response, options)) handler(request, response);
    });
    const { keepAliveTimeout, requestTimeout, connectionTimeout, maxRequestsPerSocket } = opts;
    if (typeof keepAliveTimeout === 'number') server.keepAliveTimeout = keepAliveTimeout;
    if (typeof requestTimeout === 'number') server.requestTimeout = requestTimeout;
    if (typeof connectionTimeout === 'number') server.setTimeout(connectionTimeout);
    if (typeof maxRequestsPerSocket === 'number' && maxRequestsPerSocket > 0) server.maxRequestsPerSocket = maxRequestsPerSocket;
    return server;
  };
}
