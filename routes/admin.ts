/** POST /admin/reload, behind a bearer token: re-read the data folder without a restart. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { ProblemError } from '../src/core/errors.js';
import type { ReloadOutcome } from '../src/data/served-data.js';

export interface AdminOptions {
  /** The bearer token (SEQSERVE_ADMIN_TOKEN); absent: the admin routes answer 404. */
  token: string | undefined;
  /** Reloads the data folder; rejects with a ProblemError/DataError when the new data is bad (the old is kept). */
  reload: () => Promise<ReloadOutcome>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * POST /admin/reload: re-reads the data folder (catalogs, .fai, aliases), maps the new files and
 * swaps them in with no failed request (src/data/served-data.ts). Enabled only when SEQSERVE_ADMIN_TOKEN is
 * set, with `Authorization: Bearer TOKEN`: no token configured 404, none sent 401, a wrong one 403.
 * 200: reloaded in this process. 202: a cluster worker passed it to the primary, which checks the
 * data once and tells every worker to reload (the log says when each has); bad data is then only
 * in the primary's log. A reload that finds bad data keeps serving the old data: 422 says why.
 */
export const adminRoutes: FastifyPluginAsync<AdminOptions> = async (app, { token, reload }) => {
  const expected = token === undefined ? undefined : digest(token);
  app.post('/admin/reload', { config: { pressureHandler: () => undefined } }, async (request, reply) => {
    if (expected === undefined) {
      throw new ProblemError('not-found', 'no route for POST /admin/reload: the admin routes are enabled by setting SEQSERVE_ADMIN_TOKEN');
    }
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match)
      throw new ProblemError('unauthorized', 'send Authorization: Bearer <SEQSERVE_ADMIN_TOKEN>', { 'www-authenticate': 'Bearer realm="seqserve-admin"' });
    if (!timingSafeEqual(digest(match[1]!), expected)) throw new ProblemError('forbidden', 'the bearer token is not the admin token');
    const outcome = await reload();
    return reply.code(outcome.status === 'accepted' ? 202 : 200).send(outcome);
  });
};
