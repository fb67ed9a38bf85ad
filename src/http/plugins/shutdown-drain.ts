/**
 * Before Node's server.close(), which would destroy connections whose answer may still be on its
 * way: stop accepting, close idle connections at once, give answers in flight the grace
 * (src/http/connection-drain.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ConnectionDrain } from '../connection-drain.js';
import type { ServingState } from '../serving-state.js';

const shutdownDrain: FastifyPluginAsync<{ graceMs: number; state: ServingState }> = async (app, { graceMs, state }) => {
  const drain = new ConnectionDrain(app.server, { graceMs });
  app.addHook('preClose', async () => {
    state.closing = true;
    await drain.drain();
  });
};

export default fp(shutdownDrain, { name: 'shutdown-drain' });
