/**
 * GET /region/:region: samtools region strings, parsed as htslib's hts_parse_region does, against
 * three oracles: a table of what each string means (checked on the pure parser and on the bases
 * the server answers, sliced from the generated sequences), and `samtools faidx FILE REGION` on
 * a copy of the same FASTA, string by string.
 *
 * Run alone: node --import tsx --test test/region.test.ts
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../src/core/errors.js';
import { parseRegion } from '../src/core/region.js';
import { testApp } from './helpers/app.js';
import { prng, randInt, removeDir, subDir, tempDir, writeFasta, type FastaFixture } from './helpers/fasta-fixtures.js';
import { reverseComplement } from './helpers/naive-fasta.js';
import { hasSamtools } from './helpers/samtools.js';

const SAMTOOLS = '/usr/bin/samtools';

// Names that make region strings odd: colons (one of them also a region of another name), an
// HLA allele, a number, braces.
const records = [
  { name: 'chr1', length: 3000, description: 'plain' },
  { name: 'chr1:2', length: 2500 },
  { name: '11', length: 4000, description: 'a number' },
  { name: 'HLA-A*01:01', length: 1800 },
  { name: 'x:1-5', length: 500 },
  { name: 'x', length: 700 },
  { name: '{w}', length: 130 },
  { name: 'chrM', length: 61 },
];

/** What a region string means: [name, first base (1-based), last base (inclusive; undefined = the end)], or a refusal status. */
type Meaning = { seq: [string, number, number | undefined] } | { status: 400 | 404 | 416 };

