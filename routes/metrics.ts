/** GET /metrics: Prometheus text exposition, across every worker. */
import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../src/http/metrics.js';

/**
 * GET /metrics: Prometheus text exposition (src/http/metrics.ts). With --workers N every scrape covers
 * every worker, whichever answers: the primary sums their figures (src/http/cluster-metrics.ts).
 */
export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        description:
          'Prometheus text exposition format: seqserve_http_requests_total, seqserve_http_request_duration_seconds and ' +
          'seqserve_http_response_bytes_total by route pattern (`unmatched` for no route), the catalog (seqserve_sequences, ' +
          'seqserve_bases, seqserve_mapped_bytes), seqserve_page_cache_resident_bytes, refget digests known, and the ' +
          'Node.js process metrics (event-loop lag, memory, GC), seqserve_workers. With --workers, every scrape covers every worker ' +
          '(counters and histograms summed, including workers since replaced; shared gauges not multiplied; no `pid` label).',
        produces: ['text/plain'],
      },
    },
    async (_request, reply) => {
      const { contentType, body } = await metrics.scrape();
      reply.header('content-type', contentType).send(body);
    },
  );
};
