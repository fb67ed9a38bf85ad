/** Request ids: the client's X-Request-Id when sane, else a short new one unique to this process. */
import { randomBytes } from 'node:crypto';

/**
 * Request ids: the client's own X-Request-Id when it is sane (1 to 128 characters of
 * [A-Za-z0-9._-]), else one made here. A made id is a per-process random prefix and a counter,
 * so ids from different processes (workers, restarts) do not collide in the logs. Fastify's
 * routes (genReqId in src/server/fastify-options.ts) and the fast path (src/http/fast-path.ts, which adds `fp-` so the
 * log shows which path answered) share this.
 */
const sane = /^[A-Za-z0-9._-]{1,128}$/;

/** Eight hex digits, new in each process. */
const processPrefix = randomBytes(4).toString('hex');

let counter = 0;

/** A new id: `PREFIX-COUNTER` (base 36), with `tag` before it when given (`fp-PREFIX-COUNTER`). */
function newRequestId(tag = ''): string {
  return `${tag}${processPrefix}-${(++counter).toString(36)}`;
}

/** The id a request is known by: the client's header value if sane, else a new one. */
export function requestId(header: string | string[] | undefined, tag = ''): string {
  return typeof header === 'string' && sane.test(header) ? header : newRequestId(tag);
}
