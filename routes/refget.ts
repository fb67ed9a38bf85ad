/** GA4GH refget v2: sequences and metadata by digest (MD5, ga4gh SQ., TRUNC512), and service-info. */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { namingAuthority } from '../src/data/aliases.js';
import { ProblemError, answerTooLarge } from '../src/core/errors.js';
import {
  answeredConditionally,
  chooseEncoding,
  closeTag,
  compressible,
  immutable,
  sendJson,
  setCacheHeaders,
  type CacheHeaders,
  type CachePolicy,
} from '../src/http/cache.js';
import type { DigestIndex } from '../src/refget/digest-index.js';
import { authorityName, type QualifiedNames } from '../src/refget/qualified-names.js';
import { trunc512Of } from '../src/refget/digests.js';
import { jsonTypes, negotiate, sequenceTypes } from '../src/refget/media-types.js';
import { subsequence } from '../src/refget/subsequence.js';
import type { RefgetItem } from '../src/refget/refget-item.js';
import { sendBases } from './answer-bases.js';
import { serviceInfo } from '../src/http/service-info.js';

export interface RefgetOptions {
  /** The digest index now (a reload replaces it). */
  digests: () => DigestIndex<RefgetItem>;
  /** Names such as insdc:CM000663.2 and GRCh38:1 now (a reload replaces them). */
  names: () => QualifiedNames;
  version: string;
  streamThreshold: number;
  /** Most bases in one answer (413 beyond); default unlimited. */
  maxAnswerBases?: number;
  /** Compression (src/http/cache.ts); refget's own answers are immutable whatever cacheMaxAge says. */
  cache: CachePolicy;
}

const params = z.object({
  id: z.string().min(1).describe('A digest (MD5, md5:, SQ., ga4gh:SQ., TRUNC512) or NAMESPACE:NAME (insdc:CM000663.2, refseq:NC_000001.11, GRCh38:1)'),
});
// Strings, not numbers: refget's own rules decide the status of a bad value (src/refget/subsequence.ts).
const querystring = z.object({ start: z.string().optional(), end: z.string().optional() });

/** Refget answers are always upper case (its normalisation), whatever the FASTA holds. */
const upperCase = { case: 'upper', mask: 'soft' } as const;

/**
 * GA4GH refget v2 (with what v1 clients read): GET /sequence/{id} by MD5, ga4gh (SQ.) or TRUNC512
 * digest, or a name such as insdc:CM000663.2 or GRCh38:1 (src/refget/qualified-names.ts), /sequence/{id}/metadata and /sequence/service-info. Digests come from sidecar files or
 * a background worker (src/refget/digest-index.ts); until a sequence's are known, it is a 404
 * that says so.
 */
export const refgetRoutes: FastifyPluginAsync<RefgetOptions> = async (app, { digests, names, version, streamThreshold, maxAnswerBases, cache }) => {
  app.get('/sequence/service-info', (request, reply) => {
    // Not addressed by digest: it changes with the server's version and data, so no long Cache-Control.
    reply
      .header('vary', 'Accept')
      .header('content-type', `${accepted(request, jsonTypes)}; charset=us-ascii`)
      .send(JSON.stringify(describeService(version, names().identifierTypes)));
  });

  app.withTypeProvider<ZodTypeProvider>().route({
    method: ['GET', 'HEAD'],
    url: '/sequence/:id',
    schema: { params, querystring },
    handler: (request, reply) => {
      const type = accepted(request, sequenceTypes);
      const { item, md5, byName } = find(digests(), names(), request.params.id);
      const { sequence } = item;
      const { start, end } = request.query;
      const wanted = subsequence({ start, end, range: request.headers.range }, sequence.length);
      if (wanted.kind !== 'bases') {
        const headers: Record<string, string> = wanted.kind === 'range-not-satisfiable' ? { 'content-range': `bytes */${sequence.length}` } : {};
        throw new ProblemError(wanted.kind, `${wanted.detail}; sequence ${request.params.id}`, headers);
      }
      // Addressed by its digest, the answer never changes: immutable. A 206 is never encoded; the
      // ETag names the bytes asked by start/end (a Range selects bytes of the whole sequence).
      const size = wanted.partial ? sequence.length : wanted.end - wanted.start;
      const encoding = wanted.partial ? undefined : chooseEncoding(request, cache, size);
      const [from, to] = wanted.partial || !wanted.byQuery ? [0, sequence.length] : [wanted.start, wanted.end];
      const h: CacheHeaders = {
        etag: closeTag(`"sq.${md5}.${from}-${to}.${sequenceTypes.answers.indexOf(type as never)}`, encoding),
        // A name (GRCh38:1) may name other bases after a reload; a digest never does.
        cacheControl: byName ? cache.cacheControl : immutable,
        vary: compressible(cache, size) ? ['Accept', 'Accept-Encoding'] : ['Accept'],
      };
      if (answeredConditionally(request, reply, h)) return reply;
      if (wanted.end - wanted.start > (maxAnswerBases ?? Infinity)) throw answerTooLarge(wanted.end - wanted.start, maxAnswerBases!);
      setCacheHeaders(reply, h);
      reply.header('content-type', `${type}; charset=us-ascii`);
      // The specification asks for this after start/end; for a whole sequence, Range works.
      reply.header('accept-ranges', wanted.byQuery ? 'none' : 'bytes');
      if (wanted.partial) reply.code(206).header('content-range', `bytes ${wanted.start}-${wanted.end - 1}/${sequence.length}`);
      const span = { from: wanted.start, to: wanted.end, reverse: false };
      return sendBases(request, reply, sequence, span, upperCase, streamThreshold, maxAnswerBases, encoding, cache.compression?.level);
    },
  });

  app.withTypeProvider<ZodTypeProvider>().get('/sequence/:id/metadata', { schema: { params } }, (request, reply) => {
    const type = accepted(request, jsonTypes);
    const index = digests();
    const { item, byName } = find(index, names(), request.params.id);
    const { md5, ga4gh } = index.digestsOf(item)!;
    const { name } = item.record;
    const aliases = [
      { alias: name, naming_authority: namingAuthority(name) },
      ...item.assembly.catalog.aliasesOf(name).map((a) => ({ alias: a.alias, naming_authority: authorityName(a.namingAuthority) })),
    ];
    const metadata = { md5, ga4gh, trunc512: trunc512Of(ga4gh), length: item.record.length, aliases };
    const tag = `"md.${md5}.${jsonTypes.answers.indexOf(type as never)}`;
    const cacheControl = byName ? cache.cacheControl : immutable;
    return sendJson(request, reply, JSON.stringify({ metadata }), cache, { tag, cacheControl, vary: ['Accept'], type: `${type}; charset=us-ascii` });
  });
};

