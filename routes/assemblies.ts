import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Assemblies, Assembly } from '../src/assemblies.js';
import { ProblemError } from '../src/errors.js';

const params = z.object({ assembly: z.string().min(1) });

/**
 * GET /assemblies and /assemblies/:assembly: the genome builds this server holds. Each one's
 * sequences are under /assemblies/NAME/chrom/... (registered per assembly in src/app.ts);
 * the default one's also under /chrom/....
 */
export const assembliesRoutes: FastifyPluginAsync<{ assemblies: Assemblies }> = async (app, { assemblies }) => {
  const describe = (a: Assembly) => ({
    name: a.name,
    default: a === assemblies.default,
    sequences: a.store.sequences.length,
    bases: a.store.totalBases,
    chrom: `/assemblies/${a.name}/chrom`,
  });
  const list = JSON.stringify(assemblies.list.map(describe));

  app.get('/assemblies', (_request, reply) => {
    reply.header('content-type', 'application/json; charset=utf-8').send(list);
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/assemblies/:assembly', { schema: { params } }, (request) => describe(known(assemblies, request.params.assembly)));

  // The per-assembly routes are literal paths, which win over this one; anything reaching it
  // names an assembly that does not exist, or a path that no assembly has.
  typed.get('/assemblies/:assembly/*', { schema: { params: params.extend({ '*': z.string() }), description: 'Any path under an assembly that no route serves: 404, naming an unknown assembly' } }, (request) => {
    known(assemblies, request.params.assembly);
    throw new ProblemError('not-found', `no route for GET ${request.url.split('?')[0]}; GET /assemblies/${request.params.assembly}/chrom lists the sequences`);
  });
};

function known(assemblies: Assemblies, name: string): Assembly {
  const assembly = assemblies.get(name);
  if (!assembly) {
    throw new ProblemError('not-found', `no assembly named ${JSON.stringify(name.slice(0, 100))}; GET /assemblies lists them (${assemblies.list.map((a) => a.name).join(', ')})`);
  }
  return assembly;
}
