import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { applyCaseMask, isAsStored, type CaseMask } from '../src/store/case-mask.js';
import { testApp } from './helpers/app.js';
import type { Problem } from './helpers/problem.js';

// The oracle: sequences generated here as strings, transformed with string operations only.

/** A small LCG, so the generated sequences are the same every run (no server code involved). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const IUPAC = 'ACGTURYKMSWBDHVN';

/** Mixed case stretches, N runs (n inside lowercase) and every IUPAC code. */
function generate(length: number, seed: number): string {
  const rng = lcg(seed);
  let out = '';
  while (out.length < length) {
    const run = 1 + Math.floor(rng() * 40);
    const lower = rng() < 0.4;
    let piece = '';
    if (rng() < 0.15) piece = 'N'.repeat(run);
    else for (let i = 0; i < run; i++) piece += rng() < 0.9 ? 'ACGT'[Math.floor(rng() * 4)] : IUPAC[Math.floor(rng() * IUPAC.length)];
    out += lower ? piece.toLowerCase() : piece;
  }
  return out.slice(0, length);
}

function wrap(sequence: string, width: number): string {
  let out = '';
  for (let i = 0; i < sequence.length; i += width) out += sequence.slice(i, i + width) + '\n';
  return out;
}

const complementOf: Record<string, string> = {};
for (const [x, y] of ['AT', 'CG', 'RY', 'KM', 'BV', 'DH', 'SS', 'WW', 'NN'].map((p) => [p[0]!, p[1]!] as const)) {
  for (const [p, q] of [
    [x, y],
    [y, x],
  ]) {
    complementOf[p!] = q!;
    complementOf[p!.toLowerCase()] = q!.toLowerCase();
  }
}
complementOf['U'] = 'A';
complementOf['u'] = 'a';

function revcomp(s: string): string {
  return [...s]
    .reverse()
    .map((c) => complementOf[c] ?? c)
    .join('');
}

/** hard: lowercase letters become N first; then the case applies. */
function oracle(s: string, option: CaseMask): string {
  const masked = option.mask === 'hard' ? s.replace(/[a-z]/g, 'N') : s;
  return option.case === 'upper' ? masked.toUpperCase() : option.case === 'lower' ? masked.toLowerCase() : masked;
}

const options: CaseMask[] = [];
for (const c of ['as-is', 'upper', 'lower'] as const) for (const m of ['soft', 'hard'] as const) options.push({ case: c, mask: m });

/** The query string for an option. */
const query = (o: CaseMask) => `case=${o.case}&mask=${o.mask}`;

const head = 'ACGTnnnnNNNNacgtRYKMSWBDHVrykmswbdhvUuNNNNNacgtACGTxX-*';
const chr1 = head + generate(400, 1);
const big = generate(600_000, 2);

describe('case-mask: pure byte transform', () => {
  it('returns the input itself for the defaults', () => {
    const input = Buffer.from(head);
    assert.ok(applyCaseMask(input, { case: 'as-is', mask: 'soft' }) === input, 'defaults should not copy');
    assert.ok(isAsStored({ case: 'as-is', mask: 'soft' }), 'as-is/soft is as stored');
  });

  for (const o of options) {
    it(`${o.case}/${o.mask} matches the oracle and never writes into its input`, () => {
      const input = Buffer.from(chr1);
      const out = applyCaseMask(input, o);
      assert.equal(out.toString('latin1'), oracle(chr1, o));
      assert.equal(input.toString('latin1'), chr1);
      if (!isAsStored(o)) assert.ok(out !== input, 'a transform should give a new buffer');
    });
  }

  it('hard masking happens before the case: lowercase becomes N, then lower makes it n', () => {
    assert.equal(applyCaseMask(Buffer.from('aCgTnN'), { case: 'as-is', mask: 'hard' }).toString(), 'NCNTNN');
    assert.equal(applyCaseMask(Buffer.from('aCgTnN'), { case: 'lower', mask: 'hard' }).toString(), 'ncntnn');
    assert.equal(applyCaseMask(Buffer.from('aCgTnN'), { case: 'upper', mask: 'soft' }).toString(), 'ACGTNN');
  });
});

