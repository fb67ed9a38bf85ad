/** GET /region/:region: the bases of a samtools region string. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pastTheEnd } from '../src/core/errors.js';
import { parseRegion } from '../src/core/region.js';
import { answerBases, type BasesRouteOptions } from './answer-bases.js';
import { answerOptions } from './schemas.js';

// Fastify hands the parameter over percent-decoded, so `{chr1:2}:1,000-2,000` may arrive raw or encoded.
const params = z.object({ region: z.string().min(1, 'must not be empty (a region is NAME, NAME:BEGIN or NAME:BEGIN-END)') });
const querystring = z.object(answerOptions);

/**
 * GET /region/:region?strand&case&mask: the bases of a samtools region string (1-based
 * inclusive, see src/core/region.ts), answered exactly as GET /chrom/:name/range answers the same
 * bases, Range header, case and mask included.
 */
export const regionRoutes: FastifyPluginAsync<BasesRouteOptions> = async (app, route) => {
  const { store } = route;
  // GET and HEAD in one route, as for /chrom/:name/range: HEAD builds no answer.
  app.withTypeProvider<ZodTypeProvider>().route({
    method: ['GET', 'HEAD'],
    url: '/region/:region',
    schema: { params, querystring },
    handler: (request, reply) => {
      const { region } = request.params;
      const { name, start, end: wanted } = parseRegion(region, (n) => store.get(n) !== undefined);
      const sequence = store.get(name)!;
      // samtools prints nothing ("Zero length sequence") for a begin at or past the end: 416.
      // An end past the end is cut to the length, as samtools does ("Truncated sequence").
      if (start >= sequence.length && sequence.length > 0) {
        throw pastTheEnd(`region "${region}" begins at ${start + 1}, past the end of "${name}" (length ${sequence.length})`, sequence.length);
      }
      const end = Math.min(wanted ?? sequence.length, sequence.length);
      return answerBases(request, reply, sequence, { start, end }, request.query, route);
    },
  });
};
