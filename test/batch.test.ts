/**
 * POST /batch: region lists in (JSON strings and objects, BED, samtools -r files), sequences out
 * (JSON, FASTA), checked against the generated sequences (test/helpers/fasta-fixtures.ts), the
 * naive reader, and `samtools faidx -r` / `samtools faidx -i -r` output byte for byte.
 *
 * Run alone: node --import tsx --test test/batch.test.ts
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fastRegion } from '../src/batch/plan.js';
import { ProblemError } from '../src/core/errors.js';
import { parseRegion } from '../src/core/region.js';
import { listeningApp, testApp } from './helpers/app.js';
import { prng, randInt, removeDir, subDir, tempDir, writeFasta, writeRaw } from './helpers/fasta-fixtures.js';
import { readFasta, readRaw, reverseComplement } from './helpers/naive-fasta.js';
import { SamtoolsCopy, hasSamtools } from './helpers/samtools.js';

interface Entry {
  region: string;
  name: string;
  start: number;
  end: number;
  strand: '+' | '-';
  sequence: string;
}

const root = tempDir('seqserve-batch-');
const dir = subDir(root, 'genome');
// Wrapped at 60 with soft-masking and N runs (chr1 long enough for several 64 Ki pieces), an
// unwrapped IUPAC file, and a raw file: every line layout.
const wrapped = writeFasta(dir, 'a.fa', {
  seed: 11,
  lineWidth: 60,
  lowercase: true,
  nRuns: true,
  records: [
    { name: 'chr1', length: 200_000, description: 'long' },
    { name: 'chr2', length: 9_001 },
    { name: 'chrM', length: 61 },
  ],
});
const unwrapped = writeFasta(dir, 'b.fa', { seed: 12, lineWidth: 'unwrapped', alphabet: 'iupac', lowercase: true, records: [{ name: 'u1', length: 5_000 }] });
const raw = writeRaw(dir, 'r1', { seed: 13, length: 30_000, lowercase: true });

/** The oracle: every sequence the folder serves, read back by the naive reader. */
const oracle = new Map<string, string>([...readFasta(wrapped.path), ...readFasta(unwrapped.path), [raw.name, readRaw(raw.path)]]);
after(() => removeDir(root));

const names = [...oracle.keys()];

function expectedBases(name: string, start: number, end: number, reverse: boolean): string {
  const bases = oracle.get(name)!.slice(start, end);
  return reverse ? reverseComplement(bases) : bases;
}

async function post(app: FastifyInstance, url: string, body: unknown, contentType = 'application/json', accept?: string) {
  return app.inject({
    method: 'POST',
    url,
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    headers: { 'content-type': contentType, ...(accept ? { accept } : {}) },
  });
}

function sequencesOf(body: string): Entry[] {
  const parsed = JSON.parse(body) as { sequences: Entry[] };
  assert.ok(Array.isArray(parsed.sequences), `the answer has a sequences array: ${body.slice(0, 200)}`);
  return parsed.sequences;
}

