/**
 * GET /metrics (src/http/metrics.ts): the request counters and histogram move by exactly the
 * requests made, under the route pattern (`unmatched` for no route), for Fastify's answers and
 * the fast path's alike; the bytes counter is the body bytes sent; the gauges are the catalog's
 * figures; the exposition is well-formed. Every assertion carries a message.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { durationBuckets } from '../src/http/metrics.js';
import { listeningApp } from './helpers/app.js';
import { key, parse, type Samples } from './helpers/prometheus-text.js';
import { removeDir, subDir, tempDir, writeFasta } from './helpers/fasta-fixtures.js';

function get(origin: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /metrics', () => {
  let root: string;
  let data: string;
  let app: FastifyInstance;
  let origin: string;

  before(async () => {
    root = tempDir('seqserve-metrics-');
    data = subDir(root, 'data');
    writeFasta(data, 'g.fa', {
      seed: 7,
      lineWidth: 60,
      records: [
        { name: 'chr1', length: 5000 },
        { name: 'chr2', length: 700 },
      ],
    });
    ({ app, url: origin } = await listeningApp(data, { streamThreshold: 1024 }));
  });
  after(async () => {
    await app?.close();
    removeDir(root);
  });

  const scrape = async (): Promise<Samples> => {
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200, `/metrics status: ${res.body.slice(0, 200)}`);
    assert.equal(res.headers['content-type'], Registry.PROMETHEUS_CONTENT_TYPE, '/metrics content-type');
    return parse(res.body);
  };

  /** Each expected sample moved by exactly its count; nothing else of these metrics moved but /metrics itself. */
  function assertMoved(before: Samples, after: Samples, expected: Map<string, number>, names: string[]): void {
    for (const [k, n] of expected) assert.equal((after.get(k) ?? 0) - (before.get(k) ?? 0), n, `${k} moved by ${n}`);
    for (const [k, v] of after) {
      if (!names.some((n) => k.startsWith(`${n}{`)) || expected.has(k) || k.includes('route="/metrics"')) continue;
      assert.equal(v - (before.get(k) ?? 0), 0, `${k} did not move`);
    }
  }

  it('counts Fastify answers per route pattern, method and status, with exact bytes and histogram buckets', async () => {
    const requests: { method: 'GET' | 'HEAD' | 'POST'; url: string; route: string; status: number; payload?: unknown }[] = [
      { method: 'GET', url: '/chrom/chr1/base/3', route: '/chrom/:name/base/:offset', status: 200 },
      { method: 'GET', url: '/chrom/chr1/base/4', route: '/chrom/:name/base/:offset', status: 200 },
      { method: 'HEAD', url: '/chrom/chr1/base/4', route: '/chrom/:name/base/:offset', status: 200 },
      { method: 'GET', url: '/chrom/nope/base/3', route: '/chrom/:name/base/:offset', status: 404 },
      { method: 'GET', url: '/chrom/chr1/base/5000', route: '/chrom/:name/base/:offset', status: 416 },
      { method: 'GET', url: '/chrom/chr1/base/-1', route: '/chrom/:name/base/:offset', status: 400 },
      { method: 'GET', url: '/chrom/chr2/range?start=10&end=110', route: '/chrom/:name/range', status: 200 },
      { method: 'GET', url: '/chrom/chr2/range?start=10&end=9999', route: '/chrom/:name/range', status: 416 },
      { method: 'GET', url: '/no/such/route', route: 'unmatched', status: 404 },
      { method: 'GET', url: '/no/such/other/route?x=1', route: 'unmatched', status: 404 },
      { method: 'GET', url: '/assemblies/data/chrom/chr1/base/1', route: '/assemblies/data/chrom/:name/base/:offset', status: 200 },
      // Over streamThreshold (1024 bases): streamed without a Content-Length; its bytes are counted as written.
      { method: 'POST', url: '/batch?format=fasta', route: '/batch', status: 200, payload: { regions: ['chr1:1-3000', 'chr2'] } },
      { method: 'GET', url: '/chrom', route: '/chrom', status: 200 },
    ];
    const before = await scrape();
    const counts = new Map<string, number>();
    const bytes = new Map<string, number>();
    for (const r of requests) {
      const res = await app.inject({ method: r.method, url: r.url, ...(r.payload ? { payload: r.payload } : {}) });
      assert.equal(res.statusCode, r.status, `${r.method} ${r.url}: status (${res.body.slice(0, 200)})`);
      if (r.url.startsWith('/batch')) assert.equal(res.headers['content-length'], undefined, 'the batch answer is streamed without a Content-Length');
      const labels = { route: r.route, method: r.method, status: String(r.status) };
      counts.set(key('seqserve_http_requests_total', labels), (counts.get(key('seqserve_http_requests_total', labels)) ?? 0) + 1);
      const b = key('seqserve_http_response_bytes_total', { route: r.route });
      bytes.set(b, (bytes.get(b) ?? 0) + res.rawPayload.length);
    }
    const after = await scrape();
    const expected = new Map([...counts, ...bytes]);
    for (const [k, n] of counts) {
      const labels = k.slice('seqserve_http_requests_total'.length);
      const h = (suffix: string, le?: string) =>
        `seqserve_http_request_duration_seconds_${suffix}${le === undefined ? labels : labels.replace('{', `{le="${le}",`)}`;
      expected.set(h('count'), n);
      expected.set(h('bucket', '+Inf'), n);
      // Every one of these answered in under 5 s, so the last finite bucket moved by n too.
      expected.set(h('bucket', '5'), n);
      let previous = 0;
      for (const le of durationBuckets) {
        const moved = (after.get(h('bucket', String(le))) ?? 0) - (before.get(h('bucket', String(le))) ?? 0);
        assert.ok(moved >= previous && moved <= n, `${h('bucket', String(le))}: cumulative, moved ${moved} of ${n}`);
        previous = moved;
      }
      const sum = (after.get(h('sum')) ?? 0) - (before.get(h('sum')) ?? 0);
      assert.ok(sum > 0 && sum < 5 * n, `${h('sum')} moved by a duration (${sum})`);
    }
    assertMoved(before, after, expected, [
      'seqserve_http_requests_total',
      'seqserve_http_response_bytes_total',
      'seqserve_http_request_duration_seconds_count',
    ]);
    // The raw URL never becomes a label.
    for (const k of after.keys()) assert.ok(!k.includes('/chrom/chr1') && !k.includes('/no/such'), `no raw URL in ${k}`);
  });

  it('counts the fast path answers under the route patterns Fastify would use', async () => {
    const before = await scrape();
    const base = await get(origin, '/chrom/chr1/base/10');
    const base2 = await get(origin, '/chrom/chr2/base/0', { 'x-request-id': 'mine' });
    const range = await get(origin, '/chrom/chr1/range?start=100&end=350');
    for (const r of [base, base2, range]) assert.equal(r.status, 200, 'fast path status');
    const after = await scrape();
    const baseLabels = { route: '/chrom/:name/base/:offset', method: 'GET', status: '200' };
    const rangeLabels = { route: '/chrom/:name/range', method: 'GET', status: '200' };
    assertMoved(
      before,
      after,
      new Map([
        [key('seqserve_http_requests_total', baseLabels), 2],
        [key('seqserve_http_requests_total', rangeLabels), 1],
        [key('seqserve_http_request_duration_seconds_count', baseLabels), 2],
        [key('seqserve_http_request_duration_seconds_count', rangeLabels), 1],
        [key('seqserve_http_request_duration_seconds_bucket', { ...baseLabels, le: '+Inf' }), 2],
        [key('seqserve_http_request_duration_seconds_bucket', { ...rangeLabels, le: '5' }), 1],
        [key('seqserve_http_response_bytes_total', { route: '/chrom/:name/base/:offset' }), base.body.length + base2.body.length],
        [key('seqserve_http_response_bytes_total', { route: '/chrom/:name/range' }), range.body.length],
      ]),
      ['seqserve_http_requests_total', 'seqserve_http_response_bytes_total', 'seqserve_http_request_duration_seconds_count'],
    );
  });

  it('gives the catalog figures, page cache residency, digests and the process metrics', async () => {
    const s = await scrape();
    const mapped = statSync(join(data, 'g.fa')).size;
    assert.equal(s.get('seqserve_mapped_bytes{}'), mapped, 'seqserve_mapped_bytes is the FASTA size');
    assert.equal(s.get('seqserve_sequences{assembly="data"}'), 2, 'seqserve_sequences');
    assert.equal(s.get('seqserve_bases{assembly="data"}'), 5700, 'seqserve_bases');
    assert.equal(s.get('seqserve_refget_digests_total{}'), app.digests.total, 'digests total');
    assert.equal(s.get('seqserve_refget_digests_known{}'), app.digests.known, 'digests known');
    // One process: no cluster, no per-process label.
    assert.equal(s.get('seqserve_workers{}'), 1, 'seqserve_workers');
    assert.ok(![...s.keys()].some((k) => k.includes('pid=')), 'no series carries a pid label');
    const resident = s.get('seqserve_page_cache_resident_bytes{}');
    assert.ok(resident !== undefined && resident >= 0 && resident <= mapped, `page cache resident bytes within the mapped size (${resident})`);
    for (const name of ['nodejs_eventloop_lag_seconds{}', 'process_resident_memory_bytes{}', 'nodejs_heap_size_used_bytes{}']) {
      assert.ok(s.has(name), `${name} is exposed`);
    }
  });

  it('answers /metrics with an X-Request-Id, and HEAD too', async () => {
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: { 'x-request-id': 'scrape-1' } });
    assert.equal(res.headers['x-request-id'], 'scrape-1', 'request id echoed');
    const head = await app.inject({ method: 'HEAD', url: '/metrics' });
    assert.equal(head.statusCode, 200, 'HEAD /metrics');
  });
});
