import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { namingAuthority } from '../src/aliases.js';
import type { Assembly } from '../src/assemblies.js';
import { ProblemError } from '../src/errors.js';
import type { DigestIndex } from '../src/refget/digest-index.js';
import { trunc512Of } from '../src/refget/digests.js';
import { jsonTypes, negotiate, sequenceTypes } from '../src/refget/media-types.js';
import { subsequence } from '../src/refget/subsequence.js';
import type { MappedSequence } from '../src/store/mapped-sequence.js';
import { sendBases } from './answer-bases.js';

/** What refget finds by digest: a sequence, and the assembly whose names it has. */
export interface RefgetItem {
  record: MappedSequence['record'];
  sequence: MappedSequence;
  assembly: Assembly;
}

export interface RefgetOptions {
  /** The digest index now (a reload replaces it). */
  digests: () => DigestIndex<RefgetItem>;
  version: string;
  streamThreshold: number;
  /** Most bases in one answer (413 beyond); default unlimited. */
  maxAnswerBases?: number;
}

const params = z.object({ id: z.string().min(1) });
// Strings, not numbers: refget's own rules decide the status of a bad value (src/refget/subsequence.ts).
const querystring = z.object({ start: z.string().optional(), end: z.string().optional() });

/** Refget answers are always upper case (its normalisation), whatever the FASTA holds. */
const upperCase = { case: 'upper', mask: 'soft' } as const;

/**
 * GA4GH refget v2 (with what v1 clients read): GET /sequence/{id} by MD5, ga4gh (SQ.) or TRUNC512
 * digest, /sequence/{id}/metadata and /sequence/service-info. Digests come from sidecar files or
 * a background worker (src/refget/digest-index.ts); until a sequence's are known, it is a 404
 * that says so.
 */
export const refgetRoutes: FastifyPluginAsync<RefgetOptions> = async (app, { digests, version, streamThreshold, maxAnswerBases }) => {
  const serviceInfo = JSON.stringify(describeService(version));
  app.get('/sequence/service-info', (request, reply) => {
    reply.header('content-type', `${accepted(request, jsonTypes)}; charset=us-ascii`).send(serviceInfo);
  });

  app.withTypeProvider<ZodTypeProvider>().route({
    method: ['GET', 'HEAD'],
    url: '/sequence/:id',
    schema: { params, querystring },
    handler: (request, reply) => {
      const type = accepted(request, sequenceTypes);
      const { sequence } = find(digests(), request.params.id);
      const { start, end } = request.query;
      const wanted = subsequence({ start, end, range: request.headers.range }, sequence.length);
      if (wanted.kind !== 'bases') {
        const headers: Record<string, string> = wanted.kind === 'range-not-satisfiable' ? { 'content-range': `bytes */${sequence.length}` } : {};
        throw new ProblemError(wanted.kind, `${wanted.detail}; sequence ${request.params.id}`, headers);
      }
      reply.header('content-type', `${type}; charset=us-ascii`);
      // The specification asks for this after start/end; for a whole sequence, Range works.
      reply.header('accept-ranges', wanted.byQuery ? 'none' : 'bytes');
      if (wanted.partial) reply.code(206).header('content-range', `bytes ${wanted.start}-${wanted.end - 1}/${sequence.length}`);
      return sendBases(request, reply, sequence, { from: wanted.start, to: wanted.end, reverse: false }, upperCase, streamThreshold, maxAnswerBases);
    },
  });

  app.withTypeProvider<ZodTypeProvider>().get('/sequence/:id/metadata', { schema: { params } }, (request, reply) => {
    const type = accepted(request, jsonTypes);
    const index = digests();
    const item = find(index, request.params.id);
    const { md5, ga4gh } = index.digestsOf(item)!;
    const { name } = item.record;
    const aliases = [
      { alias: name, naming_authority: namingAuthority(name) },
      ...item.assembly.catalog.aliasesOf(name).map((a) => ({ alias: a.alias, naming_authority: a.namingAuthority })),
    ];
    const metadata = { md5, ga4gh, trunc512: trunc512Of(ga4gh), length: item.record.length, aliases };
    reply.header('content-type', `${type}; charset=us-ascii`).send(JSON.stringify({ metadata }));
  });
};

function accepted(request: FastifyRequest, offers: Parameters<typeof negotiate>[1]): string {
  const type = negotiate(request.headers.accept, offers);
  if (!type) {
    throw new ProblemError('not-acceptable', `cannot answer as ${request.headers.accept}; this resource is served as ${[...offers.answers, ...offers.generic].join(', ')}`);
  }
  return type;
}

function find(digests: DigestIndex<RefgetItem>, id: string): RefgetItem {
  const item = digests.find(id);
  if (item) return item;
  const pending = digests.total - digests.known;
  const why =
    pending > 0
      ? `; the digests of ${pending} of ${digests.total} sequences are still being computed in the background, so it may be one of them: retry shortly (seqserve index DATA stores them ahead of time)`
      : '; GET /chrom lists the sequences, GET /sequence/{md5}/metadata their digests';
  throw new ProblemError('not-found', `no sequence with the refget identifier ${JSON.stringify(id.slice(0, 100))}${why}`);
}

/** GA4GH service-info, with refget v2's `refget` block and v1's `service` block. */
function describeService(version: string) {
  const algorithms = ['md5', 'ga4gh', 'trunc512'];
  return {
    id: 'org.seqserve.refget',
    name: 'seqserve',
    type: { group: 'org.ga4gh', artifact: 'refget', version: '2.0.0' },
    description: 'Reference sequences by digest, served from memory-mapped FASTA files',
    organization: { name: 'seqserve', url: 'https://github.com/seqserve/seqserve' },
    version,
    refget: { circular_supported: false, subsequence_limit: null, algorithms, identifier_types: [] },
    service: { circular_supported: false, subsequence_limit: null, algorithms, supported_api_versions: ['1.0', '2.0.0'] },
  };
}
