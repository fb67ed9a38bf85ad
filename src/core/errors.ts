/** The error types: problems answered as problem+json, bad data at startup, overload. */
import { STATUS_CODES } from 'node:http';

/**
 * Problems answered as application/problem+json (RFC 9457). One table holds each kind's
 * status and title, so routes only say what went wrong and with which sequence/coordinate.
 */
const kinds = {
  'bad-request': { status: 400, title: 'Bad Request' },
  'unknown-sequence': { status: 404, title: 'Unknown sequence' },
  'not-found': { status: 404, title: 'Not Found' },
  'not-acceptable': { status: 406, title: 'Not Acceptable' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'too-large': { status: 413, title: 'Content Too Large' },
  'range-not-satisfiable': { status: 416, title: 'Range Not Satisfiable' },
  internal: { status: 500, title: 'Internal Server Error' },
  'not-implemented': { status: 501, title: 'Not Implemented' },
  unavailable: { status: 503, title: 'Service Unavailable' },
} as const;

export type ProblemKind = keyof typeof kinds;

export class ProblemError extends Error {
  readonly status: number;
  readonly title: string;
  readonly type: string;

  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Another 4xx/5xx status of the same kind (e.g. Fastify's own 413 or 415). */
    status: number = kinds[kind].status,
  ) {
    super(detail);
    this.status = status;
    this.title = status === kinds[kind].status ? kinds[kind].title : (STATUS_CODES[status] ?? kinds[kind].title);
    this.type = `urn:seqserve:problem:${kind}`;
  }

  body(instance?: string): Record<string, unknown> {
    return { type: this.type, title: this.title, status: this.status, detail: this.detail, ...(instance ? { instance } : {}) };
  }
}

export const badRequest = (detail: string) => new ProblemError('bad-request', detail);

export const unknownSequence = (name: string) => new ProblemError('unknown-sequence', `no sequence named "${name}"; GET /chrom lists the names`);

/** 416 for coordinates past the end; Content-Range tells the client the length. */
export const pastTheEnd = (detail: string, length: number) => new ProblemError('range-not-satisfiable', detail, { 'content-range': `bytes */${length}` });

/** Bad data found at startup: the message names the file and the fix, and is shown without a stack. */
export class DataError extends Error {
  override name = 'DataError';
}

/** 413 for an answer over a configured cap: the detail names the limit and the setting that raises it. */
export const answerTooLarge = (bases: number, limit: number) =>
  new ProblemError(
    'too-large',
    `this answer would hold ${bases} bases; at most ${limit} are served in one answer (setting --max-answer-bases / SEQSERVE_MAX_ANSWER_BASES); ask for smaller ranges`,
  );

/** Seconds a client is told to wait (Retry-After) when overloaded or while data is being replaced. */
export const retryAfterSeconds = 5;

/** 503 while the server is overloaded (@fastify/under-pressure), with Retry-After. */
export class OverloadedError extends ProblemError {
  constructor() {
    super('unavailable', 'the server is overloaded (event-loop delay or heap over its limit); retry after the Retry-After delay', {
      'retry-after': String(retryAfterSeconds),
    });
  }
}
