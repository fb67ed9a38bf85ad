/**
 * GA4GH seqcol comparisons: GET /comparison/{a}/{b} between two collections served here, and
 * POST /comparison/{a} with a level 2 collection as the body. The spec's comparison object;
 * `seqserve compare` turns it into words.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { immutable, sendJson, type CachePolicy } from '../src/http/cache.js';
import type { Collections } from '../src/seqcol/collections.js';
import { compareCollectionsInTurns } from '../src/seqcol/comparison.js';
import { parsePostedCollection, postedCollectionBody } from '../src/seqcol/posted-collection.js';
import { findCollection } from './seqcol.js';

export interface ComparisonOptions {
  collections: () => Collections;
  /** Largest POST body in bytes (413 beyond): the --batch-body-limit that caps every request body. */
  bodyLimit: number;
  cache: CachePolicy;
}

const digest = z.string().min(1).max(200).describe('A top-level (level 0) seqcol digest');

export const comparisonRoutes: FastifyPluginAsync<ComparisonOptions> = async (app, { collections, bodyLimit, cache }) => {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/comparison/:digest1/:digest2',
    { schema: { params: z.object({ digest1: digest, digest2: digest }), description: 'Compares two collections served here' } },
    async (request, reply) => {
      const { digest1, digest2 } = request.params;
      const a = findCollection(collections(), digest1).collection;
      const b = findCollection(collections(), digest2).collection;
      const body = await collections().comparison(a, b);
      return sendJson(request, reply, body, cache, { tag: `"cmp.${a.digest}.${b.digest}`, cacheControl: immutable });
    },
  );

  typed.post(
    '/comparison/:digest1',
    {
      bodyLimit,
      schema: {
        params: z.object({ digest1: digest }),
        body: postedCollectionBody,
        description: 'Compares a collection served here (a) with the level 2 collection in the body (b)',
      },
    },
    async (request, reply) => {
      const a = findCollection(collections(), request.params.digest1).collection;
      // In slices: a posted collection of 50,000 sequences is a few hundred ms of work (BENCHMARKS.md).
      const posted = await parsePostedCollection(request.body);
      const answer = await compareCollectionsInTurns(a.level2, posted.arrays, { a: a.digest, b: posted.digest });
      return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(answer));
    },
  );
};
