/**
 * GET/HEAD /files/NAME: the data folder's files byte for byte, with ranges and validators, for igv.js
 * and JBrowse.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ProblemError, pastTheEnd } from '../src/core/errors.js';
import { contentRange, evaluatePreconditions, parseRange, rangeApplies } from '../src/http/range.js';
import type { StaticFile } from '../src/data/static-files.js';

export interface FilesOptions {
  /** The servable files by name (src/data/static-files.ts), built once at startup. */
  files: ReadonlyMap<string, StaticFile>;
  /** Bodies up to this many bytes are sent as one buffer; longer ones are streamed. */
  streamThreshold: number;
}

/**
 * GET/HEAD /files/NAME: a FASTA file, its .fai or a raw file of the data folder, byte for byte,
 * with single byte ranges (RFC 9110 §14) and conditional requests (§13). NAME is only ever a
 * key of the map built at startup: '..', encoded slashes or absolute paths find nothing (404).
 * Bytes come from the mapping (or, for a .fai, from memory); bodies above the threshold are
 * streamed chunk by chunk as the socket drains, and a client that hangs up stops the stream.
 */
export const filesRoutes: FastifyPluginAsync<FilesOptions> = async (app, { files, streamThreshold }) => {
  // GET and HEAD in one route: Fastify's automatic HEAD route would drain a stream body (reading
  // the whole file from the mapping) and rewrite Content-Length to 0 for an empty body.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/files/*',
    handler: (request, reply) => {
      const name = (request.params as { '*': string })['*'];
      const file = files.get(name);
      if (!file) {
        throw new ProblemError(
          'not-found',
          `no file named ${JSON.stringify(name.slice(0, 200))} under /files; only the data folder's FASTA files, their .fai and raw files are served, by file name`,
        );
      }

      reply.header('accept-ranges', 'bytes').header('etag', file.etag).header('last-modified', new Date(file.lastModified).toUTCString());

      const precondition = evaluatePreconditions(request.headers, file);
      if (precondition === 'not-modified') return reply.code(304).send();
      if (precondition === 'failed')
        throw new ProblemError('bad-request', `a precondition (If-Match or If-Unmodified-Since) does not hold for ${file.name}`, {}, 412);

      reply.header('content-type', 'text/plain');
      let start = 0;
      let end = file.size;
      if (request.headers.range !== undefined && rangeApplies(request.headers['if-range'], file)) {
        const range = parseRange(request.headers.range, file.size);
        if (range.kind === 'unsatisfiable') {
          throw pastTheEnd(`Range ${request.headers.range.slice(0, 100)} is outside the ${file.size} bytes of ${file.name}`, file.size);
        }
        if (range.kind === 'range') {
          ({ start, end } = range);
          reply.code(206).header('content-range', contentRange(start, end, file.size));
        }
      }

      reply.header('content-length', end - start);
      // HEAD: headers only; no stream is made, so nothing is read from the mapping.
      if (request.method === 'HEAD') return reply.send();
      return reply.send(end - start > streamThreshold ? file.stream(start, end) : file.bytes(start, end));
    },
  });
};
