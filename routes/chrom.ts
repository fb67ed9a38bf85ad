import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { unknownSequence } from '../src/errors.js';
import type { MappedSequence } from '../src/store/mapped-sequence.js';
import type { SequenceStore } from '../src/store/sequence-store.js';
import { sequenceName } from './schemas.js';

/** GET /chrom and /chrom/:name: what sequences exist, under which other names, and how they are stored. */
export const chromRoutes: FastifyPluginAsync<{ store: SequenceStore }> = async (app, { store }) => {
  const aliasNames = (s: MappedSequence) => store.aliasesOf(s).map((a) => a.alias);
  // Serialised once: with tens of thousands of contigs, stringifying per request would block.
  const serialize = () => JSON.stringify(store.sequences.map((s) => ({ name: s.name, length: s.length, aliases: aliasNames(s) })));
  let list = serialize();
  // A reload swaps the store's sequences: serialised again, once.
  store.onSwap(() => (list = serialize()));

  app.get('/chrom', (_request, reply) => {
    reply.header('content-type', 'application/json; charset=utf-8').send(list);
  });

  app.withTypeProvider<ZodTypeProvider>().get(
    '/chrom/:name',
    { schema: { params: z.object({ name: sequenceName }) } },
    (request) => {
      // Asked by an alias, the answer is the canonical record: its name tells the client which sequence it got.
      const sequence = store.get(request.params.name);
      if (!sequence) throw unknownSequence(request.params.name);
      const { name, length, file, format, offset, lineBases, lineBytes } = sequence.record;
      return { name, length, format, file: file.split('/').pop(), offset, lineBases, lineBytes, aliases: aliasNames(sequence) };
    },
  );
};