describe('case-mask: over HTTP', () => {
  let dir: string;
  let app: FastifyInstance;
  let streaming: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-casemask-'));
    writeFileSync(join(dir, 'g.fa'), `>chr1\n${wrap(chr1, 60)}>big\n${wrap(big, 60)}`);
    // A raw file: its bases are contiguous, so the untransformed answer is a view of the mapping.
    writeFileSync(join(dir, 'bigraw.raw'), big);
    app = await testApp(dir);
    streaming = await testApp(dir, { streamThreshold: 1024 });
  });
  after(async () => {
    await app.close();
    await streaming.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (a: FastifyInstance, url: string, headers: Record<string, string> = {}) => a.inject({ method: 'GET', url, headers });

  it('keeps bases as stored by default', async () => {
    assert.equal((await get(app, '/chrom/chr1/range')).body, chr1);
    assert.equal((await get(app, '/chrom/chr1/range?case=as-is&mask=soft')).body, chr1);
  });

  for (const o of options) {
    it(`/chrom/:name/range ${query(o)}, both strands`, async () => {
      for (const [start, end] of [
        [0, chr1.length],
        [3, 77],
        [59, 61],
        [5, 5],
      ] as const) {
        const plus = await get(app, `/chrom/chr1/range?start=${start}&end=${end}&${query(o)}`);
        assert.equal(plus.statusCode, 200);
        assert.equal(plus.body, oracle(chr1.slice(start, end), o));
        assert.equal(plus.headers['content-length'], String(end - start));
        const minus = await get(app, `/chrom/chr1/range?start=${start}&end=${end}&strand=-&${query(o)}`);
        assert.equal(minus.body, oracle(revcomp(chr1.slice(start, end)), o));
      }
    });

    it(`/chrom/:name/range ${query(o)} with a Range header`, async () => {
      const [start, end] = [7, 300];
      for (const strand of ['+', '-'] as const) {
        const whole = strand === '-' ? revcomp(chr1.slice(start, end)) : chr1.slice(start, end);
        const expected = oracle(whole, o);
        for (const [header, slice] of [
          ['bytes=5-40', expected.slice(5, 41)],
          ['bytes=-17', expected.slice(-17)],
          ['bytes=250-', expected.slice(250)],
        ] as const) {
          const res = await get(app, `/chrom/chr1/range?start=${start}&end=${end}&strand=${strand === '-' ? '-' : '%2B'}&${query(o)}`, { range: header });
          assert.equal(res.statusCode, 206);
          assert.equal(res.body, slice, `${strand} ${header}`);
        }
      }
    });

    it(`/region/:region ${query(o)}, both strands and a Range header`, async () => {
      const expected = oracle(chr1.slice(10, 200), o);
      assert.equal((await get(app, `/region/chr1:11-200?${query(o)}`)).body, expected);
      const minus = oracle(revcomp(chr1.slice(10, 200)), o);
      assert.equal((await get(app, `/region/chr1:11-200?strand=-&${query(o)}`)).body, minus);
      const ranged = await get(app, `/region/chr1:11-200?strand=-&${query(o)}`, { range: 'bytes=20-59' });
      assert.equal(ranged.statusCode, 206);
      assert.equal(ranged.body, minus.slice(20, 60));
      // Past the end is cut to the length, as samtools does.
      assert.equal((await get(app, `/region/chr1:400-9999?${query(o)}`)).body, oracle(chr1.slice(399), o));
    });

    it(`streamed answers ${query(o)}: FASTA (joined copies) and raw (mapping views), both strands`, async () => {
      for (const name of ['big', 'bigraw']) {
        const [start, end] = [123, 590_001];
        const plus = await get(streaming, `/chrom/${name}/range?start=${start}&end=${end}&${query(o)}`);
        assert.equal(plus.statusCode, 200);
        assert.equal(plus.headers['content-length'], String(end - start));
        assert.ok(plus.body === oracle(big.slice(start, end), o), `${name} + ${query(o)} differs from the oracle`);
        const minus = await get(streaming, `/chrom/${name}/range?start=${start}&end=${end}&strand=-&${query(o)}`);
        assert.ok(minus.body === oracle(revcomp(big.slice(start, end)), o), `${name} - ${query(o)} differs from the oracle`);
        const ranged = await get(streaming, `/chrom/${name}/range?strand=-&${query(o)}`, { range: 'bytes=1000-300999' });
        assert.equal(ranged.statusCode, 206);
        assert.ok(ranged.body === oracle(revcomp(big), o).slice(1000, 301000), `${name} - ranged ${query(o)} differs from the oracle`);
        const region = await get(streaming, `/region/${name}:2-500000?${query(o)}`);
        assert.ok(region.body === oracle(big.slice(1, 500000), o), `region ${name} ${query(o)} differs from the oracle`);
      }
    });
  }

  it('leaves the mapping as stored after transformed answers', async () => {
    await get(streaming, '/chrom/bigraw/range?case=upper&mask=hard');
    await get(app, '/chrom/chr1/range?case=lower');
    assert.ok((await get(streaming, '/chrom/bigraw/range')).body === big, 'bigraw changed');
    assert.ok((await get(app, '/chrom/big/range')).body === big, 'big changed');
    assert.equal((await get(app, '/chrom/chr1/range')).body, chr1);
  });

  it('HEAD answers the same length with no body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/chrom/chr1/range?start=3&end=50&case=upper&mask=hard' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], '47');
    assert.equal(res.body, '');
  });

  for (const [url, detail] of [
    ['/chrom/chr1/range?case=UPPER', /case/],
    ['/chrom/chr1/range?case=title', /case/],
    ['/chrom/chr1/range?mask=none', /mask/],
    ['/chrom/chr1/range?mask=', /mask/],
    ['/region/chr1:1-10?case=x', /case/],
    ['/region/chr1:1-10?mask=HARD', /mask/],
  ] as const) {
    it(`${url} → 400 problem+json`, async () => {
      const res = await get(app, url);
      assert.equal(res.statusCode, 400);
      assert.equal(res.headers['content-type'], 'application/problem+json');
      assert.match(res.json<Problem>().detail, detail);
    });
  }
});
