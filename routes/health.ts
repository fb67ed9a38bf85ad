import type { FastifyPluginAsync } from 'fastify';
import type { Assemblies } from '../src/assemblies.js';

/**
 * /healthz: the process answers. /readyz: the data is mapped and can be served; `digests` says
 * how many sequences refget can already find by digest (the rest are computed in the background).
 */
export const healthRoutes: FastifyPluginAsync<{ assemblies: Assemblies; digests: { readonly known: number; readonly total: number } }> = async (
  app,
  { assemblies, digests },
) => {
  const { sequences, bases, mappedBytes } = assemblies.totals;
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', () => ({
    status: 'ready',
    assemblies: assemblies.list.length,
    sequences,
    bases,
    mappedBytes,
    digests: { known: digests.known, total: digests.total },
  }));
};
