/**
 * POST /batch: many regions in (JSON, or region and BED lines as text; src/batch/parse.ts), their
 * bases out in one answer (JSON, or FASTA as `samtools faidx [-i] -r` writes it; record-format.ts;
 * or, for regions of one length, NumPy arrays with `rc`/`shift` augmentation by `seed`).
 * The first bad region fails the whole batch (400/404/416, problem+json naming it); a body or region
 * count over the limit is 413; large answers stream as the socket drains.
 */
import { randomInt } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseJsonBody, parseTextBody } from '../src/batch/parse.js';
import { augmentPlan, isAugmenting } from '../src/batch/augment.js';
import { chooseFormat } from '../src/batch/output-format.js';
import { badRequest } from '../src/core/errors.js';
import type { BasesRouteOptions } from './answer-bases.js';
import { augmentationOf, sendPlan, wholeNumber, windowOptions } from './plan-answer.js';
import { answerOptions } from './schemas.js';

export interface BatchRouteOptions extends BasesRouteOptions {
  /** Largest request body, in bytes (default 64 MiB). */
  bodyLimit?: number;
  /** Most regions in one request (default 1,000,000). */
  maxRegions?: number;
}

const defaultBatchBodyLimit = 64 * 1024 * 1024;
const defaultMaxRegions = 1_000_000;

/** FASTA line width: a whole number, 0 for unwrapped. */
export const lineWidth = z
  .string()
  .regex(/^\d{1,9}$/, 'must be a whole number of bases per line (0 = one line)')
  .transform(Number)
  .default(60);

const querystring = z.object({
  format: z.enum(['json', 'fasta', 'npy', 'npz'], { error: 'must be json, fasta, npy or npz' }).optional(),
  width: lineWidth,
  ...answerOptions,
  ...windowOptions,
  seed: wholeNumber(0, 2 ** 32 - 1, 'seed')
    .optional()
    .describe('repeats rc=random and shift (x-seqserve-seed)'),
});

const regionObject = z.object({
  name: z.string().optional(),
  chrom: z.string().optional(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  strand: z.enum(['+', '-', '.']).optional(),
});
/** For the OpenAPI document only: the body is read by src/batch/parse.ts, not item by item by zod. */
const body = z.union([
  z.object({ regions: z.array(z.union([z.string().describe('samtools region, 1-based inclusive'), regionObject])) }),
  z.string().describe('text/plain or text/x-bed: BED lines, or one samtools region a line'),
]);

export const batchRoutes: FastifyPluginAsync<BatchRouteOptions> = async (app, options) => {
  const { store } = options;
  const bodyLimit = options.bodyLimit ?? defaultBatchBodyLimit;
  const maxRegions = options.maxRegions ?? defaultMaxRegions;
  // BED bodies, read as text like text/plain (this plugin's scope only).
  app.addContentTypeParser('text/x-bed', { parseAs: 'string', bodyLimit }, (_request, text, done) => done(null, text));

  app.withTypeProvider<ZodTypeProvider>().route({
    method: 'POST',
    url: '/batch',
    bodyLimit,
    schema: {
      querystring,
      body,
      description:
        'The bases of many regions in one answer. format=npy or npz (regions of one length): the windows as NumPy arrays with their coordinates, as GET /random answers them; rc=random and shift augment by seed (X-Seqserve-Seed).',
    },
    // zod for the querystring; the body is passed through as parsed, and checked by src/batch/parse.ts.
    validatorCompiler: (route) =>
      route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0]),
    handler: async (request, reply) => {
      const query = request.query;
      const parseOptions = { store, defaultReverse: query.strand === '-', maxRegions };
      const raw: unknown = request.body;
      if (raw === undefined || raw === null)
        throw badRequest('the body is empty; send {"regions": [...]} as application/json, or BED / region lines as text/plain');
      // By media type: a JSON body that is a bare string is not a text body.
      const isJson = /^application\/([\w.+-]+\+)?json/i.test(request.headers['content-type'] ?? '');
      const plan = !isJson && typeof raw === 'string' ? await parseTextBody(raw, parseOptions) : await parseJsonBody(raw, parseOptions);
      const format = chooseFormat(query.format, request.headers.accept, ['json', 'fasta', 'npy', 'npz']);
      const seed = query.seed ?? randomInt(0, 2 ** 32);
      const augmentation = augmentationOf(query, format, seed);
      if (isAugmenting(augmentation)) {
        augmentPlan(plan, augmentation);
        reply.header('x-seqserve-seed', String(seed));
      }
      return sendPlan(request, reply, plan, { ...query, format }, options);
    },
  });
};
