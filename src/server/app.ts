import cluster from 'node:cluster';
import cors from '@fastify/cors';
import underPressure from '@fastify/under-pressure';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { adminRoutes, type ReloadOutcome } from '../../routes/admin.js';
import { assembliesRoutes } from '../../routes/assemblies.js';
import { baseRoutes } from '../../routes/base.js';
import { batchRoutes } from '../../routes/batch.js';
import { chromRoutes } from '../../routes/chrom.js';
import { filesRoutes } from '../../routes/files.js';
import { healthRoutes } from '../../routes/health.js';
import { metricsRoutes } from '../../routes/metrics.js';
import { pageRoutes } from '../../routes/page.js';
import { randomRoutes } from '../../routes/random.js';
import { rangeRoutes } from '../../routes/range.js';
import { refgetRoutes, type RefgetItem } from '../../routes/refget.js';
import { regionRoutes } from '../../routes/region.js';
import { openAssemblies, type Assemblies } from '../data/assemblies.js';
import { joinClusterMetrics } from '../http/cluster-metrics.js';
import { ConnectionDrain } from '../http/connection-drain.js';
import { fastPathServerFactory } from '../http/fast-path.js';
import type { Config } from '../data/config.js';
import { registerDocs } from '../http/docs.js';
import { DataError, OverloadedError, ProblemError, retryAfterSeconds } from '../core/errors.js';
import { cachePolicy, type CachePolicy } from '../http/cache.js';
import { corsHeaders, corsOptions, invalidPreflight, securityHeaderValues, securityHeaders } from '../http/headers.js';
import { clientError, sendProblem, toProblem } from '../http/problem-answers.js';
import { createLogger } from './logger.js';
import { countAnswers, Metrics } from '../http/metrics.js';
import { requestId } from '../http/request-id.js';
import type { PreloadStatus } from '../data/preload.js';
import { packageVersion } from '../core/package-root.js';
import { DigestIndex } from '../refget/digest-index.js';
import { buildStaticFiles } from '../http/static-files.js';
import type { SequenceStore } from '../store/sequence-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The refget digests: tests await `digests.done` before asking by digest. */
    digests: DigestIndex<RefgetItem>;
    /** Re-reads the data folder and swaps the new data in (SIGHUP, POST /admin/reload); rejects, keeping the old data, on bad data. */
    reloadData(): Promise<ReloadOutcome & { status: 'reloaded' }>;
    /** Checks every mapped file against the disk now (also done every config.dataCheckInterval ms). */
    checkDataFiles(): { path: string; state: string }[];
  }
}

export interface AppOptions {
  /** Assemblies opened by the caller (server, tests); otherwise the data folder is mapped here. */
  assemblies?: Assemblies;
  logger?: Logger;
  /** The --preload state for /readyz (src/preload.ts); absent: `off`. */
  preload?: () => PreloadStatus;
  /** In a cluster worker: POST /admin/reload asks the primary (answered 202) instead of reloading here. */
  requestReload?: () => void;
}

