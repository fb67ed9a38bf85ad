/**
 * POST /batch refusals: the first bad region fails the batch as problem+json, named by its index
 * (JSON) or line (text), with the status of its fault (400, 404, 416); a bad body or query is a
 * 400; more than 1,000,000 regions or a body over 64 MiB is a 413.
 *
 * Run alone: node --import tsx --test test/batch-errors.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { post } from './helpers/batch-client.js';
import { writeBatchGenome } from './helpers/batch-genome.js';

const genome = writeBatchGenome();
after(() => genome.remove());
const { dir } = genome;

describe('POST /batch', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(dir);
  });
  after(async () => {
    await app?.close();
  });

  test('the first bad region fails the batch, named by index (JSON) or line (text)', async () => {
    type Problem = { status: number; detail: string; index: number; line?: number; type: string };
    const cases: [unknown, string, number, number, number | undefined, RegExp][] = [
      [{ regions: ['chr1:1-10', 'chr1:abc', 'nope:1-2'] }, 'application/json', 400, 1, undefined, /regions\[1\].*chr1:abc/],
      [{ regions: ['chr1:1-10', 'nope:1-2', 'chr1:abc'] }, 'application/json', 404, 1, undefined, /regions\[1\].*"nope"/],
      [{ regions: ['chr1:1-10', 'chr1:10-2', 'chr1:1-2'] }, 'application/json', 400, 1, undefined, /regions\[1\].*begin/],
      [{ regions: ['chrM:62-70'] }, 'application/json', 416, 0, undefined, /regions\[0\].*past the end/],
      [{ regions: [{ name: 'chrM', start: 0, end: 62 }] }, 'application/json', 416, 0, undefined, /past the end/],
      [{ regions: ['chrM', { name: 'chrM', start: 5, end: 4 }] }, 'application/json', 400, 1, undefined, /start 5 is greater than end 4/],
      [{ regions: [{ name: 'chrM', start: -1, end: 4 }] }, 'application/json', 400, 0, undefined, /"start" must be/],
      [{ regions: [{ name: 'chrM', start: 1.5, end: 4 }] }, 'application/json', 400, 0, undefined, /"start" must be/],
      [{ regions: [{ start: 1, end: 4 }] }, 'application/json', 400, 0, undefined, /needs "name"/],
      [{ regions: [{ name: 'chrM', start: 1, end: 4, strand: 'x' }] }, 'application/json', 400, 0, undefined, /strand/],
      [{ regions: [42] }, 'application/json', 400, 0, undefined, /region string or an object/],
      [{ regions: [{ name: 'nope', start: 1, end: 4 }] }, 'application/json', 404, 0, undefined, /"nope"/],
      ['# header\nchr1\t0\t10\n\nchr1\t5\tx\nnope\t1\t2\n', 'text/x-bed', 400, 1, 4, /line 4.*BED end "x"/],
      ['chr1\t0\t10\nchr1\t0\n', 'text/plain', 400, 1, 2, /line 2.*tabs/],
      ['chr1\t0\t10\tn\t0\t*\n', 'text/plain', 400, 0, 1, /strand/],
      ['chr1\t0\t10\r\nchrM\t0\t99\r\n', 'text/plain', 416, 1, 2, /line 2.*past the end/],
      ['chr1:1-5\nchrX:1-5\n', 'text/plain', 404, 1, 2, /line 2.*"chrX"/],
      ['chr1\t-5\t10\n', 'text/plain', 400, 0, 1, /BED start/],
    ];
    for (const [body, type, status, index, line, detail] of cases) {
      const res = await post(app, '/batch?format=fasta', body, type);
      const what = `${JSON.stringify(body)}`;
      assert.equal(res.statusCode, status, `${what}: status (${res.body})`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`);
      const problem = JSON.parse(res.body) as Problem;
      assert.equal(problem.status, status, `${what}: problem status`);
      assert.equal(problem.index, index, `${what}: index of the first bad region`);
      assert.equal(problem.line, line, `${what}: line of the first bad region`);
      assert.match(problem.detail, detail, `${what}: detail`);
    }
    const notRegions = await post(app, '/batch', { sequences: [] });
    assert.equal(notRegions.statusCode, 400, `a body without regions: ${notRegions.body}`);
    const badQuery = await post(app, '/batch?format=xml', { regions: [] });
    assert.equal(badQuery.statusCode, 400, `format=xml: ${badQuery.body}`);
    const badWidth = await post(app, '/batch?width=-1', { regions: [] });
    assert.equal(badWidth.statusCode, 400, `width=-1: ${badWidth.body}`);
  });

  test('413 for more than 1,000,000 regions or a body over 64 MiB', async () => {
    const many = await post(app, '/batch', `{"regions":[${'"chrM:1-2",'.repeat(1_000_000)}"chrM:1-2"]}`);
    assert.equal(many.statusCode, 413, `1,000,001 JSON regions: ${many.body.slice(0, 200)}`);
    assert.match((JSON.parse(many.body) as { detail: string }).detail, /1000001 regions; at most 1000000/, '413 detail');
    const big = await post(app, '/batch', Buffer.alloc(64 * 1024 * 1024 + 10, 'chrM:1-2\n'), 'text/plain');
    assert.equal(big.statusCode, 413, `a 64 MiB + 10 byte body: ${big.body.slice(0, 200)}`);
    assert.match(String(big.headers['content-type']), /^application\/problem\+json/, '413 is problem+json');
  });
});
