/**
 * GET /random: N windows of L bases drawn uniformly over every start position of the assembly
 * (src/batch/random-windows.ts), as JSON, FASTA, BED or NumPy arrays (npy, npz). The seed (given,
 * or picked) is in the `x-seqserve-seed` header and the JSON answer, so any draw can be repeated;
 * `exclude=N` redraws windows holding N (422 after count·10 + 1000 draws). For training:
 * `shard`/`shards` split the draws into disjoint streams, `stride` walks an epoch over a window
 * grid without replacement (`offset`, `x-seqserve-next-offset`), `rc` and `shift` augment.
 */
import { randomInt } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { chooseFormat } from '../src/batch/output-format.js';
import { badRequest } from '../src/core/errors.js';
import { drawWindows, epochWindows, samplerFor } from '../src/batch/random-windows.js';
import { WindowGrid } from '../src/batch/window-grid.js';
import type { BasesRouteOptions } from './answer-bases.js';
import { lineWidth } from './batch.js';
import { augmentationOf, sendPlan, wholeNumber, windowOptions } from './plan-answer.js';
import { letterCase, mask } from './schemas.js';

const maxWindowLength = 1_000_000;
const maxWindowCount = 100_000;
const maxWindowBases = 2 ** 28;

const querystring = z.object({
  length: wholeNumber(1, maxWindowLength, 'length'),
  count: wholeNumber(1, maxWindowCount, 'count').default(1),
  seed: wholeNumber(0, 2 ** 32 - 1, 'seed').optional(),
  exclude: z.enum(['N', 'n'], { error: 'must be N (windows holding N or n are drawn again)' }).optional(),
  format: z.enum(['json', 'fasta', 'bed', 'npy', 'npz'], { error: 'must be json, fasta, bed, npy or npz' }).optional(),
  width: lineWidth,
  case: letterCase,
  mask,
  ...windowOptions,
  shard: wholeNumber(0, 65_535, 'shard').default(0).describe('this stream, from 0 to shards - 1'),
  shards: wholeNumber(1, 65_536, 'shards').default(1).describe('disjoint streams of windows from one seed (data-parallel training)'),
  stride: wholeNumber(1, 2 ** 40, 'stride')
    .optional()
    .describe('an epoch without replacement over windows at every stride-th start, in a seeded order'),
  offset: wholeNumber(0, 2 ** 53 - 1, 'offset')
    .optional()
    .describe('with stride: the position in the epoch to answer from (see x-seqserve-next-offset)'),
});

export const randomRoutes: FastifyPluginAsync<BasesRouteOptions> = async (app, options) => {
  const { store } = options;
  // Built once per store (and again after a reload swaps its sequences), not per request.
  let sampler = samplerFor(store);
  let grids = new Map<string, WindowGrid>();
  store.onSwap(() => {
    sampler = samplerFor(store);
    grids = new Map();
  });
  const gridOf = (length: number, stride: number) => {
    const key = `${length}/${stride}`;
    let grid = grids.get(key);
    if (!grid) {
      if (grids.size >= 32) grids.clear();
      grid = new WindowGrid(store.sequences, length, stride);
      grids.set(key, grid);
    }
    return grid;
  };
  app.withTypeProvider<ZodTypeProvider>().route({
    method: 'GET',
    url: '/random',
    schema: {
      querystring,
      description:
        "Windows drawn uniformly over the assembly. format=npy: the windows as one uint8 array (count, length) or (count, length, 4) for onehot, then their coordinates as a second array (sequence, start, end, strand); numpy.load reads each in turn. format=npz: windows.npy, sequence.npy, start.npy, end.npy, strand.npy. Headers: X-Seqserve-Seed; with stride, X-Seqserve-Windows (windows in the shard's epoch) and X-Seqserve-Next-Offset (absent once the epoch is done).",
    },
    handler: async (request, reply) => {
      const query = request.query;
      const { length, count, shard, shards, stride } = query;
      if (length * count > maxWindowBases) {
        throw badRequest(`count × length is ${length * count} bases; at most ${maxWindowBases} in one request`);
      }
      if (shard >= shards) throw badRequest(`shard ${shard} is not below shards=${shards}; shards are numbered from 0`);
      if (query.offset !== undefined && stride === undefined) throw badRequest('offset goes with stride (an epoch over a window grid)');
      const seed = query.seed ?? randomInt(0, 2 ** 32);
      const format = chooseFormat(query.format, request.headers.accept, ['json', 'fasta', 'bed', 'npy', 'npz']);
      const augmentation = augmentationOf(query, format, seed);
      const draw = { length, count, seed, excludeN: query.exclude !== undefined, shard, shards, augmentation };
      let prefix = `{"seed":${seed},"length":${length},`;
      if (shards > 1) prefix += `"shard":${shard},"shards":${shards},`;
      let plan;
      if (stride === undefined) {
        plan = await drawWindows(store, sampler, draw);
      } else {
        const offset = query.offset ?? 0;
        const epoch = await epochWindows(store, gridOf(length, stride), { ...draw, offset });
        plan = epoch.plan;
        reply.header('x-seqserve-windows', String(epoch.windows));
        if (epoch.nextOffset !== undefined) reply.header('x-seqserve-next-offset', String(epoch.nextOffset));
        prefix += `"stride":${stride},"offset":${offset},"windows":${epoch.windows},"next_offset":${epoch.nextOffset ?? null},`;
      }
      reply.header('x-seqserve-seed', String(seed));
      const jsonPrefix = `${prefix}"count":${plan.count},"sequences":[`;
      return sendPlan(request, reply, plan, { ...query, format, jsonPrefix, length }, options);
    },
  });
};
