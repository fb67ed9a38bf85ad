import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';
import type { SequenceStore } from './store/sequence-store.js';

/**
 * GET /chrom/NAME/base/OFFSET answered before Fastify sees the request.
 *
 * A single-base lookup is the hottest request there is (ML loaders, variant pipelines), and its
 * own work is a map lookup and one byte read from the mapping (~0.2 µs). Through Fastify it cost
 * ~25 µs of server CPU against 15 µs for a hello-world route: routing a two-parameter path,
 * zod validation, hooks, reply machinery (profiled with --cpu-prof; see BENCHMARKS.md). So the
 * plain case is answered here, with the same headers and log line as routes/base.ts, and
 * everything else — HEAD, percent-encoded names, query strings, unknown names, offsets past the
 * end, bytes outside ASCII, a closing server — falls through to Fastify, whose route gives the
 * answer and every error exactly as before. test/base-fast-path.test.ts checks that both paths
 * answer every request alike.
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
}

const prefix = '/chrom/';
const infix = '/base/';
/** Offsets are checked against lengths below 2^53; 16 digits are always enough to hold one. */
const maxDigits = 16;

/** Each byte of ASCII as a one-character string, made once (see routes/base.ts). */
const asciiStrings = Array.from({ length: 128 }, (_, b) => String.fromCharCode(b));

let requestCount = 0;

/** Answers the request and returns true, or returns false and leaves it untouched for Fastify. */
export function answerBase(request: IncomingMessage, response: ServerResponse, options: FastPathOptions): boolean {
  const url = request.url;
  if (request.method !== 'GET' || url === undefined || !url.startsWith(prefix) || options.closing()) return false;
  const at = url.indexOf(infix, prefix.length);
  if (at <= prefix.length) return false;
  const name = url.slice(prefix.length, at);
  // '%' needs decoding and '/' is not a name: Fastify's router knows both.
  if (name.includes('%') || name.includes('/')) return false;
  const offset = parseOffset(url, at + infix.length);
  if (offset < 0) return false;
  const sequence = options.store.get(name);
  if (sequence === undefined || offset >= sequence.length) return false;
  const byte = sequence.baseByte(offset);
  if (byte >= 128) return false;

  const started = options.accessLog ? performance.now() : 0;
  response.statusCode = 200;
  response.setHeader('content-type', 'text/plain');
  for (const [header, value] of options.headers) response.setHeader(header, value);
  response.setHeader('content-length', 1);
  response.end(asciiStrings[byte]);
  if (options.accessLog) {
    const reqId = request.headers['x-request-id'] ?? `fp-${(++requestCount).toString(36)}`;
    const ms = Math.round((performance.now() - started) * 100) / 100;
    options.accessLog.info({ reqId, method: 'GET', url, status: 200, ms, sequence: name, offset }, 'request');
  }
  return true;
}

/** The decimal digits from `from` to the end of the URL, or -1 when anything else is there. */
function parseOffset(url: string, from: number): number {
  const digits = url.length - from;
  if (digits < 1 || digits > maxDigits) return -1;
  let n = 0;
  for (let i = from; i < url.length; i++) {
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
export function fastPathServerFactory(options: FastPathOptions): FastifyServerFactory {
  return (handler, opts): Server => {
    const server = createServer((request, response) => {
      if (!answerBase(request, response, options)) handler(request, response);
    });
    const { keepAliveTimeout, requestTimeout, connectionTimeout, maxRequestsPerSocket } = opts;
    if (typeof keepAliveTimeout === 'number') server.keepAliveTimeout = keepAliveTimeout;
    if (typeof requestTimeout === 'number') server.requestTimeout = requestTimeout;
    if (typeof connectionTimeout === 'number') server.setTimeout(connectionTimeout);
    if (typeof maxRequestsPerSocket === 'number' && maxRequestsPerSocket > 0) server.maxRequestsPerSocket = maxRequestsPerSocket;
    return server;
  };
}
