/**
 * GET /random: N windows of L bases drawn uniformly over every start position of the assembly
 * (src/batch/random-windows.ts), as JSON, FASTA or BED. The seed (given, or picked) is in the
 * `x-seqserve-seed` header and the JSON answer, so any draw can be repeated; `exclude=N` redraws
 * windows holding N (422 after count·10 + 1000 draws).
 */
import { randomInt } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { chooseFormat, mediaTypes } from '../src/batch/output-format.js';
import { PlanStream } from '../src/batch/plan-stream.js';
import { PlanWriter } from '../src/batch/write.js';
import { badRequest } from '../src/core/errors.js';
import { drawWindows, samplerFor } from '../src/batch/random-windows.js';
import { sendEncoded } from '../src/http/cache.js';
import type { BasesRouteOptions } from './answer-bases.js';
import { lineWidth } from './batch.js';
import { letterCase, mask } from './schemas.js';

const maxWindowLength = 1_000_000;
const maxWindowCount = 100_000;
const maxWindowBases = 2 ** 28;

const wholeNumber = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(/^\d{1,16}$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${what} must be from ${min} to ${max}`);

const querystring = z.object({
  length: wholeNumber(1, maxWindowLength, 'length'),
  count: wholeNumber(1, maxWindowCount, 'count').default(1),
  seed: wholeNumber(0, 2 ** 32 - 1, 'seed').optional(),
  exclude: z.enum(['N', 'n'], { error: 'must be N (windows holding N or n are drawn again)' }).optional(),
  format: z.enum(['json', 'fasta', 'bed'], { error: 'must be json, fasta or bed' }).optional(),
  width: lineWidth,
  case: letterCase,
  mask,
});

export const randomRoutes: FastifyPluginAsync<BasesRouteOptions> = async (app, { store, streamThreshold, cache }) => {
  // Built once per store (and again after a reload swaps its sequences), not per request.
  let sampler = samplerFor(store);
  store.onSwap(() => (sampler = samplerFor(store)));
  app.withTypeProvider<ZodTypeProvider>().route({
    method: 'GET',
    url: '/random',
    schema: { querystring },
    handler: async (request, reply) => {
      const { length, count, exclude, width } = request.query;
      if (length * count > maxWindowBases) {
        throw badRequest(`count × length is ${length * count} bases; at most ${maxWindowBases} in one request`);
      }
      const seed = request.query.seed ?? randomInt(0, 2 ** 32);
      const plan = await drawWindows(store, sampler, { length, count, seed, excludeN: exclude !== undefined });
      const format = chooseFormat(request.query.format, request.headers.accept, ['json', 'fasta', 'bed']);
      const writer = new PlanWriter(store, plan, {
        format,
        width,
        case: request.query.case,
        mask: request.query.mask,
        jsonPrefix: `{"seed":${seed},"length":${length},"count":${count},"sequences":[`,
      });
      reply.header('content-type', mediaTypes[format]).header('x-seqserve-seed', String(seed));
      if (plan.count <= 8192 && plan.totalBases() <= streamThreshold) {
        const all = writer.all();
        return sendEncoded(request, reply, all, cache, Buffer.byteLength(all));
      }
      return sendEncoded(request, reply, new PlanStream(writer), cache, plan.totalBases() + plan.count);
    },
  });
};
