/**
 * The Fastify server's options: the fast-path server factory in front of the router, the
 * timeouts, the logger and the handlers for requests that never reach a route.
 */
import type { Server } from 'node:http';
import { LogController, type FastifyHttpOptions, type FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../data/config.js';
import type { CachePolicy } from '../http/cache.js';
import { fastPathServerFactory } from '../http/fast-path.js';
import { corsHeaders, securityHeaders } from '../http/headers.js';
import type { Metrics } from '../http/metrics.js';
import { clientError, sendProblem, toProblem } from '../http/problem-answers.js';
import { requestId } from '../http/request-id.js';
import type { ServingState } from '../http/serving-state.js';
import type { SequenceStore } from '../store/sequence-store.js';

export interface FastPathLinks {
  /** The default assembly's store: what /chrom/... answers. */
  store: SequenceStore;
  metrics: Metrics;
  state: ServingState;
  cache: CachePolicy;
  /** Rewrites a URL before routing (an assembly named by its seqcol digest: src/http/assembly-digest-url.ts). */
  rewriteUrl: (url: string) => string;
}

export function fastifyOptions(
  config: Config,
  logger: Logger,
  { store, metrics, state, cache, rewriteUrl }: FastPathLinks,
): FastifyHttpOptions<Server> & { serverFactory: FastifyServerFactory } {
  return {
    serverFactory: fastPathServerFactory({
      store,
      headers: [...corsHeaders, ...securityHeaders],
      accessLog: config.accessLog ? logger : undefined,
      closing: () => state.closing,
      observe: (route, status, bytes, seconds) => metrics.observe(route, 'GET', status, bytes, seconds),
      underPressure: () => state.underPressure(),
      maxAnswerBases: config.maxAnswerBases,
      cacheControl: cache.cacheControl,
      ...(cache.compression ? { compressionThreshold: cache.compression.threshold } : {}),
    }),
    // A client gets requestTimeout to send its request; an idle keep-alive connection is closed
    // after keepAliveTimeout. No server-wide connectionTimeout: it is set on the sockets of
    // streamed answers only (src/http/plugins/stream-timeouts.ts; BENCHMARKS.md#code-choices-and-their-measurements).
    rewriteUrl: (req) => rewriteUrl(req.url ?? '/'),
    requestTimeout: config.requestTimeout,
    keepAliveTimeout: config.keepAliveTimeout,
    loggerInstance: logger,
    // One access line per request (src/http/plugins/access-log.ts), not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request: our request log lines carry the id themselves (BENCHMARKS.md#code-choices-and-their-measurements).
    childLoggerFactory: (parent) => parent,
    // The client's X-Request-Id when sane (src/http/request-id.ts), else a new id; sent back by src/http/plugins/request-id.ts.
    requestIdHeader: false,
    genReqId: (req) => requestId(req.headers['x-request-id']),
    return503OnClosing: true,
    // Errors raised before routing (bad percent-encoding, over-long path segments) bypass the
    // error handler; they get the same problem+json.
    frameworkErrors: (error, request, reply) => sendProblem(reply, toProblem(error), request.url),
    // Requests Node's parser refuses (headers over 16 KiB, malformed): problem+json too, not Fastify's bare JSON.
    clientErrorHandler: clientError,
  };
}
