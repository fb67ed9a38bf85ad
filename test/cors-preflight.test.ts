/**
 * An OPTIONS request that is not a CORS preflight is a 400 problem+json like every other 4xx
 * (src/http/headers.ts invalidPreflight); a real preflight is still answered by @fastify/cors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { removeDir, subDir, tempDir, writeRaw } from './helpers/fasta-fixtures.js';

describe('CORS preflight', () => {
  let root: string;
  let app: FastifyInstance;
  before(async () => {
    root = tempDir('seqserve-cors-');
    const data = subDir(root, 'data');
    writeRaw(data, 'r', { seed: 1, length: 100 });
    app = await testApp(data);
  });
  after(async () => {
    await app?.close();
    removeDir(root);
  });

  it('answers an OPTIONS without Origin or Access-Control-Request-Method with 400 problem+json', async () => {
    for (const headers of [{}, { origin: 'https://igv.org' }, { 'access-control-request-method': 'GET' }]) {
      const r = await app.inject({ method: 'OPTIONS', url: '/chrom/r/range?start=0&end=10', headers });
      assert.equal(r.statusCode, 400, JSON.stringify(headers));
      assert.equal(r.headers['content-type'], 'application/problem+json');
      const problem = JSON.parse(r.body) as { status: number; title: string; detail: string };
      assert.equal(problem.status, 400);
      assert.match(problem.detail, /Origin and Access-Control-Request-Method/);
      assert.equal(r.headers['cache-control'], undefined);
    }
  });

  it('still answers a real preflight, allowing Range and the conditional headers', async () => {
    const r = await app.inject({
      method: 'OPTIONS',
      url: '/chrom/r/range?start=0&end=10',
      headers: { origin: 'https://igv.org', 'access-control-request-method': 'GET', 'access-control-request-headers': 'range, if-none-match' },
    });
    assert.equal(r.statusCode, 204);
    assert.equal(r.headers['access-control-allow-origin'], '*');
    assert.match(String(r.headers['access-control-allow-headers']), /Range/);
    assert.match(String(r.headers['access-control-allow-headers']), /If-None-Match/);
  });
});