/** Random 0-based regions over every sequence, both strands, empty ones included. */
function randomRegions(seed: number, count: number): { name: string; start: number; end: number; reverse: boolean }[] {
  const rng = prng(seed);
  const out = [];
  for (let k = 0; k < count; k++) {
    const name = names[randInt(rng, 0, names.length - 1)]!;
    const L = oracle.get(name)!.length;
    const a = randInt(rng, 0, L);
    const b = rng() < 0.8 ? Math.min(L, a + randInt(rng, 0, 300)) : randInt(rng, a, L);
    out.push({ name, start: a, end: b, reverse: rng() < 0.5 });
  }
  return out;
}

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

  test('?case and ?mask apply to every region, after the reverse complement', async () => {
    const regions = randomRegions(2, 60);
    const body = { regions: regions.map((r) => ({ name: r.name, start: r.start, end: r.end, strand: r.reverse ? '-' : '+' })) };
    const transforms: [string, (s: string) => string][] = [
      ['case=upper', (s) => s.toUpperCase()],
      ['case=lower', (s) => s.toLowerCase()],
      ['mask=hard', (s) => s.replace(/[a-z]/g, 'N')],
      ['mask=hard&case=lower', (s) => s.replace(/[a-z]/g, 'N').toLowerCase()],
    ];
    for (const [query, f] of transforms) {
      const res = await post(app, `/batch?${query}`, body);
      assert.equal(res.statusCode, 200, `${query}: ${res.body.slice(0, 200)}`);
      const got = sequencesOf(res.body);
      regions.forEach((r, i) => assert.equal(got[i]!.sequence, f(expectedBases(r.name, r.start, r.end, r.reverse)), `${query}: region ${i}`));
    }
  });

  test(
    'FASTA answers are byte for byte what samtools faidx -r writes (and -i for strand -, -n for width)',
    { skip: !hasSamtools() && 'samtools is not installed' },
    async () => {
      const copy = new SamtoolsCopy(wrapped.path);
      try {
        const rng = prng(7);
        const regions: string[] = ['chr2', 'chrM:1-61', 'chrM:50-70', 'chr2:1,000-2,000', 'chr1:1-1', 'chr1:59-61', 'chr1:120-120', 'chr1:150000-'];
        for (let k = 0; k < 300; k++) {
          const name = ['chr1', 'chr2', 'chrM'][randInt(rng, 0, 2)]!;
          const L = oracle.get(name)!.length;
          const a = randInt(rng, 1, L);
          regions.push(`${name}:${a}-${Math.min(L + 5, a + randInt(rng, 0, 400))}`);
        }
        const regionFile = join(copy.dir, 'regions.txt');
        writeFileSync(regionFile, regions.join('\n') + '\n');
        copy.fai();
        const samtools = (...args: string[]) =>
          execFileSync('samtools', ['faidx', ...args, '-r', regionFile, copy.fasta], {
            encoding: 'latin1',
            maxBuffer: 1 << 28,
            stdio: ['ignore', 'pipe', 'ignore'],
          });
        const cases: [string, string[], string | undefined][] = [
          ['/batch?format=fasta', [], undefined],
          ['/batch', [], 'text/x-fasta'],
          ['/batch?format=fasta&strand=-', ['-i'], undefined],
          ['/batch?format=fasta&width=25', ['-n', '25'], undefined],
          ['/batch?format=fasta&width=7&strand=-', ['-i', '-n', '7'], undefined],
        ];
        for (const [url, args, accept] of cases) {
          const want = samtools(...args);
          for (const [body, type] of [
            [regions.join('\n') + '\n', 'text/plain'],
            [{ regions }, 'application/json'],
          ] as const) {
            const res = await post(app, url, body, type, accept);
            assert.equal(res.statusCode, 200, `${url} ${type}: ${res.body.slice(0, 200)}`);
            assert.match(String(res.headers['content-type']), /^text\/x-fasta/, `${url}: FASTA media type`);
            const got = res.rawPayload.toString('latin1');
            if (got !== want) {
              const gl = got.split('\n');
              const wl = want.split('\n');
              const at = gl.findIndex((l, i) => l !== wl[i]);
              assert.fail(
                `${url} ${type} (samtools faidx ${args.join(' ')}): first difference at line ${at + 1}: got ${JSON.stringify(gl[at])}, samtools ${JSON.stringify(wl[at])}`,
              );
            }
          }
        }
      } finally {
        copy.remove();
      }
    },
  );

  test('?width=0 writes each sequence on one line; an empty region is a header alone', async () => {
    const res = await post(app, '/batch?format=fasta&width=0', {
      regions: ['chr2:1-200', { name: 'chrM', start: 5, end: 5 }, { name: 'chr1', start: 0, end: 100, strand: '-' }],
    });
    assert.equal(res.statusCode, 200, res.body.slice(0, 200));
    assert.equal(
      res.body,
      `>chr2:1-200\n${expectedBases('chr2', 0, 200, false)}\n>chrM:6-5\n>chr1:1-100/rc\n${expectedBases('chr1', 0, 100, true)}\n`,
      'unwrapped FASTA',
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
    assert.match(JSON.parse(many.body).detail as string, /1000001 regions; at most 1000000/, '413 detail');
    const big = await post(app, '/batch', Buffer.alloc(64 * 1024 * 1024 + 10, 'chrM:1-2\n'), 'text/plain');
    assert.equal(big.statusCode, 413, `a 64 MiB + 10 byte body: ${big.body.slice(0, 200)}`);
    assert.match(String(big.headers['content-type']), /^application\/problem\+json/, '413 is problem+json');
  });
});

