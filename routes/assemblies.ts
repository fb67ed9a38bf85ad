/** GET /assemblies and /assemblies/NAME: the genome builds served, with their sequences. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Assemblies, Assembly } from '../src/data/assemblies.js';
import { ProblemError } from '../src/core/errors.js';
import { ChangeClock, contentTag, sendJson, type CachePolicy } from '../src/http/cache.js';
import type { Collections } from '../src/seqcol/collections.js';

const params = z.object({ assembly: z.string().min(1) });

/**
 * GET /assemblies and /assemblies/:assembly: the genome builds this server holds, with their seqcol digests. Each one's
 * sequences are under /assemblies/NAME/chrom/... (registered per assembly in routes/index.ts);
 * the default one's also under /chrom/..., and each also under /assemblies/{seqcol digest}/....
 */
export interface AssembliesOptions {
  assemblies: Assemblies;
  /** The seqcol collections now: each assembly's digest, null while its refget digests are computed. */
  collections: () => Collections;
  cache: CachePolicy;
}

export const assembliesRoutes: FastifyPluginAsync<AssembliesOptions> = async (app, { assemblies, collections, cache }) => {
  const describe = (a: Assembly) => {
    const digest = collections().of(a)?.collection.digest ?? null;
    return {
      name: a.name,
      default: a === assemblies.default,
      sequences: a.store.sequences.length,
      bases: a.store.totalBases,
      chrom: `/assemblies/${a.name}/chrom`,
      collection: digest,
      ...(digest ? { collection_url: `/collection/${digest}` } : {}),
    };
  };
  // Made per request (a handful of assemblies), so a reload's counts show; Last-Modified is the
  // newest data file, or when the list last changed (a reload that dropped a file).
  const clock = new ChangeClock();
  const listed = () => {
    const body = JSON.stringify(assemblies.list.map(describe));
    const tag = contentTag(body);
    return { body, tag, lastModifiedMs: clock.stamp(tag, Math.max(0, ...assemblies.list.map((a) => a.store.newestMtimeMs))) };
  };

  app.get('/assemblies', (request, reply) => {
    const { body, tag, lastModifiedMs } = listed();
    return sendJson(request, reply, body, cache, { tag, lastModifiedMs, cacheControl: cache.cacheControl });
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/assemblies/:assembly', { schema: { params } }, (request, reply) => {
    const assembly = known(assemblies, request.params.assembly);
    const lastModifiedMs = Math.max(listed().lastModifiedMs, assembly.store.newestMtimeMs);
    return sendJson(request, reply, JSON.stringify(describe(assembly)), cache, { lastModifiedMs, cacheControl: cache.cacheControl });
  });

  // The per-assembly routes are literal paths, which win over this one; anything reaching it
  // names an assembly that does not exist, or a path that no assembly has.
  typed.get(
    '/assemblies/:assembly/*',
    { schema: { params: params.extend({ '*': z.string() }), description: 'Any path under an assembly that no route serves: 404, naming an unknown assembly' } },
    (request) => {
      known(assemblies, request.params.assembly);
      throw new ProblemError(
        'not-found',
        `no route for GET ${request.url.split('?')[0]}; GET /assemblies/${request.params.assembly}/chrom lists the sequences`,
      );
    },
  );
};

function known(assemblies: Assemblies, name: string): Assembly {
  const assembly = assemblies.get(name);
  if (!assembly) {
    throw new ProblemError(
      'not-found',
      `no assembly named ${JSON.stringify(name.slice(0, 100))}; GET /assemblies lists them (${assemblies.list.map((a) => a.name).join(', ')})`,
    );
  }
  return assembly;
}
