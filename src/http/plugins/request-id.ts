/**
 * The request id (the client's X-Request-Id when sane, src/http/request-id.ts) and the security
 * headers (src/http/headers.ts) on every answer, in one hook; the fast path sends the same.
 */
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { securityHeaderValues } from '../headers.js';

const requestIdHeaders: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(securityHeaderValues).header('x-request-id', request.id);
    done();
  });
};

export default fp(requestIdHeaders, { name: 'request-id' });
