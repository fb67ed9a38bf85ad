/**
 * Overload and caps: @fastify/under-pressure answers 503 problem+json with Retry-After (the fast
 * path falls through to get it), answers over --max-answer-bases and batches over their limits
 * are 413 naming the setting, and the timeouts reach the HTTP server.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, truncateSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ConfigError, configFromEnv, parseConfig } from '../src/data/config.js';
import { listeningApp } from './helpers/app.js';
import { removeDir, tempDir, writeFasta, writeRaw } from './helpers/fasta-fixtures.js';
import type { Problem } from './helpers/problem.js';

/** A raw sequence larger than the socket buffers, for a client that stops reading. */
const bigName = 'stall';

async function fetchText(url: string, init?: RequestInit): Promise<{ status: number; type: string; headers: Headers; body: string }> {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: await res.text() };
}

describe('overload and caps', () => {
  let dir: string;
  let sequence: string;
  before(() => {
    dir = tempDir('seqserve-overload-');
    sequence = writeRaw(dir, 'r1', { seed: 7, length: 5000 }).sequence;
    // Sparse: 64 MB no socket buffers can hold, at no cost to write.
    closeSync(openSync(join(dir, `${bigName}.raw`), 'w'));
    truncateSync(join(dir, `${bigName}.raw`), 64 << 20);
    writeFasta(dir, 'f.fa', { seed: 3, lineWidth: 60, records: [{ name: 'f1', length: 3000 }] });
  });
  after(() => removeDir(dir));

  describe('under pressure', () => {
    let app: FastifyInstance;
    let url: string;
    before(async () => {
      // A heap limit of one byte: under pressure from the first sample on.
      ({ app, url } = await listeningApp(dir, { maxHeapUsedBytes: 1 }));
      for (let i = 0; i < 50 && !app.isUnderPressure(); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(app.isUnderPressure(), true, 'under pressure after the first sample');
    });
    after(() => app?.close());

    for (const path of ['/chrom/r1/base/0', '/chrom/r1/range?start=0&end=10', '/chrom', '/region/f1:1-10']) {
      it(`answers ${path} with 503 problem+json and Retry-After (fast path included)`, async () => {
        const res = await fetchText(`${url}${path}`);
        assert.equal(res.status, 503, `status of ${path}: ${res.body}`);
        assert.equal(res.type, 'application/problem+json', 'problem+json');
        assert.equal(res.headers.get('retry-after'), '5', 'Retry-After');
        assert.match((JSON.parse(res.body) as Problem).detail, /overloaded/, 'detail says overloaded');
      });
    }

    it('still answers /healthz and /readyz', async () => {
      assert.equal((await fetchText(`${url}/healthz`)).status, 200, 'healthz');
      assert.equal((await fetchText(`${url}/readyz`)).status, 200, 'readyz');
    });
  });

  describe('caps', () => {
    let app: FastifyInstance;
    let url: string;
    before(async () => {
      ({ app, url } = await listeningApp(dir, { maxAnswerBases: 1000, maxBatchRegions: 2, batchBodyLimit: 1024, maxHeapUsedBytes: 0 }));
    });
    after(() => app?.close());

    it('serves an answer at the cap', async () => {
      const res = await fetchText(`${url}/chrom/r1/range?start=0&end=1000`);
      assert.equal(res.status, 200, res.body.slice(0, 200));
      assert.ok(res.body === sequence.slice(0, 1000), 'bytes');
    });

    for (const path of ['/chrom/r1/range?start=0&end=1001', '/chrom/r1/range', '/region/r1:1-1001', '/chrom/f1/range?start=5&end=2000&strand=-']) {
      it(`answers ${path} with 413 naming the setting`, async () => {
        const res = await fetchText(`${url}${path}`);
        assert.equal(res.status, 413, `status: ${res.body}`);
        assert.equal(res.type, 'application/problem+json', 'problem+json');
        assert.match((JSON.parse(res.body) as Problem).detail, /at most 1000 .*--max-answer-bases/, 'names the limit and the setting');
      });
    }

    it('lets a Range header select a part within the cap', async () => {
      const res = await fetchText(`${url}/chrom/r1/range?start=0&end=5000`, { headers: { range: 'bytes=0-99' } });
      assert.equal(res.status, 206, res.body.slice(0, 200));
      assert.ok(res.body === sequence.slice(0, 100), 'bytes');
    });

    it('answers a batch over --max-batch-regions with 413 naming the setting', async () => {
      const res = await fetchText(`${url}/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ regions: ['r1:1-5', 'r1:6-9', 'f1:1-3'] }),
      });
      assert.equal(res.status, 413, res.body);
      assert.match((JSON.parse(res.body) as Problem).detail, /at most 2 .*--max-batch-regions/, 'names the setting');
    });

    it('answers a body over --batch-body-limit with 413 naming the setting', async () => {
      const res = await fetchText(`${url}/batch`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'r1:1-5\n'.repeat(300) });
      assert.equal(res.status, 413, res.body);
      assert.match((JSON.parse(res.body) as Problem).detail, /--batch-body-limit/, 'names the setting');
    });
  });

  describe('settings', () => {
    it('sets the server timeouts deliberately', async () => {
      const { app } = await listeningApp(dir, { requestTimeout: 12_345, connectionTimeout: 23_456, keepAliveTimeout: 3456 });
      try {
        assert.equal(app.server.requestTimeout, 12_345, 'requestTimeout');
        assert.equal(app.server.timeout, 0, 'no server-wide socket timeout (connectionTimeout is per streamed answer)');
        assert.equal(app.server.keepAliveTimeout, 3456, 'keepAliveTimeout');
      } finally {
        await app.close();
      }
    });

    it('closes a streamed answer whose client stops reading after --connection-timeout', async () => {
      const { app, url } = await listeningApp(dir, { connectionTimeout: 400, streamThreshold: 1024 });
      try {
        const { hostname, port } = new URL(url);
        const started = Date.now();
        // The server's side of the connection: a paused client would not notice the close.
        const closed = new Promise<number>((resolve) => app.server.once('connection', (s) => s.on('close', () => resolve(Date.now() - started))));
        const socket = connect(Number(port), hostname);
        socket.on('error', () => {});
        // Ask for a streamed answer larger than the socket buffers, then never read it.
        socket.write(`GET /chrom/${bigName}/range HTTP/1.1\r\nHost: x\r\n\r\n`);
        socket.pause();
        const ms = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 10_000))]);
        assert.ok(ms > 0, 'the server closed the stalled connection');
        assert.ok(ms >= 300, `not before the timeout (closed after ${ms} ms)`);
        socket.destroy();
      } finally {
        await app.close();
      }
    });

    it('reads the caps from the environment and names the variable when bad', () => {
      const config = parseConfig({
        data: dir,
        ...configFromEnv({ SEQSERVE_MAX_ANSWER_BASES: '5000', SEQSERVE_DATA_CHECK_INTERVAL: '0', SEQSERVE_ADMIN_TOKEN: 'x'.repeat(20) }),
      });
      assert.equal(config.maxAnswerBases, 5000, 'maxAnswerBases');
      assert.equal(config.dataCheckInterval, 0, 'dataCheckInterval');
      assert.equal(config.adminToken, 'x'.repeat(20), 'adminToken');
      assert.equal(parseConfig({ data: dir }).maxAnswerBases >= 248_956_422, true, 'the default serves a whole chr1');
      assert.throws(
        () => parseConfig({ data: dir, ...configFromEnv({ SEQSERVE_MAX_BATCH_REGIONS: '0' }) }),
        (e: Error) => e instanceof ConfigError && /--max-batch-regions \/ SEQSERVE_MAX_BATCH_REGIONS/.test(e.message),
        'names the setting',
      );
      assert.throws(
        () => parseConfig({ data: dir, adminToken: 'short' }),
        (e: Error) => e instanceof ConfigError && !e.message.includes('short'),
        'never shows the token',
      );
    });
  });
});
