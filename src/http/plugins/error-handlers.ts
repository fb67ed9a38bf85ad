/** Every error and every unknown route answered as problem+json (src/http/problem-answers.ts); server faults logged. */
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ProblemError } from '../../core/errors.js';
import { sendProblem, toProblem } from '../problem-answers.js';

const errorHandlers: FastifyPluginAsync = async (app) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500 && problem.status !== 503) request.log.error({ reqId: request.id, err: error }, 'request failed');
    sendProblem(reply, problem, request.url);
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = new ProblemError('not-found', `no route for ${request.method} ${request.url.split('?')[0]}; GET /chrom lists the sequences`);
    sendProblem(reply, problem, request.url);
  });
};

export default fp(errorHandlers, { name: 'error-handlers' });
