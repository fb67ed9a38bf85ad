/**
 * The composition root: config → served data → Fastify with the fast path → cross-cutting
 * plugins → routes. What the server and the tests run (ARCHITECTURE.md draws it).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { routes } from '../../routes/index.js';
import type { Assemblies } from '../data/assemblies.js';
import type { Config } from '../data/config.js';
import type { PreloadStatus } from '../data/preload.js';
import { ResidencyReport, type ResidencyStatus } from '../data/residency-report.js';
import { residencyOff } from '../data/residency.js';
import { ServedData } from '../data/served-data.js';
import { assemblyDigestRewriter } from '../http/assembly-digest-url.js';
import { cachePolicy } from '../http/cache.js';
import { Metrics } from '../http/metrics.js';
import accessLog from '../http/plugins/access-log.js';
import answerMetrics from '../http/plugins/answer-metrics.js';
import cors from '../http/plugins/cors.js';
import docs from '../http/plugins/docs.js';
import errorHandlers from '../http/plugins/error-handlers.js';
import overload from '../http/plugins/overload.js';
import requestId from '../http/plugins/request-id.js';
import servedData from '../http/plugins/served-data.js';
import shutdownDrain from '../http/plugins/shutdown-drain.js';
import streamTimeouts from '../http/plugins/stream-timeouts.js';
import { ServingState } from '../http/serving-state.js';
import { fastifyOptions } from './fastify-options.js';
import { createLogger } from './logger.js';

export interface AppOptions {
  /** Assemblies opened by the caller (server, tests); otherwise the data folder is mapped here. */
  assemblies?: Assemblies;
  logger?: Logger;
  /** The --preload state for /readyz (src/data/preload.ts); absent: `off`. */
  preload?: () => PreloadStatus;
  /** --lock and --keep-warm as the process holding them reports (src/data/residency.ts); absent: off. */
  residency?: () => ResidencyStatus;
  /** The measurement of each assembly's residency, when the caller already has one (src/data/residency.ts); else made here. */
  residencyReport?: ResidencyReport;
  /** In a cluster worker: POST /admin/reload asks the primary (answered 202) instead of reloading here. */
  requestReload?: () => void;
}

export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? createLogger(config);
  const data = ServedData.open(config, logger, options.assemblies);
  // One page-cache measurement (at most every 5 s) for /metrics and /readyz.
  const residencyReport = options.residencyReport ?? new ResidencyReport(data.assemblies, 5000);
  const residency = options.residency ?? (() => residencyOff);
  const metrics = new Metrics({ assemblies: data.assemblies, digests: data.digestCounts, residency: { report: residencyReport, status: residency } });
  const state = new ServingState();
  const cache = cachePolicy(config);
  const rewriteUrl = assemblyDigestRewriter((digest) => (data.assemblies.get(digest) ? undefined : data.collections.find(digest)?.assembly.name));
  const app = Fastify(fastifyOptions(config, logger, { store: data.assemblies.default.store, metrics, state, cache, rewriteUrl }));
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(servedData, { data });
  await app.register(shutdownDrain, { graceMs: config.shutdownGrace, state });
  await app.register(answerMetrics, { metrics });
  if (config.accessLog) await app.register(accessLog);
  if (config.connectionTimeout > 0) await app.register(streamTimeouts, { ms: config.connectionTimeout });
  await app.register(requestId);
  await app.register(errorHandlers);
  await app.register(overload, { maxEventLoopDelay: config.maxEventLoopDelay, maxHeapUsedBytes: config.maxHeapUsedBytes, state });
  await app.register(cors);
  // Before the routes: the OpenAPI document is collected from them as they are added.
  await app.register(docs);
  const { preload, requestReload } = options;
  await app.register(routes, { config, data, metrics, cache, preload, residency: { report: residencyReport, status: residency }, requestReload });
  return app;
}
