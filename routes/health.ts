import type { FastifyPluginAsync } from 'fastify';
import type { SequenceStore } from '../src/store/sequence-store.js';

/** /healthz: the process answers. /readyz: the data is mapped and can be served. */
export const healthRoutes: FastifyPluginAsync<{ store: SequenceStore }> = async (app, { store }) => {
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', () => ({
    status: 'ready',
    sequences: store.sequences.length,
    bases: store.totalBases,
    mappedBytes: store.mappedBytes,
  }));
};
