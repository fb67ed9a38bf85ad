/**
 * GET /healthz (the process answers) and GET /readyz (the data is mapped; digests and preload
 * progress).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Assemblies } from '../src/data/assemblies.js';
import { preloadOff, type PreloadStatus } from '../src/data/preload.js';

/**
 * /healthz: the process answers. /readyz: the data is mapped and can be served; `digests` says
 * how many sequences refget can already find by digest (the rest are computed in the background),
 * how far --preload has warmed the page cache, and which process answered (`pid`: with
 * --workers, each worker is a process of its own).
 */
export const healthRoutes: FastifyPluginAsync<{
  assemblies: Assemblies;
  digests: { readonly known: number; readonly total: number };
  /** The preload's state now; absent when there is none (`off`). */
  preload?: () => PreloadStatus;
}> = async (app, { assemblies, digests, preload }) => {
  // Answered under load too (@fastify/under-pressure passes them): the process does answer.
  const config = { pressureHandler: () => undefined };
  app.get('/healthz', { config }, () => ({ status: 'ok' }));
  app.get('/readyz', { config }, () => ({
    status: 'ready',
    // Per request: a reload may change them.
    ...assemblies.totals,
    assemblies: assemblies.list.length,
    digests: { known: digests.known, total: digests.total },
    preload: preload?.() ?? preloadOff,
    pid: process.pid,
  }));
};
