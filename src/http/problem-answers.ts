/**
 * Errors as RFC 9457 problem+json: from routes, from Fastify before routing, and from Node's HTTP
 * parser.
 */
import { basename } from 'node:path';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ProblemError, retryAfterSeconds } from '../core/errors.js';
import { corsHeaders, securityHeaders, securityHeaderValues } from './headers.js';
import { StaleDataError } from '../store/mapped-file.js';

/**
 * Every error answer as application/problem+json (RFC 9457): from the routes (error handler),
 * from Fastify before routing (frameworkErrors) and from Node's HTTP parser (clientError).
 */

/** A request Node's HTTP parser refused (before Fastify): said as problem+json on the raw socket. */
export function clientError(this: FastifyInstance, error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'the request line and headers are over the limit (16 KiB); shorten the URL or the headers']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request was not received in time']
        : [400, 'the request is not well-formed HTTP'];
  this.log.trace({ err: error }, 'client error');
  const problem = new ProblemError('bad-request', detail, {}, status);
  const body = JSON.stringify(problem.body());
  const headers = [...securityHeaders, ...corsHeaders].map(([name, value]) => `${name}: ${value}\r\n`).join('');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${problem.title}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${headers}connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

export function sendProblem(reply: FastifyReply, problem: ProblemError, url: string): void {
  // A Buffer, so that Fastify adds no charset to the media type.
  reply
    .code(problem.status)
    .headers(problem.headers)
    .headers(securityHeaderValues)
    .header('content-type', 'application/problem+json')
    .header('x-request-id', reply.request.id)
    .send(Buffer.from(JSON.stringify(problem.body(url.length > 200 ? `${url.slice(0, 200)}...` : url))));
}

/** Fastify's own client errors, said without echoing the (possibly huge) URL back. */
const frameworkDetails: Record<string, string> = {
  FST_ERR_BAD_URL: 'the URL has a malformed percent-encoding',
  FST_ERR_MAX_PARAM_LENGTH: 'a path segment is too long',
  FST_ERR_CTP_BODY_TOO_LARGE: 'the request body is over the limit (setting --batch-body-limit / SEQSERVE_BATCH_BODY_LIMIT)',
};

/** Our own problems pass through; validation errors become 400; anything else a bare 5xx. */
export function toProblem(error: FastifyError): ProblemError {
  if (error instanceof ProblemError) return error;
  if ((error as unknown) instanceof StaleDataError) {
    const file = basename((error as unknown as StaleDataError).path);
    return new ProblemError('unavailable', `the data file ${file} changed on disk while served; it is not read again until the server reloads its data`, {
      'retry-after': String(retryAfterSeconds),
    });
  }
  if (error.validation) {
    const issue = error.validation[0];
    const where = `${error.validationContext ?? 'request'}${issue?.instancePath?.replace(/\//g, '.') ?? ''}`;
    return new ProblemError('bad-request', `${where} ${issue?.message ?? 'is invalid'}`);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ProblemError('bad-request', frameworkDetails[error.code] ?? error.message, {}, status);
  // Never show paths or stacks to the client; the log has them, under the request id.
  return new ProblemError('internal', 'the server failed to answer this request; the log has details under this request id');
}
