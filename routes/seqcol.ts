/**
 * GA4GH Sequence Collections 1.0 at the root, as its clients expect: /service-info, /collection,
 * /list/collection and /attribute. Comparisons are in routes/comparison.ts. Answers addressed by
 * a digest never change, so they are immutable, as refget's are.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ProblemError, badRequest } from '../src/core/errors.js';
import { immutable, sendJson, type CachePolicy } from '../src/http/cache.js';
import { attributeNames, seqcolDigest, transientAttributes } from '../src/seqcol/collection.js';
import { isAttributeName, type Collections, type ServedCollection } from '../src/seqcol/collections.js';
import { seqcolSchema } from '../src/seqcol/schema.js';
import { serviceInfo } from '../src/http/service-info.js';

export interface SeqcolOptions {
  /** The collections now (a reload replaces them). */
  collections: () => Collections;
  version: string;
  cache: CachePolicy;
}

const digestParam = z.string().min(1).max(200).describe('A top-level (level 0) seqcol digest');
const level = z.enum(['1', '2']).optional().describe('1: a digest per attribute; 2 (default): the arrays');
const filters = Object.fromEntries(attributeNames.map((a) => [a, z.string().optional().describe(`Only collections whose ${a} has this level 1 digest`)]));
const listQuery = z
  .object({
    page: z.coerce.number().int().min(0).default(0),
    page_size: z.coerce.number().int().min(1).max(10000).default(100),
    ...filters,
  })
  .strict();

export const seqcolRoutes: FastifyPluginAsync<SeqcolOptions> = async (app, { collections, version, cache }) => {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const serviceInfo = JSON.stringify(describeService(version));
  app.get('/service-info', { schema: { description: 'GA4GH service-info with the seqcol schema (refget sequences: /sequence/service-info)' } }, (_, reply) =>
    reply.header('content-type', 'application/json; charset=utf-8').send(serviceInfo),
  );

  typed.get(
    '/collection/:digest',
    { schema: { params: z.object({ digest: digestParam }), querystring: z.object({ level }), description: 'A sequence collection by its digest' } },
    (request, reply) => {
      const { collection } = findCollection(collections(), request.params.digest);
      const wanted = request.query.level ?? '2';
      const body = collections().body(collection, wanted);
      return sendJson(request, reply, body, cache, { tag: `"sc.${collection.digest}.${wanted}`, cacheControl: immutable });
    },
  );

  typed.get(
    '/list/collection',
    { schema: { querystring: listQuery, description: 'The collections served, paged, filtered by level 1 attribute digests (AND)' } },
    (request, reply) => {
      const { page, page_size, ...wanted } = request.query;
      const conditions = Object.entries(wanted).filter(([, d]) => d !== undefined) as [string, string][];
      const digests = collections()
        .list()
        .filter(({ collection }) => conditions.every(([a, d]) => collection.level1[a as keyof typeof collection.level1] === d))
        .map(({ collection }) => collection.digest);
      const unique = [...new Set(digests)];
      const body = JSON.stringify({ results: unique.slice(page * page_size, (page + 1) * page_size), pagination: { page, page_size, total: unique.length } });
      return sendJson(request, reply, body, cache, { cacheControl: cache.cacheControl });
    },
  );

  typed.get(
    '/attribute/collection/:attribute/:digest',
    { schema: { params: z.object({ attribute: z.string().min(1).max(100), digest: digestParam }), description: 'An attribute value by its level 1 digest' } },
    (request, reply) => {
      const { attribute, digest } = request.params;
      if (!isAttributeName(attribute)) {
        throw new ProblemError('not-found', `no attribute "${attribute.slice(0, 100)}"; the attributes are ${attributeNames.join(', ')}`);
      }
      if ((transientAttributes as readonly string[]).includes(attribute)) {
        throw new ProblemError('not-found', `${attribute} is transient: only its level 1 digest is kept (GET /collection/{digest}?level=1)`);
      }
      const value = collections().attribute(attribute, digest);
      if (value === undefined)
        throw new ProblemError('not-found', `no ${attribute} with the digest ${JSON.stringify(digest.slice(0, 100))} in any collection served`);
      return sendJson(request, reply, JSON.stringify(value), cache, { tag: `"sa.${attribute}.${digest}`, cacheControl: immutable });
    },
  );
};

/** The collection with this top-level digest, or a 404 that says whether it may yet appear. */
export function findCollection(collections: Collections, digest: string): ServedCollection {
  if (!seqcolDigest.test(digest)) throw badRequest(`${JSON.stringify(digest.slice(0, 100))} is not a seqcol digest (32 base64url characters)`);
  const found = collections.find(digest);
  if (found) return found;
  const pending = collections.pending().map((a) => a.name);
  const why =
    pending.length > 0
      ? `; the refget digests of ${pending.join(', ')} are still being computed, so it may be one of them: retry shortly (seqserve index DATA stores them ahead of time)`
      : '; GET /list/collection lists the collections served';
  throw new ProblemError('not-found', `no sequence collection with the digest ${JSON.stringify(digest)}${why}`);
}

/** GA4GH service-info with the `seqcol` block the spec asks for. */
function describeService(version: string) {
  const description = 'Sequence collections (every assembly served) and reference sequences by digest, from memory-mapped files';
  return { ...serviceInfo({ artifact: 'refget-seqcol', specVersion: '1.0.0', description, version }), seqcol: { schema: seqcolSchema } };
}
