/** One access line per request, with the sequence coordinates asked for (Fastify's own two lines are off). */
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

type Params = { name?: string; offset?: number; region?: string } | undefined;
type Query = { start?: number; end?: number; strand?: string } | undefined;

const accessLog: FastifyPluginAsync = async (app) => {
  app.addHook('onResponse', (request, reply, done) => {
    const params = request.params as Params;
    const query = request.query as Query;
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
};

export default fp(accessLog, { name: 'access-log' });
