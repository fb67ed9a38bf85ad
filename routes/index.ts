/**
 * Every route of the API, in one plugin: the sequence routes once for the default assembly and
 * once per assembly under /assemblies/NAME, then the catalog, refget, files, page, health,
 * metrics and admin routes. Each route asks the served data for what is current.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { DataError, ProblemError } from '../src/core/errors.js';
import { packageVersion } from '../src/core/package-root.js';
import type { Config } from '../src/data/config.js';
import type { PreloadStatus } from '../src/data/preload.js';
import type { ResidencySources } from '../src/http/residency-metrics.js';
import type { ServedData } from '../src/data/served-data.js';
import type { CachePolicy } from '../src/http/cache.js';
import type { Metrics } from '../src/http/metrics.js';
import type { SequenceStore } from '../src/store/sequence-store.js';
import { adminRoutes } from './admin.js';
import { assembliesRoutes } from './assemblies.js';
import { baseRoutes } from './base.js';
import { batchRoutes } from './batch.js';
import { chromRoutes } from './chrom.js';
import { filesRoutes } from './files.js';
import { healthRoutes } from './health.js';
import { metricsRoutes } from './metrics.js';
import { pageRoutes } from './page.js';
import { randomRoutes } from './random.js';
import { rangeRoutes } from './range.js';
import { refgetRoutes } from './refget.js';
import { regionRoutes } from './region.js';
import { comparisonRoutes } from './comparison.js';
import { seqcolRoutes } from './seqcol.js';

export interface RoutesOptions {
  config: Config;
  data: ServedData;
  metrics: Metrics;
  cache: CachePolicy;
  /** The --preload state for /readyz (src/data/preload.ts); absent: `off`. */
  preload?: () => PreloadStatus;
  /** Page-cache residency by assembly, and --lock / --keep-warm, for /readyz and the page. */
  residency: ResidencySources;
  /** In a cluster worker: POST /admin/reload asks the primary (answered 202) instead of reloading here. */
  requestReload?: () => void;
}

interface SequenceRoutesOptions {
  store: SequenceStore;
  streamThreshold: number;
  maxAnswerBases: number;
  bodyLimit: number;
  maxRegions: number;
  cache: CachePolicy;
}

export const routes: FastifyPluginAsync<RoutesOptions> = async (app, { config, data, metrics, cache, preload, residency, requestReload }) => {
  const { streamThreshold, maxAnswerBases } = config;
  const { assemblies, files } = data;
  const limits = { streamThreshold, maxAnswerBases, bodyLimit: config.batchBodyLimit, maxRegions: config.maxBatchRegions, cache };
  await app.register(metricsRoutes, { metrics });
  await app.register(healthRoutes, { assemblies, digests: data.digestCounts, residency, ...(preload ? { preload } : {}) });
  await app.register(sequenceRoutes, { store: assemblies.default.store, ...limits });
  for (const assembly of assemblies.list) {
    await app.register(sequenceRoutes, { store: assembly.store, ...limits, prefix: `/assemblies/${assembly.name}` });
  }
  await app.register(assembliesRoutes, { assemblies, collections: () => data.collections, cache });
  await app.register(refgetRoutes, { digests: () => data.digests, names: () => data.names, version: packageVersion(), streamThreshold, maxAnswerBases, cache });
  await app.register(seqcolRoutes, { collections: () => data.collections, version: packageVersion(), cache });
  await app.register(comparisonRoutes, { collections: () => data.collections, bodyLimit: config.batchBodyLimit, cache });
  await app.register(filesRoutes, { files, streamThreshold });
  await app.register(pageRoutes, { assemblies, data: config.data, files });
  await app.register(adminRoutes, { token: config.adminToken, reload: () => reload(data, requestReload) });
};

/** The routes of one assembly's sequences: under /chrom and /region, or prefixed by /assemblies/NAME. */
async function sequenceRoutes(
  app: FastifyInstance,
  { store, streamThreshold, maxAnswerBases, bodyLimit, maxRegions, cache }: SequenceRoutesOptions,
): Promise<void> {
  await app.register(chromRoutes, { store, cache });
  await app.register(baseRoutes, { store, cache });
  await app.register(rangeRoutes, { store, streamThreshold, maxAnswerBases, cache });
  await app.register(regionRoutes, { store, streamThreshold, maxAnswerBases, cache });
  await app.register(batchRoutes, { store, streamThreshold, bodyLimit, maxRegions, cache });
  await app.register(randomRoutes, { store, streamThreshold, cache });
}

/** POST /admin/reload: here, or (a cluster worker) by the primary; bad data is a 422 that keeps the old data. */
async function reload(data: ServedData, requestReload: (() => void) | undefined) {
  if (requestReload) {
    requestReload();
    return { status: 'accepted', detail: 'the primary process checks the data folder and tells every worker to reload; its log says when they have' } as const;
  }
  try {
    return await data.reload();
  } catch (e) {
    if (e instanceof DataError) throw new ProblemError('bad-request', `reload failed, the old data is still served: ${e.message}`, {}, 422);
    throw e;
  }
}
