// GET /chrom/:name/base/:offset: one base, the route behind the fast path (src/http/fast-path.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pastTheEnd, unknownSequence } from '../src/core/errors.js';
import { answeredConditionally, setCacheHeaders, type CacheHeaders, type CachePolicy } from '../src/http/cache.js';
import type { SequenceStore } from '../src/store/sequence-store.js';
import { coordinate, sequenceName } from './schemas.js';

const params = z.object({ name: sequenceName, offset: coordinate });

/**
 * Each byte value as a one-character string, made once: Node writes a string body in the same
 * write as the headers, a Buffer as a second chunk (BENCHMARKS.md#code-choices-and-their-measurements).
 */
const asciiStrings = Array.from({ length: 128 }, (_, b) => String.fromCharCode(b));

/**
 * GET /chrom/:name/base/:offset: one base, as stored in the mapped file. Its ETag is the
 * sequence's opening and the offset (src/http/fast-path.ts builds the same); one byte is never encoded.
 */
export const baseRoutes: FastifyPluginAsync<{ store: SequenceStore; cache: CachePolicy }> = async (app, { store, cache }) => {
  // Synchronous on purpose: the hot path (BENCHMARKS.md#code-choices-and-their-measurements).
  app.withTypeProvider<ZodTypeProvider>().get('/chrom/:name/base/:offset', { schema: { params } }, (request, reply) => {
    const { name, offset } = request.params;
    const sequence = store.get(name);
    if (!sequence) throw unknownSequence(name);
    if (offset >= sequence.length) {
      throw pastTheEnd(`offset ${offset} is past the end of "${name}" (length ${sequence.length}; offsets are 0-based)`, sequence.length);
    }
    const h: CacheHeaders = {
      etag: `${sequence.etagPrefix}${offset}"`,
      lastModified: { date: sequence.lastModified, ms: sequence.lastModifiedMs, strong: sequence.lastModifiedStrong },
      cacheControl: cache.cacheControl,
      vary: [],
    };
    if (answeredConditionally(request, reply, h)) return;
    const byte = sequence.baseByte(offset);
    setCacheHeaders(reply, h);
    // Bytes past ASCII would be re-encoded as UTF-8 from a string: send those as the raw byte.
    reply.header('content-type', 'text/plain').send(byte < 128 ? asciiStrings[byte] : Buffer.of(byte));
  });
};
