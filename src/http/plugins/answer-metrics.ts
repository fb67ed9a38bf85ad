/**
 * Counts every answer Fastify gives into the app's metrics (the fast path counts its own); in a
 * cluster worker, a scrape covers every worker through the primary (src/http/cluster-metrics.ts).
 */
import cluster from 'node:cluster';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { joinClusterMetrics } from '../cluster-metrics.js';
import { countAnswers, type Metrics } from '../metrics.js';

const answerMetrics: FastifyPluginAsync<{ metrics: Metrics }> = async (app, { metrics }) => {
  if (cluster.isWorker) joinClusterMetrics(app, metrics);
  countAnswers(app, metrics);
};

export default fp(answerMetrics, { name: 'answer-metrics' });
