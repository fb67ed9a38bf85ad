/**
 * A streamed answer to a client that stops reading would hold its socket forever: the connection
 * is closed once it has been idle `ms` (a slow reader that still reads is not idle). Set on the
 * sockets of streamed answers only, not server-wide (BENCHMARKS.md#code-choices-and-their-measurements).
 */
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

const streamTimeouts: FastifyPluginAsync<{ ms: number }> = async (app, { ms }) => {
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
      socket.setTimeout(ms);
    }
    done(null, payload);
  });
};

export default fp(streamTimeouts, { name: 'stream-timeouts' });
