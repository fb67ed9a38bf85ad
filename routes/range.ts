/** GET /chrom/:name/range: bases [start, end) of one sequence of the default assembly. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { badRequest, pastTheEnd, unknownSequence } from '../src/core/errors.js';
import { answerBases, type BasesRouteOptions } from './answer-bases.js';
import { answerOptions, coordinate, sequenceName } from './schemas.js';

const params = z.object({ name: sequenceName });
const querystring = z.object({
  start: coordinate.optional(),
  end: coordinate.optional(),
  ...answerOptions,
});

/**
 * GET /chrom/:name/range?start&end&strand&case&mask: bases [start, end). The representation is
 * those bases (reverse-complemented for strand=-, case and masking applied as in
 * src/store/case-mask.ts), and an HTTP Range header selects bytes of it.
 */
export const rangeRoutes: FastifyPluginAsync<BasesRouteOptions> = async (app, route) => {
  const { store } = route;
  // GET and HEAD in one route: Fastify's automatic HEAD route would build the whole answer (and
  // drain a streamed one from the mapping) only to throw it away.
  app.withTypeProvider<ZodTypeProvider>().route({
    method: ['GET', 'HEAD'],
    url: '/chrom/:name/range',
    schema: { params, querystring },
    handler: (request, reply) => {
      const { name } = request.params;
      const sequence = store.get(name);
      if (!sequence) throw unknownSequence(name);
      const start = request.query.start ?? 0;
      const end = request.query.end ?? sequence.length;
      if (start > sequence.length || end > sequence.length) {
        throw pastTheEnd(`range ${start}-${end} is past the end of "${name}" (length ${sequence.length})`, sequence.length);
      }
      if (start > end) throw badRequest(`start ${start} is greater than end ${end} for "${name}"; ranges are 0-based, half-open [start, end)`);
      return answerBases(request, reply, sequence, { start, end }, request.query, route);
    },
  });
};
