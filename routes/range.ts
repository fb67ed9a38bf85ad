import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { badRequest, pastTheEnd, unknownSequence } from '../src/errors.js';
import { contentRange, parseRange } from '../src/http-range.js';
import type { MappedSequence } from '../src/store/mapped-sequence.js';
import { RangeStream } from '../src/store/range-stream.js';
import type { SequenceStore } from '../src/store/sequence-store.js';
import { coordinate, sequenceName } from './schemas.js';

const params = z.object({ name: sequenceName });
const querystring = z.object({
  start: coordinate.optional(),
  end: coordinate.optional(),
  strand: z.enum(['+', '-'], { error: 'must be + or - (write - as is, + as %2B)' }).default('+'),
});

export interface RangeOptions {
  store: SequenceStore;
  /** Answers up to this many bases are sent as one buffer; longer ones are streamed. */
  streamThreshold: number;
}

/**
 * GET /chrom/:name/range?start&end&strand: bases [start, end). The representation is those
 * bases (reverse-complemented for strand=-), and an HTTP Range header selects bytes of it.
 */
export const rangeRoutes: FastifyPluginAsync<RangeOptions> = async (app, { store, streamThreshold }) => {
  // GET and HEAD in one route: Fastify's automatic HEAD route would build the whole answer (and
  // drain a streamed one from the mapping) only to throw it away.
  app.withTypeProvider<ZodTypeProvider>().route({
    method: ['GET', 'HEAD'],
    url: '/chrom/:name/range',
    schema: { params, querystring },
    handler: (request, reply) => {
      const { name } = request.params;
      const sequence = store.get(name);
      if (!sequence) throw unknownSequence(name);
      const start = request.query.start ?? 0;
      const end = request.query.end ?? sequence.length;
      if (start > sequence.length || end > sequence.length) {
        throw pastTheEnd(`range ${start}-${end} is past the end of "${name}" (length ${sequence.length})`, sequence.length);
      }
      if (start > end) throw badRequest(`start ${start} is greater than end ${end} for "${name}"; ranges are 0-based, half-open [start, end)`);
      const reverse = request.query.strand === '-';
      const size = end - start;

      reply.header('content-type', 'text/plain').header('accept-ranges', 'bytes');
      const range = parseRange(request.headers.range, size);
      if (range.kind === 'unsatisfiable') {
        throw pastTheEnd(`Range ${request.headers.range} is outside the ${size} bases of this answer`, size);
      }
      if (range.kind === 'range') {
        reply.code(206).header('content-range', contentRange(range.start, range.end, size));
        // Byte k of a reverse complement is the complement of base end-1-k.
        const [from, to] = reverse ? [end - range.end, end - range.start] : [start + range.start, start + range.end];
        return send(reply, sequence, from, to, reverse, streamThreshold);
      }
      return send(reply, sequence, start, end, reverse, streamThreshold);
    },
  });
};

function send(reply: FastifyReply, sequence: MappedSequence, start: number, end: number, reverse: boolean, streamThreshold: number) {
  if (reply.request.method === 'HEAD') return reply.header('content-length', end - start).send();
  if (end - start > streamThreshold) {
    reply.header('content-length', end - start).send(new RangeStream(sequence, start, end, reverse));
  } else {
    reply.send(reverse ? sequence.reverseComplement(start, end) : sequence.bytes(start, end));
  }
  return reply;
}
