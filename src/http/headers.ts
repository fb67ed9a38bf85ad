/** The CORS and security headers every answer carries, as one list for the fast path and the routes. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../core/errors.js';

/**
 * The headers every answer carries besides its own: CORS (for browsers: igv.js, JBrowse) and
 * security. One list, used by Fastify's hooks, by the fast path (src/http/fast-path.ts) and by
 * the answers written straight to the socket (src/http/problem-answers.ts), so they never differ.
 */

export const corsOptions = {
  origin: '*',
  methods: ['GET', 'HEAD', 'POST'],
  allowedHeaders: ['Range', 'If-Range', 'If-None-Match', 'If-Modified-Since', 'If-Match', 'If-Unmodified-Since', 'Content-Type'],
  exposedHeaders: [
    'Content-Range',
    'Content-Length',
    'Accept-Ranges',
    'ETag',
    'Last-Modified',
    'X-Request-Id',
    'X-Seqserve-Seed',
    'X-Seqserve-Windows',
    'X-Seqserve-Next-Offset',
  ],
  maxAge: 86400,
};

/**
 * An onRequest hook run before @fastify/cors's: an OPTIONS request that is not a CORS preflight
 * (no Origin or no Access-Control-Request-Method) is a 400 problem+json like every other 4xx;
 * @fastify/cors would answer it with text/plain.
 */
export function invalidPreflight(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  if (request.method === 'OPTIONS' && (!request.headers.origin || !request.headers['access-control-request-method'])) {
    return done(new ProblemError('bad-request', 'an OPTIONS request here is a CORS preflight: it needs the Origin and Access-Control-Request-Method headers'));
  }
  done();
}

/** What @fastify/cors adds to the answer of a simple GET with corsOptions, for the fast path. */
export const corsHeaders = [
  ['access-control-allow-origin', corsOptions.origin],
  ['access-control-expose-headers', corsOptions.exposedHeaders.join(', ')],
] as const;

/**
 * Security headers of every answer, routes and fast path alike (the one list both use): never
 * sniff a body into another type, and never run or frame an answer as a page. /docs replaces
 * the CSP with one that allows its own assets (src/http/plugins/docs.ts). No HSTS: seqserve speaks plain
 * HTTP; a TLS proxy in front of it adds that.
 */
export const securityHeaders = [
  ['x-content-type-options', 'nosniff'],
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
] as const;
export const securityHeaderValues: Record<string, string> = Object.fromEntries(securityHeaders);
