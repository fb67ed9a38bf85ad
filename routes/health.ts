/**
 * GET /healthz (the process answers) and GET /readyz (the data is mapped; digests, preload
 * progress, page-cache residency).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Assemblies } from '../src/data/assemblies.js';
import { preloadOff, type PreloadStatus } from '../src/data/preload.js';
import type { ResidencySources } from '../src/http/residency-metrics.js';

/**
 * /healthz: the process answers. /readyz: the data is mapped and can be served; `digests` says
 * how many sequences refget can already find by digest (the rest are computed in the background),
 * how far --preload has warmed the page cache, how much of each assembly is in the page cache now
 * (measured at most every 5 s) with what --lock holds and what --keep-warm did, and which process
 * answered (`pid`: with --workers, each worker is a process of its own).
 */
export const healthRoutes: FastifyPluginAsync<{
  assemblies: Assemblies;
  digests: { readonly known: number; readonly total: number };
  /** The preload's state now; absent when there is none (`off`). */
  preload?: () => PreloadStatus;
  residency: ResidencySources;
}> = async (app, { assemblies, digests, preload, residency }) => {
  // Answered under load too (@fastify/under-pressure passes them): the process does answer.
  const config = { pressureHandler: () => undefined };
  app.get('/healthz', { config }, () => ({ status: 'ok' }));
  app.get('/readyz', { config }, async () => {
    const status = residency.status();
    const preloadNow = preload?.() ?? preloadOff;
    const byAssembly = await residency.report.byAssembly(status, preloadNow);
    return {
      status: 'ready',
      // Per request: a reload may change them.
      ...assemblies.totals,
      assemblies: assemblies.list.length,
      digests: { known: digests.known, total: digests.total },
      preload: preloadNow,
      residency: { lock: status.lock, keeper: status.keeper, assemblies: byAssembly },
      pid: process.pid,
    };
  });
};