function accepted(request: FastifyRequest, offers: Parameters<typeof negotiate>[1]): string {
  const type = negotiate(request.headers.accept, offers);
  if (!type) {
    throw new ProblemError(
      'not-acceptable',
      `cannot answer as ${request.headers.accept}; this resource is served as ${[...offers.answers, ...offers.generic].join(', ')}`,
    );
  }
  return type;
}

interface Found {
  item: RefgetItem;
  md5: string;
  /** Found by a name such as GRCh38:1 rather than by a digest. */
  byName: boolean;
}

/** By digest, else by NAMESPACE:NAME; a 404 that says why otherwise (digests still being computed, a name of several sequences). */
function find(digests: DigestIndex<RefgetItem>, names: QualifiedNames, id: string): Found {
  const quoted = JSON.stringify(id.slice(0, 100));
  const pending = digests.total - digests.known;
  const stillComputing = `the digests of ${pending} of ${digests.total} sequences are still being computed in the background`;
  const byDigest = digests.find(id);
  if (byDigest) return { item: byDigest, md5: digests.digestsOf(byDigest)!.md5, byName: false };
  const named = names.find(id);
  if (named?.kind === 'ambiguous') {
    const qualified = named.assemblies.map((a) => `${a}:${id.slice(id.indexOf(':') + 1)}`).join(', ');
    throw new ProblemError(
      'not-found',
      `${quoted} names different sequences in the assemblies ${named.assemblies.join(', ')}; name the assembly: ${qualified}`,
    );
  }
  if (named) {
    const md5 = digests.digestsOf(named.item)?.md5;
    if (md5) return { item: named.item, md5, byName: true };
    throw new ProblemError('not-found', `${quoted} is ${named.item.assembly.name}'s "${named.item.record.name}", but ${stillComputing}: retry shortly`);
  }
  const why =
    pending > 0
      ? `; ${stillComputing}, so it may be one of them: retry shortly (seqserve index DATA stores them ahead of time)`
      : '; GET /chrom lists the sequences, GET /sequence/{md5}/metadata their digests, and names such as insdc:ACCESSION or ASSEMBLY:NAME work too (GET /sequence/service-info lists the namespaces)';
  throw new ProblemError('not-found', `no sequence with the refget identifier ${quoted}${why}`);
}

/** GA4GH service-info, with refget v2's `refget` block (and the namespaces of names it resolves) and v1's `service` block. */
function describeService(version: string, identifierTypes: string[]) {
  const algorithms = ['md5', 'ga4gh', 'trunc512'];
  return {
    ...serviceInfo({ artifact: 'refget', specVersion: '2.0.0', description: 'Reference sequences by digest, served from memory-mapped FASTA files', version }),
    refget: { circular_supported: false, subsequence_limit: null, algorithms, identifier_types: identifierTypes },
    service: { circular_supported: false, subsequence_limit: null, algorithms, supported_api_versions: ['1.0', '2.0.0'] },
  };
}