// The meaning of each string, written from htslib's source and then confirmed with samtools 1.16.
const table: [string, Meaning][] = [
  ['chr1', { seq: ['chr1', 1, undefined] }],
  ['11', { seq: ['11', 1, undefined] }],
  ['11:1000', { seq: ['11', 1000, undefined] }], // one number: from there to the end
  ['11:1,000-2,000', { seq: ['11', 1000, 2000] }],
  ['11:1,0,0,0-2,,000', { seq: ['11', 1000, 2000] }], // commas anywhere in the digits
  ['chr1:1-1', { seq: ['chr1', 1, 1] }],
  ['chr1:3000-3000', { seq: ['chr1', 3000, 3000] }],
  ['chr1:2990-', { seq: ['chr1', 2990, undefined] }],
  ['chr1:2990-0', { seq: ['chr1', 2990, undefined] }], // end 0 means the end
  ['chr1:', { seq: ['chr1', 1, undefined] }],
  ['chr1:0', { seq: ['chr1', 1, undefined] }],
  ['chr1:,', { seq: ['chr1', 1, undefined] }],
  ['chr1:-100', { seq: ['chr1', 1, 100] }], // chr:-N is chr:1-N
  ['chr1:1e2-2e2', { seq: ['chr1', 100, 200] }],
  ['chr1:1.5k-2k', { seq: ['chr1', 1500, 2000] }],
  ['chr1:0.1K-0.11k', { seq: ['chr1', 100, 110] }],
  ['chr1:1.9-3', { seq: ['chr1', 1, 3] }], // the fraction is dropped
  ['chr1: 10- 20', { seq: ['chr1', 10, 20] }], // white space before a number
  ['chr1:+10-+12', { seq: ['chr1', 10, 12] }],
  ['chr1:10-20,', { seq: ['chr1', 10, 20] }],
  ['chr1:2900-99999', { seq: ['chr1', 2900, 3000] }], // end cut to the length, as samtools does
  ['chr1:2999-1e30', { seq: ['chr1', 2999, 3000] }],
  ['{chr1}', { seq: ['chr1', 1, undefined] }],
  ['{chr1}:2', { seq: ['chr1', 2, undefined] }],
  ['{chr1:2}', { seq: ['chr1:2', 1, undefined] }],
  ['{chr1:2}:10-20', { seq: ['chr1:2', 10, 20] }],
  ['{chr1:2}:', { seq: ['chr1:2', 1, undefined] }],
  ['chr1:2:10-20', { seq: ['chr1:2', 10, 20] }], // split at the LAST colon
  ['HLA-A*01:01', { seq: ['HLA-A*01:01', 1, undefined] }], // whole string is a name, "HLA-A*01" is not
  ['HLA-A*01:01:5-7', { seq: ['HLA-A*01:01', 5, 7] }],
  ['{HLA-A*01:01}:1,000-1,100', { seq: ['HLA-A*01:01', 1000, 1100] }],
  ['x:1-6', { seq: ['x', 1, 6] }],
  ['{x:1-5}', { seq: ['x:1-5', 1, undefined] }],
  ['{x}:1-5', { seq: ['x', 1, 5] }],
  ['{{w}}', { seq: ['{w}', 1, undefined] }], // name = the string minus its first and last characters
  ['{{w}}:3-4', { status: 404 }],
  ['{w}:1-5', { status: 404 }], // looks up "w"
  ['chr1:1e19-5', { status: 400 }], // 1e19 wraps to a negative number in htslib
  ['chr1:100-1e20', { seq: ['chr1', 100, 3000] }], // 1e20 wraps to 7766279631452241920 // the name ends at the first "}", so "{w" is looked up
  ['chrM:61', { seq: ['chrM', 61, 61] }],
  ['chrM:60-70', { seq: ['chrM', 60, 61] }],
  // Refused by samtools (exit 1): unknown names (looked up before the coordinates are read)...
  ['nope', { status: 404 }],
  ['nope:1-5', { status: 404 }],
  ['nope:abc', { status: 404 }],
  ['HLA-A*01', { status: 404 }],
  ['{w}', { status: 404 }], // quoted: looks up "w"
  ['{chr1}x', { status: 404 }], // no ":" after "}": looks up "chr1}"
  ['CHR1', { status: 404 }],
  // ... and malformed ones.
  ['chr1:2', { status: 400 }], // ambiguous: "chr1:2" and "chr1" both exist
  ['x:1-5', { status: 400 }], // ambiguous
  ['{chr1', { status: 400 }], // no closing brace
  ['chr1:abc', { status: 400 }],
  ['chr1:10-20x', { status: 400 }],
  ['chr1:10x', { status: 400 }],
  ['chr1:10-5', { status: 400 }], // begin after end
  ['chr1:11-10', { status: 400 }],
  ['chr1:10-5e0', { status: 400 }],
  ['chr1:5--3', { status: 400 }],
  ['chr1:-5-10', { status: 400 }], // "Coordinates must be > 0"
  ['chr1:1-2-3', { status: 400 }],
  // samtools answers these with an empty sequence ("Zero length sequence"): refused here.
  ['chr1:0-10', { status: 400 }],
  ['chr1:-', { status: 400 }],
  ['chr1:3001', { status: 416 }],
  ['chr1:3001-3005', { status: 416 }],
  ['chrM:62-', { status: 416 }],
  ['chr1:1e30', { status: 416 }],
];

/** Random well-formed regions, written in the many ways htslib reads the same numbers. */
function randomRegions(sequences: Map<string, string>, count: number): [string, Meaning][] {
  const rng = prng(99);
  // A name starting with "{" cannot take coordinates at all (the braces end at its first "}").
  const names = [...sequences.keys()].filter((n) => !n.startsWith('{'));
  const out: [string, Meaning][] = [];
  const commas = (n: number) => n.toLocaleString('en-US');
  for (let k = 0; k < count; k++) {
    const name = names[randInt(rng, 0, names.length - 1)]!;
    const length = sequences.get(name)!.length;
    const a = randInt(rng, 1, length);
    const b = randInt(rng, a, length);
    // Braces for names with a colon (or always, at random): unbraced ones may be ambiguous.
    const braced = name.includes(':') || name.startsWith('{') || rng() < 0.3 ? `{${name}}` : name;
    const style = randInt(rng, 0, 3);
    const text = style === 0 ? `${braced}:${a}-${b}` : style === 1 ? `${braced}:${commas(a)}-${commas(b)}` : style === 2 ? `${braced}:${a}` : `${braced}:${a}-`;
    out.push([text, { seq: [name, a, style >= 2 ? undefined : b] }]);
  }
  return out;
}

