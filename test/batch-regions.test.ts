/**
 * POST /batch, what goes in: region lists as JSON objects (0-based, half-open, strands) and
 * strings (samtools's 1-based form), BED bodies, samtools -r files, aliases and empty batches;
 * every answer checked against the naive reader's bases (test/helpers/batch-genome.ts). The
 * fast path for name:A-B agrees with parseRegion.
 *
 * Run alone: node --import tsx --test test/batch-regions.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fastRegion } from '../src/batch/plan.js';
import { ProblemError } from '../src/core/errors.js';
import { parseRegion } from '../src/core/region.js';
import { testApp } from './helpers/app.js';
import { post, sequencesOf } from './helpers/batch-client.js';
import { writeBatchGenome } from './helpers/batch-genome.js';
import { prng, randInt } from './helpers/fasta-fixtures.js';

const genome = writeBatchGenome();
after(() => genome.remove());
const { dir, oracle, names, expectedBases, randomRegions } = genome;

describe('POST /batch', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(dir);
  });
  after(async () => {
    await app?.close();
  });

  test('JSON objects (0-based, half-open, strands) answer the oracle bases', async () => {
    const regions = randomRegions(1, 600);
    const res = await post(app, '/batch', {
      regions: regions.map((r, i) => ({
        [i % 2 ? 'name' : 'chrom']: r.name,
        start: r.start,
        end: r.end,
        ...(r.reverse ? { strand: '-' } : i % 3 ? { strand: '+' } : {}),
      })),
    });
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const got = sequencesOf(res.body);
    assert.equal(got.length, regions.length, 'one answer per region');
    const bad: string[] = [];
    regions.forEach((r, i) => {
      const e = got[i]!;
      const want = expectedBases(r.name, r.start, r.end, r.reverse);
      if (
        e.sequence !== want ||
        e.name !== r.name ||
        e.start !== r.start ||
        e.end !== r.end ||
        e.strand !== (r.reverse ? '-' : '+') ||
        e.region !== `${r.name}:${r.start + 1}-${r.end}`
      ) {
        bad.push(`${i} ${r.name}:${r.start}-${r.end}${r.reverse ? '-' : '+'}`);
      }
    });
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} regions answered wrongly`);
  });

  test('region strings (1-based inclusive, commas, whole sequences, end cut to the length) and ?strand=-', async () => {
    const texts = ['chr2:1,000-2,000', 'chrM', 'chrM:50-1000', 'chr1:199,990-', '{u1}:10-20', 'r1:1-1', 'chr2:9001', 'chr2:1e3-1.1k'];
    const meaning: [string, number, number][] = [
      ['chr2', 999, 2000],
      ['chrM', 0, 61],
      ['chrM', 49, 61],
      ['chr1', 199_989, 200_000],
      ['u1', 9, 20],
      ['r1', 0, 1],
      ['chr2', 9000, 9001],
      ['chr2', 999, 1100],
    ];
    for (const reverse of [false, true]) {
      const res = await post(app, `/batch${reverse ? '?strand=-' : ''}`, { regions: texts });
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      const got = sequencesOf(res.body);
      meaning.forEach(([name, start, end], i) => {
        const e = got[i]!;
        assert.deepEqual(
          { region: e.region, name: e.name, start: e.start, end: e.end, strand: e.strand },
          { region: texts[i], name, start, end, strand: reverse ? '-' : '+' },
          `${texts[i]}: coordinates`,
        );
        assert.equal(e.sequence, expectedBases(name, start, end, reverse), `${texts[i]}: bases (reverse ${reverse})`);
      });
    }
  });

  test('the fast path for name:A-B gives what parseRegion gives', () => {
    // A stand-in store: fastRegion only asks for names.
    const store = { get: (n: string) => (oracle.has(n) ? { name: n, length: oracle.get(n)!.length } : undefined) } as never;
    const rng = prng(4);
    const strings = ['chr1:1-1', 'chr1:0-5', 'chr1:5-4', 'chr1:1,0,0-2,,00', 'chr1:,-5', 'chr1:10-0', 'nope:1-5', '{chr1}:1-5', 'chr1:1-5x', 'chr1:007-010'];
    for (let k = 0; k < 300; k++)
      strings.push(`${names[randInt(rng, 0, names.length - 1)]}:${randInt(rng, 0, 3000).toLocaleString('en-US')}-${randInt(rng, 0, 3000)}`);
    for (const text of strings) {
      const fast = fastRegion(store, text);
      if (!fast) continue;
      let slow;
      try {
        slow = parseRegion(text, (n) => oracle.has(n));
      } catch (e) {
        assert.fail(`${text}: fast path accepted what parseRegion refuses (${(e as ProblemError).detail})`);
      }
      assert.deepEqual({ name: (fast.sequence as unknown as { name: string }).name, start: fast.start, end: fast.end }, slow, `${text}: fast path`);
    }
  });

  test('BED bodies (text/x-bed and text/plain): comments, track/browser lines, CRLF, strands, extra columns', async () => {
    const lines = [
      'browser position chr1:1-100',
      'track name=flanks',
      '# a comment',
      '',
      'chr1\t100\t250',
      'chr2\t0\t60\tv1',
      'chr2\t60\t121\tv2\t0\t-',
      'u1\t4990\t5000\tv3\t5\t+\t1\t2',
      'r1\t29000\t29999\tv4\t0\t.',
      'chrM\t61\t61\tempty',
    ];
    const want: [string, number, number, boolean][] = [
      ['chr1', 100, 250, false],
      ['chr2', 0, 60, false],
      ['chr2', 60, 121, true],
      ['u1', 4990, 5000, false],
      ['r1', 29000, 29999, false],
      ['chrM', 61, 61, false],
    ];
    for (const [contentType, eol] of [
      ['text/x-bed', '\n'],
      ['text/plain', '\r\n'],
      ['text/plain; charset=utf-8', '\n'],
    ] as const) {
      const res = await post(app, '/batch', lines.join(eol) + eol, contentType);
      assert.equal(res.statusCode, 200, `${contentType}: ${res.body.slice(0, 300)}`);
      const got = sequencesOf(res.body);
      assert.equal(got.length, want.length, `${contentType}: one answer per BED line`);
      want.forEach(([name, start, end, reverse], i) => {
        assert.equal(got[i]!.sequence, expectedBases(name, start, end, reverse), `${contentType} line ${i}: bases`);
        assert.equal(got[i]!.strand, reverse ? '-' : '+', `${contentType} line ${i}: strand`);
      });
    }
  });

  test('samtools -r files (region strings, one a line) as text/plain, mixed with BED lines', async () => {
    const res = await post(app, '/batch', 'chr2:1-10\nchr1\t0\t10\t.\t0\t-\nchrM:61\n', 'text/plain');
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    const got = sequencesOf(res.body).map((e) => e.sequence);
    assert.deepEqual(
      got,
      [expectedBases('chr2', 0, 10, false), expectedBases('chr1', 0, 10, true), expectedBases('chrM', 60, 61, false)],
      'bases of each line',
    );
  });

  test('aliases answer as their sequence, and every assembly has the route', async () => {
    const res = await post(app, '/assemblies/genome/batch', { regions: ['1:1-10', { name: 'M', start: 0, end: 5 }] });
    assert.equal(res.statusCode, 200, res.body.slice(0, 200));
    const got = sequencesOf(res.body);
    assert.deepEqual(
      got.map((e) => [e.name, e.sequence]),
      [
        ['chr1', expectedBases('chr1', 0, 10, false)],
        ['chrM', expectedBases('chrM', 0, 5, false)],
      ],
      'alias regions',
    );
  });

  test('an empty batch is an empty answer', async () => {
    for (const [body, type] of [
      [{ regions: [] }, 'application/json'],
      ['# nothing\n\n', 'text/plain'],
    ] as const) {
      const res = await post(app, '/batch', body, type);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.body, '{"sequences":[]}', `${type}: empty JSON answer`);
      const fasta = await post(app, '/batch?format=fasta', body, type);
      assert.equal(fasta.statusCode, 200, fasta.body);
      assert.equal(fasta.body, '', `${type}: empty FASTA answer`);
    }
  });
});
