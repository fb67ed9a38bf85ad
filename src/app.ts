import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { assembliesRoutes } from '../routes/assemblies.js';
import { baseRoutes } from '../routes/base.js';
import { batchRoutes } from '../routes/batch.js';
import { chromRoutes } from '../routes/chrom.js';
import { filesRoutes } from '../routes/files.js';
import { healthRoutes } from '../routes/health.js';
import { randomRoutes } from '../routes/random.js';
import { rangeRoutes } from '../routes/range.js';
import { refgetRoutes, type RefgetItem } from '../routes/refget.js';
import { regionRoutes } from '../routes/region.js';
import { openAssemblies, type Assemblies } from './assemblies.js';
import { fastPathServerFactory } from './fast-path.js';
import type { Config } from './config.js';
import { registerDocs } from './docs.js';
import { ProblemError } from './errors.js';
import { createLogger } from './logger.js';
import type { PreloadStatus } from './preload.js';
import { packageVersion } from './package-root.js';
import { DigestIndex } from './refget/digest-index.js';
import { buildStaticFiles } from './static-files.js';
import type { SequenceStore } from './store/sequence-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The refget digests: tests await `digests.done` before asking by digest. */
    digests: DigestIndex<RefgetItem>;
  }
}

export interface AppOptions {
  /** Assemblies opened by the caller (server, tests); otherwise the data folder is mapped here. */
  assemblies?: Assemblies;
  logger?: Logger;
  /** The --preload state for /readyz (src/preload.ts); absent: `off`. */
  preload?: () => PreloadStatus;
}

/** The Fastify app: config → catalogs → mapped stores → routes. What the server and the tests run. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? createLogger(config);
  const assemblies = options.assemblies ?? openAssemblies(config.data, logger, { defaultAssembly: config.defaultAssembly });
  let closing = false;
  const app = Fastify({
    serverFactory: fastPathServerFactory({
      store: assemblies.default.store,
      headers: corsHeaders,
      accessLog: config.accessLog ? logger : undefined,
      closing: () => closing,
    }),
    loggerInstance: logger as FastifyBaseLogger,
    // One access line per request is written in onResponse below, not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify makes a child logger per request to bind its id; that measured ~4% of a
    // single-base lookup. Our own request log lines carry the id themselves instead.
    childLoggerFactory: (parent) => parent,
    requestIdHeader: 'x-request-id',
    return503OnClosing: true,
    // Errors raised before routing (bad percent-encoding, over-long path segments) bypass the
    // error handler; they get the same problem+json.
    frameworkErrors: (error, request, reply) => sendProblem(reply, toProblem(error), request.url),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // Digests are read from sidecars now and computed in a worker for the rest, never blocking.
  const items: RefgetItem[] = assemblies.list.flatMap((assembly) => assembly.store.sequences.map((sequence) => ({ record: sequence.record, sequence, assembly })));
  const digests = DigestIndex.start(items, logger, { compute: config.digests });
  app.decorate('digests', digests);
  app.addHook('onClose', async () => {
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

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ reqId: request.id, err: error }, 'request failed');
    sendProblem(reply, problem, request.url);
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = new ProblemError('not-found', `no route for ${request.method} ${request.url.split('?')[0]}; GET /chrom lists the sequences`);
    sendProblem(reply, problem, request.url);
  });

  // Browsers (igv.js, JBrowse) read /files and the ranges cross-origin.
  await app.register(cors, corsOptions);
  // Before the routes: the OpenAPI document is collected from them as they are added.
  await registerDocs(app);
  const { streamThreshold } = config;
  await app.register(healthRoutes, { assemblies, digests, ...(options.preload ? { preload: options.preload } : {}) });
  await app.register(sequenceRoutes, { store: assemblies.default.store, streamThreshold });
  for (const assembly of assemblies.list) {
    await app.register(sequenceRoutes, { store: assembly.store, streamThreshold, prefix: `/assemblies/${assembly.name}` });
  }
  await app.register(assembliesRoutes, { assemblies });
  await app.register(refgetRoutes, { digests, version: packageVersion(), streamThreshold });
  await app.register(filesRoutes, { files: buildStaticFiles(config.data, assemblies, logger), streamThreshold });
  return app;
}

/** The routes of one assembly's sequences: under /chrom and /region, or prefixed by /assemblies/NAME. */
async function sequenceRoutes(app: FastifyInstance, { store, streamThreshold }: { store: SequenceStore; streamThreshold: number }): Promise<void> {
  await app.register(chromRoutes, { store });
  await app.register(baseRoutes, { store });
  await app.register(rangeRoutes, { store, streamThreshold });
  await app.register(regionRoutes, { store, streamThreshold });
  await app.register(batchRoutes, { store, streamThreshold });
  await app.register(randomRoutes, { store, streamThreshold });
}

const corsOptions = {
  origin: '*',
  methods: ['GET', 'HEAD', 'POST'],
  allowedHeaders: ['Range', 'If-Range', 'If-None-Match', 'If-Modified-Since', 'If-Match', 'If-Unmodified-Since', 'Content-Type'],
  exposedHeaders: ['Content-Range', 'Content-Length', 'Accept-Ranges', 'ETag', 'Last-Modified'],
  maxAge: 86400,
};

/** What @fastify/cors adds to the answer of a simple GET with corsOptions, for the fast path. */
const corsHeaders = [
  ['access-control-allow-origin', corsOptions.origin],
  ['access-control-expose-headers', corsOptions.exposedHeaders.join(', ')],
] as const;

function sendProblem(reply: FastifyReply, problem: ProblemError, url: string): void {
  // A Buffer, so that Fastify adds no charset to the media type.
  reply
    .code(problem.status)
    .headers(problem.headers)
    .header('content-type', 'application/problem+json')
    .send(Buffer.from(JSON.stringify(problem.body(url.length > 200 ? `${url.slice(0, 200)}...` : url))));
}

/** Fastify's own client errors, said without echoing the (possibly huge) URL back. */
const frameworkDetails: Record<string, string> = {
  FST_ERR_BAD_URL: 'the URL has a malformed percent-encoding',
  FST_ERR_MAX_PARAM_LENGTH: 'a path segment is too long',
};

/** Our own problems pass through; validation errors become 400; anything else a bare 5xx. */
function toProblem(error: FastifyError): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error.validation) {
    const issue = error.validation[0];
    const where = `${error.validationContext ?? 'request'}${issue?.instancePath?.replace(/\//g, '.') ?? ''}`;
    return new ProblemError('bad-request', `${where} ${issue?.message ?? 'is invalid'}`);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ProblemError('bad-request', frameworkDetails[error.code] ?? error.message, {}, status);
  // Never show paths or stacks to the client; the log has them, under the request id.
  return new ProblemError('internal', 'the server failed to answer this request; the log has details under this request id');
}