const root = tempDir('seqserve-region-');
after(() => removeDir(root));

describe('parseRegion (pure)', () => {
  const names = new Set(records.map((r) => r.name));
  const isName = (n: string) => names.has(n);

  test('every string of the table', () => {
    for (const [text, meaning] of table) {
      if ('seq' in meaning) {
        const [name, first, last] = meaning.seq;
        const got = parseRegion(text, isName);
        const end = got.end === undefined ? undefined : Math.min(got.end, records.find((r) => r.name === name)!.length);
        assert.equal(got.name, name, `${text}: name`);
        assert.equal(got.start, first - 1, `${text}: start`);
        if (last !== undefined && last !== records.find((r) => r.name === name)!.length) assert.equal(end, last, `${text}: end`);
      } else if (meaning.status !== 416) {
        assert.throws(
          () => parseRegion(text, isName),
          (e: unknown) => e instanceof ProblemError && e.status === meaning.status,
          `${text}: expected a ${meaning.status} problem`,
        );
      }
    }
  });

  test('0-based half-open output, end undefined for "to the end"', () => {
    assert.deepEqual(parseRegion('chr1:1,000-2,000', isName), { name: 'chr1', start: 999, end: 2000 });
    assert.deepEqual(parseRegion('chr1:1000', isName), { name: 'chr1', start: 999, end: undefined });
    assert.deepEqual(parseRegion('chr1', isName), { name: 'chr1', start: 0, end: undefined });
    // htslib's 64-bit arithmetic wraps: 1e30 is 5076944270305263616 to it (and to samtools).
    assert.deepEqual(parseRegion('chr1:1e30', isName), { name: 'chr1', start: Number(5076944270305263615n), end: undefined });
    assert.deepEqual(parseRegion('chr1:10-1e20', isName), { name: 'chr1', start: 9, end: Number(7766279631452241920n) });
    // 1e19 wraps negative: a negative begin, and "-5" after it is refused as htslib does.
    assert.throws(
      () => parseRegion('chr1:1e19-5', isName),
      (e: unknown) => e instanceof ProblemError && e.status === 400,
      'wrapped negative begin',
    );
  });

  test('details name the region, the ambiguity and its fix', () => {
    const detail = (text: string) => {
      try {
        parseRegion(text, isName);
      } catch (e) {
        return (e as ProblemError).detail;
      }
      return '';
    };
    assert.match(detail('chr1:2'), /"chr1:2" is ambiguous.*\{chr1:2\} or \{chr1\}:2/);
    assert.match(detail('chr1:10-5'), /region "chr1:10-5"/);
    assert.match(detail('nope:1-5'), /"nope"/);
  });
});

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
        else if (!String(res.headers['content-type']).startsWith('text/plain')) mismatches.push(`${text}: content-type ${res.headers['content-type']}`);
        else if (res.headers['content-length'] !== String(want.length)) mismatches.push(`${text}: content-length ${res.headers['content-length']}`);
      } else {
        const type = String(res.headers['content-type']);
        if (res.statusCode !== meaning.status || type !== 'application/problem+json')
          mismatches.push(`${text}: ${res.statusCode} ${type}, want ${meaning.status}`);
        else {
          const body = res.json() as { status: number; detail: string };
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
    assert.match((past.json() as { detail: string }).detail, /chr1:3001.*length 3000/);

    const empty = await get('/region/');
    assert.ok(empty.statusCode >= 400 && empty.statusCode < 500, `empty region: ${empty.statusCode}`);
  });
});
