/**
 * GET /region/:region: samtools region strings against two oracles, the table of what each
 * string means (test/helpers/region-table.ts; the bases sliced from the generated sequences) and
 * `samtools faidx FILE REGION` on a copy of the same FASTA, string by string; strand=-, raw
 * (unencoded) paths, the same answers as /chrom/:name/range, streaming, HEAD and problems.
 *
 * Run alone: node --import tsx --test test/region-route.test.ts
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { removeDir, subDir, tempDir, writeFasta, type FastaFixture } from './helpers/fasta-fixtures.js';
import { reverseComplement } from './helpers/naive-fasta.js';
import { randomRegions, records, table } from './helpers/region-table.js';
import { hasSamtools } from './helpers/samtools.js';

const SAMTOOLS = '/usr/bin/samtools';

const root = tempDir('seqserve-region-');
after(() => removeDir(root));

describe('GET /region/:region', () => {
  let dir = '';
  let fasta: FastaFixture;
  let app: FastifyInstance;
  let samtoolsFasta = '';

  before(async () => {
    dir = subDir(root, 'data');
    fasta = writeFasta(dir, 'regions.fa', { seed: 5, lineWidth: 60, lowercase: true, nRuns: true, records });
    app = await testApp(dir);
    const copyDir = subDir(root, 'samtools');
    samtoolsFasta = join(copyDir, 'regions.fa');
    copyFileSync(fasta.path, samtoolsFasta);
  });
  after(async () => {
    await app?.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
  const url = (region: string, query = '') => `/region/${encodeURIComponent(region)}${query}`;

  /** The bases a meaning selects, sliced from what the generator wrote. */
  const naive = (m: { seq: [string, number, number | undefined] }): string => {
    const [name, first, last] = m.seq;
    const s = fasta.sequences.get(name)!;
    return s.slice(first - 1, last === undefined ? s.length : Math.min(last, s.length));
  };

  test('the table and random regions, against the naive oracle', async () => {
    const cases = [...table, ...randomRegions(fasta.sequences, 150)];
    const mismatches: string[] = [];
    for (const [text, meaning] of cases) {
      const res = await get(url(text));
      if ('seq' in meaning) {
        const want = naive(meaning);
        if (res.statusCode !== 200 || res.body !== want) mismatches.push(`${text}: ${res.statusCode} ${res.body.slice(0, 60)} (want ${want.length} bases)`);
        else if (!String(res.headers['content-type']).startsWith('text/plain')) mismatches.push(`${text}: content-type ${String(res.headers['content-type'])}`);
        else if (res.headers['content-length'] !== String(want.length)) mismatches.push(`${text}: content-length ${res.headers['content-length']}`);
      } else {
        const type = String(res.headers['content-type']);
        if (res.statusCode !== meaning.status || type !== 'application/problem+json')
          mismatches.push(`${text}: ${res.statusCode} ${type}, want ${meaning.status}`);
        else {
          const body = res.json<{ status: number; detail: string }>();
          if (body.status !== meaning.status || !body.detail) mismatches.push(`${text}: problem body ${res.body}`);
        }
      }
    }
    assert.deepEqual(mismatches, [], `${mismatches.length} of ${cases.length} regions answered wrongly`);
  });

  test('the table and random regions, against samtools faidx on the same strings', (t) => {
    if (!hasSamtools()) return t.skip('samtools not installed');
    return (async () => {
      const cases = [...table, ...randomRegions(fasta.sequences, 150)];
      const mismatches: string[] = [];
      for (const [text] of cases) {
        const sam = spawnSync(SAMTOOLS, ['faidx', '-n', '1000000000', samtoolsFasta, text], { encoding: 'latin1' });
        const lines = sam.stdout.split('\n');
        const bases = lines.filter((l) => !l.startsWith('>')).join('');
        const empty = sam.status === 0 && bases === '' && /Zero length sequence/.test(sam.stderr);
        const res = await get(url(text));
        if (sam.status !== 0 || empty) {
          // Refused by samtools (or answered with nothing): a problem here.
          if (res.statusCode < 400 || res.statusCode >= 500 || res.headers['content-type'] !== 'application/problem+json') {
            mismatches.push(`${text}: samtools ${empty ? 'printed nothing' : `refused (${sam.stderr.trim().split('\n')[0]})`}, server ${res.statusCode}`);
          }
        } else if (res.statusCode !== 200 || res.body !== bases) {
          mismatches.push(`${text}: samtools ${bases.length} bases, server ${res.statusCode} ${res.body.length} bytes`);
        }
      }
      assert.deepEqual(mismatches, [], `${mismatches.length} of ${cases.length} regions differ from samtools`);
    })();
  });

  test('strand=- gives the reverse complement, as samtools faidx -i does', async (t) => {
    const regions = ['chr1:1,000-1,120', '{chr1:2}:1-61', 'HLA-A*01:01:1790', '11'];
    for (const text of regions) {
      const meaning = table.find(([s]) => s === text)?.[1] ?? null;
      const res = await get(url(text, '?strand=-'));
      assert.equal(res.statusCode, 200, `${text}: status`);
      const plain = await get(url(text));
      assert.equal(res.body, reverseComplement(plain.body), `${text}: reverse complement of the + answer`);
      if (meaning && 'seq' in meaning) assert.equal(res.body, reverseComplement(naive(meaning)), `${text}: naive`);
    }
    if (!hasSamtools()) return t.skip('samtools not installed');
    for (const text of regions) {
      const sam = spawnSync(SAMTOOLS, ['faidx', '-n', '1000000000', '-i', '--mark-strand', 'no', samtoolsFasta, text], { encoding: 'latin1' });
      assert.equal(sam.status, 0, `${text}: samtools -i ran (${sam.stderr})`);
      const bases = sam.stdout
        .split('\n')
        .filter((l) => !l.startsWith('>'))
        .join('');
      const res = await get(url(text, '?strand=-'));
      assert.equal(res.body, bases, `${text}: samtools -i`);
    }
  });

  test('raw (unencoded) braces, colons and commas in the path work too', async () => {
    for (const text of ['{chr1:2}:10-20', '11:1,000-2,000', 'HLA-A*01:01:5-7', '{x}:1-5']) {
      const res = await get(`/region/${text}`);
      const meaning = table.find(([s]) => s === text)![1];
      assert.ok('seq' in meaning, `${text} is a valid region of the table`);
      assert.equal(res.statusCode, 200, `${text}: status`);
      assert.equal(res.body, naive(meaning), `${text}: bases`);
    }
  });

  test('answers exactly like /chrom/:name/range for the same bases, Range header included', async () => {
    const pairs: [string, string][] = [
      ['chr1:101-200', '/chrom/chr1/range?start=100&end=200'],
      ['{chr1:2}:1-2,500', `/chrom/${encodeURIComponent('chr1:2')}/range?start=0&end=2500`],
      ['11:3001', '/chrom/11/range?start=3000'],
    ];
    for (const [region, range] of pairs) {
      const variants: Record<string, string>[] = [{}, { range: 'bytes=10-19' }, { range: 'bytes=-7' }, { range: 'bytes=5000-' }];
      for (const headers of variants) {
        for (const strand of ['', '-']) {
          const a = await get(url(region, strand ? '?strand=-' : ''), headers);
          const b = await get(`${range}${strand ? '&strand=-' : ''}`, headers);
          const what = `${region} ${JSON.stringify(headers)} ${strand}`;
          assert.equal(a.statusCode, b.statusCode, `${what}: status`);
          // (A problem's body, and so its length, names its own URL.)
          for (const h of ['content-type', 'content-range', 'accept-ranges']) assert.equal(a.headers[h], b.headers[h], `${what}: ${h}`);
          if (a.statusCode < 300) {
            assert.equal(a.headers['content-length'], b.headers['content-length'], `${what}: content-length`);
            assert.equal(a.body, b.body, `${what}: body`);
          }
        }
      }
    }
  });

  test('a long region is streamed, HEAD works, and bad input is problem+json', async () => {
    const small = await testApp(dir, { streamThreshold: 1024 });
    try {
      const res = await small.inject({ method: 'GET', url: url('11:1-3,500') });
      assert.equal(res.statusCode, 200, 'streamed status');
      assert.equal(res.body, fasta.sequences.get('11')!.slice(0, 3500), 'streamed bases');
      assert.equal(res.headers['content-length'], '3500', 'streamed content-length');
    } finally {
      await small.close();
    }
    const head = await app.inject({ method: 'HEAD', url: url('chr1:1-10') });
    assert.equal(head.statusCode, 200, 'HEAD status');
    assert.equal(head.headers['content-length'], '10', 'HEAD content-length');

    const badStrand = await get(url('chr1:1-10', '?strand=x'));
    assert.equal(badStrand.statusCode, 400, 'bad strand');
    assert.equal(badStrand.headers['content-type'], 'application/problem+json', 'bad strand type');

    const past = await get(url('chr1:3001'));
    assert.equal(past.headers['content-range'], 'bytes */3000', '416 carries the length');
    assert.match(past.json<{ detail: string }>().detail, /chr1:3001.*length 3000/);

    const empty = await get('/region/');
    assert.ok(empty.statusCode >= 400 && empty.statusCode < 500, `empty region: ${empty.statusCode}`);
  });
});