/** The Fastify app: config → catalogs → mapped stores → routes. What the server and the tests run. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? createLogger(config);
  const assemblies = options.assemblies ?? openAssemblies(config.data, logger, { defaultAssembly: config.defaultAssembly });
  assemblies.blockCache.resize(config.bgzfCacheMib * 1024 * 1024);
  let closing = false;
  let metrics: Metrics | undefined;
  const cache = cachePolicy(config);
  const app = Fastify({
    serverFactory: fastPathServerFactory({
      store: assemblies.default.store,
      headers: [...corsHeaders, ...securityHeaders],
      accessLog: config.accessLog ? logger : undefined,
      closing: () => closing,
      observe: (route, status, bytes, seconds) => metrics?.observe(route, 'GET', status, bytes, seconds),
      underPressure: () => pressure(),
      maxAnswerBases: config.maxAnswerBases,
      cacheControl: cache.cacheControl,
      ...(cache.compression ? { compressionThreshold: cache.compression.threshold } : {}),
    }),
    // Set deliberately (src/config.ts): a client gets requestTimeout to send its request, and an
    // idle keep-alive connection is closed after keepAliveTimeout. connectionTimeout is not a
    // server-wide socket timeout: that re-arms a timer on every read and write, which measured
    // 6-9% of a single-base lookup; it is set on the sockets of streamed answers (onSend below).
    requestTimeout: config.requestTimeout,
    keepAliveTimeout: config.keepAliveTimeout,
    loggerInstance: logger as FastifyBaseLogger,
    // One access line per request is written in onResponse below, not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify makes a child logger per request to bind its id; that measured ~4% of a
    // single-base lookup. Our own request log lines carry the id themselves instead.
    childLoggerFactory: (parent) => parent,
    // The client's X-Request-Id when sane (src/request-id.ts), else a new id; sent back in onRequest below.
    requestIdHeader: false,
    genReqId: (req) => requestId(req.headers['x-request-id']),
    return503OnClosing: true,
    // Errors raised before routing (bad percent-encoding, over-long path segments) bypass the
    // error handler; they get the same problem+json.
    frameworkErrors: (error, request, reply) => sendProblem(reply, toProblem(error), request.url),
    // Requests Node's parser refuses (headers over 16 KiB, malformed): problem+json too, not Fastify's bare JSON.
    clientErrorHandler: clientError,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  let pressure = () => false;
  // Before Node's server.close(), which would destroy connections whose answer may still be on its
  // way: stop accepting, close idle connections at once, give answers in flight shutdownGrace ms.
  const drain = new ConnectionDrain(app.server, { graceMs: config.shutdownGrace });
  app.addHook('preClose', async () => {
    closing = true;
    await drain.drain();
  });
  // Digests are read from sidecars now and computed in a worker for the rest, never blocking.
  const items: RefgetItem[] = assemblies.list.flatMap((assembly) =>
    assembly.store.sequences.map((sequence) => ({ record: sequence.record, sequence, assembly })),
  );
  let digests = DigestIndex.start(items, logger, { compute: config.digests });
  // A getter: a reload replaces the index.
  app.decorate('digests', { getter: () => digests });
  // One registry per app; in a cluster worker a scrape covers every worker, through the primary (src/cluster-metrics.ts).
  metrics = new Metrics({
    assemblies,
    digests: {
      get known() {
        return digests.known;
      },
      get total() {
        return digests.total;
      },
    },
  });
  if (cluster.isWorker) joinClusterMetrics(app, metrics);
  countAnswers(app, metrics);
  const staticFiles = buildStaticFiles(config.data, assemblies, logger);

  /** Files found changed (or replaced) on disk and already logged, so each is said once. */
  const reported = new Set<string>();
  const checkDataFiles = () => {
    const found = assemblies.checkFiles();
    for (const { path, state } of found) {
      const key = `${state} ${path}`;
      if (reported.has(key)) continue;
      reported.add(key);
      if (state === 'changed') {
        logger.error(
          { file: path },
          `data file ${path} changed on disk while mapped: its sequences answer 503 until a reload; replace data files by rename, then reload: kill -HUP or POST /admin/reload`,
        );
      } else {
        logger.warn(
          { file: path },
          `data file ${path} was ${state === 'missing' ? 'removed' : 'replaced'} on disk: still serving the version mapped before; reload to serve what is there now: kill -HUP or POST /admin/reload`,
        );
      }
    }
    return found;
  };
  app.decorate('checkDataFiles', checkDataFiles);
  const checkTimer = config.dataCheckInterval > 0 ? setInterval(checkDataFiles, config.dataCheckInterval).unref() : undefined;

  let reloading: Promise<ReloadOutcome & { status: 'reloaded' }> | undefined;
  const reloadNow = async (): Promise<ReloadOutcome & { status: 'reloaded' }> => {
    const started = performance.now();
    // Read and map the folder afresh; bad data throws here and the old data stays served.
    const next = openAssemblies(config.data, logger, { defaultAssembly: config.defaultAssembly, blockCache: assemblies.blockCache });
    assemblies.adopt(next);
    // Then what was derived from the stores: digests, /files. Routes rebuild theirs on the swap.
    const old = digests;
    digests = DigestIndex.start(
      assemblies.list.flatMap((assembly) => assembly.store.sequences.map((sequence) => ({ record: sequence.record, sequence, assembly }))),
      logger,
      { compute: config.digests },
    );
    void old.close();
    const files = buildStaticFiles(config.data, assemblies, logger);
    staticFiles.clear();
    for (const [name, file] of files) staticFiles.set(name, file);
    reported.clear();
    const { sequences, bases } = assemblies.totals;
    const names = assemblies.list.map((a) => a.name);
    const ms = Math.round(performance.now() - started);
    logger.info(
      { assemblies: names, sequences, bases, ms },
      `reloaded the data folder: ${sequences} sequences, ${bases.toLocaleString('en-US')} bases, in ${ms} ms`,
    );
    return { status: 'reloaded', assemblies: names, sequences, bases, ms };
  };
  // One reload at a time: a second ask while one runs gets the same outcome.
  app.decorate('reloadData', () => {
    reloading ??= reloadNow().finally(() => (reloading = undefined));
    return reloading;
  });

  app.addHook('onClose', async () => {
    clearInterval(checkTimer);
    await digests.close();
    assemblies.close();
  });

  if (config.accessLog) {
    app.addHook('onResponse', (request, reply, done) => {
      const params = request.params as { name?: string; offset?: number; region?: string } | undefined;
      const query = request.query as { start?: number; end?: number; strand?: string } | undefined;
      request.log.info(
        {
          reqId: request.id,
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 100) / 100,
          sequence: params?.name,
          region: params?.region,
          offset: params?.offset,
          start: query?.start,
          end: query?.end,
          strand: query?.strand,
        },
        'request',
      );
      done();
    });
  }

  // A streamed answer to a client that stops reading would hold its socket forever: close the
  // connection once it has been idle connectionTimeout ms (a slow reader that still reads is not idle).
  if (config.connectionTimeout > 0) {
    const armed = new WeakSet<object>();
    app.addHook('onSend', (request, _reply, payload, done) => {
      const socket = request.raw.socket;
      // (app.inject's requests have a stand-in socket without timers.)
      if (typeof socket?.setTimeout === 'function' && payload != null && typeof (payload as { pipe?: unknown }).pipe === 'function') {
        // With no server-wide timeout Node's http server does not act on a socket's 'timeout'.
        if (!armed.has(socket)) {
          armed.add(socket);
          socket.on('timeout', () => socket.destroy());
        }
        socket.setTimeout(config.connectionTimeout);
      }
      done(null, payload);
    });
  }

  // The security headers (src/http-headers.ts) and the request id (the client's own when sane,
  // src/request-id.ts) on every answer, in one hook; the fast path sends the same.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(securityHeaderValues).header('x-request-id', request.id);
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500 && problem.status !== 503) request.log.error({ reqId: request.id, err: error }, 'request failed');
    sendProblem(reply, problem, request.url);
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = new ProblemError('not-found', `no route for ${request.method} ${request.url.split('?')[0]}; GET /chrom lists the sequences`);
    sendProblem(reply, problem, request.url);
  });

  // Overload: 503 problem+json with Retry-After (OverloadedError) while the event loop lags or the
  // heap is near its limit; the fast path asks the same and falls through to get that answer.
  await app.register(underPressure, {
    maxEventLoopDelay: config.maxEventLoopDelay,
    maxHeapUsedBytes: config.maxHeapUsedBytes,
    retryAfter: retryAfterSeconds,
    sampleInterval: 500,
    customError: OverloadedError,
  });
  pressure = () => app.isUnderPressure();
  // Browsers (igv.js, JBrowse) read /files and the ranges cross-origin.
  app.addHook('onRequest', invalidPreflight);
  await app.register(cors, corsOptions);
  // Before the routes: the OpenAPI document is collected from them as they are added.
  await registerDocs(app);
  const { streamThreshold, maxAnswerBases } = config;
  const limits = { streamThreshold, maxAnswerBases, bodyLimit: config.batchBodyLimit, maxRegions: config.maxBatchRegions, cache };
  const digestCounts = {
    get known() {
      return digests.known;
    },
    get total() {
      return digests.total;
    },
  };
  await app.register(metricsRoutes, { metrics });
  await app.register(healthRoutes, { assemblies, digests: digestCounts, ...(options.preload ? { preload: options.preload } : {}) });
  await app.register(sequenceRoutes, { store: assemblies.default.store, ...limits });
  for (const assembly of assemblies.list) {
    await app.register(sequenceRoutes, { store: assembly.store, ...limits, prefix: `/assemblies/${assembly.name}` });
  }
  await app.register(assembliesRoutes, { assemblies, cache });
  await app.register(refgetRoutes, { digests: () => digests, version: packageVersion(), streamThreshold, maxAnswerBases, cache });
  await app.register(filesRoutes, { files: staticFiles, streamThreshold });
  await app.register(pageRoutes, { assemblies, data: config.data, files: staticFiles });
  const { requestReload } = options;
  await app.register(adminRoutes, {
    token: config.adminToken,
    reload: async () => {
      if (requestReload) {
        requestReload();
        return { status: 'accepted', detail: 'the primary process checks the data folder and tells every worker to reload; its log says when they have' };
      }
      try {
        return await app.reloadData();
      } catch (e) {
        if (e instanceof DataError) throw new ProblemError('bad-request', `reload failed, the old data is still served: ${e.message}`, {}, 422);
        throw e;
      }
    },
  });
  return app;
}

/** The routes of one assembly's sequences: under /chrom and /region, or prefixed by /assemblies/NAME. */
async function sequenceRoutes(
  app: FastifyInstance,
  {
    store,
    streamThreshold,
    maxAnswerBases,
    bodyLimit,
    maxRegions,
    cache,
  }: { store: SequenceStore; streamThreshold: number; maxAnswerBases: number; bodyLimit: number; maxRegions: number; cache: CachePolicy },
): Promise<void> {
  await app.register(chromRoutes, { store, cache });
  await app.register(baseRoutes, { store, cache });
  await app.register(rangeRoutes, { store, streamThreshold, maxAnswerBases, cache });
  await app.register(regionRoutes, { store, streamThreshold, maxAnswerBases, cache });
  await app.register(batchRoutes, { store, streamThreshold, bodyLimit, maxRegions, cache });
  await app.register(randomRoutes, { store, streamThreshold, cache });
}