describe('POST /batch, streamed', () => {
  let app: FastifyInstance;
  let url = '';
  before(async () => {
    // A low threshold: every answer but the smallest goes out as a stream.
    ({ app, url } = await listeningApp(dir, { streamThreshold: 1024 }));
  });
  after(async () => {
    await app?.close();
  });

  test('100,000 regions of 100 bp answer correctly (a sample of 2,000 checked, and the count)', async (t) => {
    const rng = prng(21);
    const long = names.filter((n) => oracle.get(n)!.length >= 100); // not chrM
    const regions: { name: string; start: number; reverse: boolean }[] = [];
    for (let k = 0; k < 100_000; k++) {
      const name = long[randInt(rng, 0, long.length - 1)]!;
      const L = oracle.get(name)!.length;
      regions.push({ name, start: randInt(rng, 0, L - 100), reverse: rng() < 0.3 });
    }
    const bed = regions.map((r) => `${r.name}\t${r.start}\t${r.start + 100}\t.\t0\t${r.reverse ? '-' : '+'}`).join('\n') + '\n';
    const t0 = performance.now();
    const res = await fetch(`${url}/batch`, { method: 'POST', body: bed, headers: { 'content-type': 'text/x-bed' } });
    const text = await res.text();
    const ms = performance.now() - t0;
    assert.equal(res.status, 200, text.slice(0, 300));
    assert.equal(res.headers.get('content-length'), null, 'a streamed answer (no Content-Length)');
    const got = sequencesOf(text);
    assert.equal(got.length, 100_000, 'one answer per region');
    for (let k = 0; k < 2000; k++) {
      const i = randInt(rng, 0, regions.length - 1);
      const r = regions[i]!;
      assert.equal(got[i]!.sequence, expectedBases(r.name, r.start, r.start + 100, r.reverse), `region ${i} (${r.name}:${r.start}, reverse ${r.reverse})`);
      assert.equal(got[i]!.start, r.start, `region ${i}: start`);
    }
    t.diagnostic(`100,000 x 100 bp, BED in, JSON out, over loopback: ${ms.toFixed(0)} ms wall (rough, one run)`);

    const fasta = await fetch(`${url}/batch?format=fasta`, { method: 'POST', body: bed, headers: { 'content-type': 'text/x-bed' } });
    const fastaText = await fasta.text();
    assert.equal(fasta.status, 200, fastaText.slice(0, 200));
    const headers = fastaText.split('\n').filter((l) => l.startsWith('>'));
    assert.equal(headers.length, 100_000, 'one FASTA record per region');
    assert.equal(
      fastaText.length,
      100_000 * 101 + headers.reduce((n, h) => n + h.length + 1, 0) + 100_000,
      'FASTA size: 100 bases in lines of 60 (two line ends) per record',
    );
  });

  test('long regions are streamed piece by piece: whole chromosomes, both strands, wrapped, case', async () => {
    const body = {
      regions: ['chr1', { name: 'chr1', start: 3, end: 199_999, strand: '-' }, 'r1', 'u1:7-4990', { name: 'r1', start: 1, end: 29_999, strand: '-' }],
    };
    const want: [string, number, number, boolean][] = [
      ['chr1', 0, 200_000, false],
      ['chr1', 3, 199_999, true],
      ['r1', 0, 30_000, false],
      ['u1', 6, 4990, false],
      ['r1', 1, 29_999, true],
    ];
    for (const query of ['', '?case=upper']) {
      const res = await fetch(`${url}/batch${query}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      const got = sequencesOf(await res.text());
      want.forEach(([name, s, e, rev], i) => {
        const bases = expectedBases(name, s, e, rev);
        assert.equal(got[i]!.sequence, query ? bases.toUpperCase() : bases, `${query} region ${i}`);
      });
      const fasta = await fetch(`${url}/batch?format=fasta&width=70${query ? '&case=upper' : ''}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      const records = (await fasta.text()).split('>').slice(1);
      want.forEach(([name, s, e, rev], i) => {
        const [, ...lines] = records[i]!.split('\n');
        assert.ok(
          lines.slice(0, -2).every((l) => l.length === 70),
          `${query} FASTA record ${i}: full lines of 70`,
        );
        const bases = expectedBases(name, s, e, rev);
        assert.equal(lines.join(''), query ? bases.toUpperCase() : bases, `${query} FASTA record ${i}: bases`);
      });
    }
  });

  test('a client that hangs up stops the answer; the server keeps serving', async () => {
    // node:http, not fetch: an aborted fetch leaves the socket open (the server would wait for it on close).
    const body = JSON.stringify({ regions: Array.from({ length: 2000 }, () => 'chr1') });
    const firstChunk = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/batch`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.once('data', (chunk: Buffer) => {
          req.destroy();
          resolve(chunk.length);
        });
      });
      req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
      req.end(body);
    });
    assert.ok(firstChunk > 0, 'the answer had started');
    const after = await fetch(`${url}/batch`, { method: 'POST', body: '{"regions":["chrM:1-5"]}', headers: { 'content-type': 'application/json' } });
    assert.equal(after.status, 200, 'the next request is answered');
    assert.equal(sequencesOf(await after.text())[0]!.sequence, expectedBases('chrM', 0, 5, false), 'and correctly');
  });
});
