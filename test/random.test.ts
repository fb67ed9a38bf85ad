/**
 * GET /random: windows drawn uniformly over an assembly's bases, checked against the generated
 * sequences (test/helpers/fasta-fixtures.ts) and the naive reader: determinism by seed,
 * uniformity (across sequences in proportion to length − L + 1, and along a sequence), exclude=N,
 * limits, and FASTA output equal to samtools faidx's for the same regions.
 *
 * Run alone: node --import tsx --test test/random.test.ts
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { WindowSampler } from '../src/batch/random-windows.js';
import type { MappedSequence } from '../src/store/mapped-sequence.js';
import { testApp } from './helpers/app.js';
import { removeDir, subDir, tempDir, writeFasta, writeRaw } from './helpers/fasta-fixtures.js';
import { readFasta, readRaw } from './helpers/naive-fasta.js';
import { SamtoolsCopy, hasSamtools } from './helpers/samtools.js';
import type { Problem } from './helpers/problem.js';

interface Entry {
  region: string;
  name: string;
  start: number;
  end: number;
  strand: string;
  sequence: string;
}
interface Answer {
  seed: number;
  length: number;
  count: number;
  sequences: Entry[];
}

const root = tempDir('seqserve-random-');
const dir = subDir(root, 'genome');
const fasta = writeFasta(dir, 'g.fa', {
  seed: 31,
  lineWidth: 60,
  lowercase: true,
  nRuns: true,
  records: [
    { name: 'chr1', length: 60_000 },
    { name: 'chr2', length: 30_000 },
    { name: 'chr3', length: 12_000 },
    { name: 'tiny', length: 500 },
  ],
});
const raw = writeRaw(dir, 'r1', { seed: 32, length: 18_000 });
// An assembly of N only, and one with a single short sequence.
const nOnly = subDir(dir, 'gaps');
writeFileSync(join(nOnly, 'gaps.fa'), `>gap1\n${'N'.repeat(3000).replace(/(.{60})/g, '$1\n')}\n`);

const oracle = new Map<string, string>([...readFasta(fasta.path), [raw.name, readRaw(raw.path)]]);
after(() => removeDir(root));

describe('GET /random', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(dir);
  });
  after(async () => {
    await app?.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
  const json = async (url: string) => {
    const res = await get(url);
    assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
    return { res, answer: JSON.parse(res.body) as Answer };
  };

  test('windows are L bases of the oracle, inside their sequence', async () => {
    const { answer } = await json('/random?length=250&count=2000&seed=7');
    assert.equal(answer.sequences.length, 2000, 'count windows');
    assert.deepEqual([answer.seed, answer.length, answer.count], [7, 250, 2000], 'seed, length and count are echoed');
    for (const [i, w] of answer.sequences.entries()) {
      const sequence = oracle.get(w.name);
      assert.ok(sequence !== undefined, `window ${i}: a sequence of the folder (${w.name})`);
      assert.ok(
        w.start >= 0 && w.end === w.start + 250 && w.end <= sequence.length,
        `window ${i}: [${w.start}, ${w.end}) inside ${w.name} (${sequence.length})`,
      );
      assert.equal(w.sequence, sequence.slice(w.start, w.end), `window ${i}: bases`);
      assert.equal(w.region, `${w.name}:${w.start + 1}-${w.end}`, `window ${i}: region`);
      assert.equal(w.strand, '+', `window ${i}: strand`);
    }
  });

  test('the same seed draws the same windows; another seed others; no seed picks one and says it', async () => {
    const a = await get('/random?length=100&count=50&seed=123');
    const b = await get('/random?length=100&count=50&seed=123');
    const c = await get('/random?length=100&count=50&seed=124');
    assert.equal(a.body, b.body, 'same seed, same answer');
    assert.notEqual(a.body, c.body, 'another seed, another answer');
    assert.equal(a.headers['x-seqserve-seed'], '123', 'the seed header');
    const free = await get('/random?length=100&count=50');
    const seed = String(free.headers['x-seqserve-seed']);
    assert.match(seed, /^\d+$/, 'a chosen seed is sent back');
    assert.equal((JSON.parse(free.body) as Answer).seed, Number(seed), 'and is in the JSON answer');
    const again = await get(`/random?length=100&count=50&seed=${seed}`);
    assert.equal(again.body, free.body, 'the chosen seed repeats the draw');
    for (const format of ['fasta', 'bed']) {
      const x = await get(`/random?length=100&count=50&seed=9&format=${format}`);
      const y = await get(`/random?length=100&count=50&seed=9&format=${format}`);
      assert.equal(x.body, y.body, `${format}: same seed, same answer`);
    }
  });

  test('uniform: sequences drawn in proportion to length − L + 1, starts spread along a sequence', async () => {
    const L = 1000;
    const count = 100_000;
    const res = await get(`/random?length=${L}&count=${count}&seed=2024&format=bed`);
    assert.equal(res.statusCode, 200, res.body.slice(0, 200));
    assert.match(String(res.headers['content-type']), /^text\/x-bed/, 'BED media type');
    const rows = res.body
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    assert.equal(rows.length, count, 'count BED lines');
    const eligible = [...oracle].filter(([, s]) => s.length >= L);
    const total = eligible.reduce((n, [, s]) => n + s.length - L + 1, 0);
    const observed = new Map<string, number>();
    const bins = new Array<number>(10).fill(0);
    const chr1Windows = oracle.get('chr1')!.length - L + 1;
    for (const [name, start, end] of rows) {
      observed.set(name!, (observed.get(name!) ?? 0) + 1);
      assert.equal(Number(end) - Number(start), L, 'BED windows are L long');
      if (name === 'chr1') bins[Math.floor((Number(start) * 10) / chr1Windows)]!++;
    }
    assert.equal(observed.get('tiny'), undefined, 'a sequence shorter than L (tiny, 500) is never drawn');
    let chi = 0;
    for (const [name, s] of eligible) {
      const expected = (count * (s.length - L + 1)) / total;
      chi += ((observed.get(name) ?? 0) - expected) ** 2 / expected;
    }
    // 4 sequences: 3 degrees of freedom; 16.3 is the 0.1% critical value (the seed is fixed, so no flakes).
    assert.ok(chi < 16.3, `chi-square across sequences ${chi.toFixed(2)} (observed ${JSON.stringify([...observed])})`);
    const perBin = bins.reduce((a, b) => a + b, 0) / 10;
    const chiBins = bins.reduce((n, o) => n + (o - perBin) ** 2 / perBin, 0);
    assert.ok(chiBins < 27.9, `chi-square along chr1 (10 bins, 9 df) ${chiBins.toFixed(2)}: ${bins.join(' ')}`);
  });

  test('the sampler maps window numbers one to one onto every valid window', () => {
    const fake = (name: string, length: number) => ({ name, length }) as unknown as MappedSequence;
    const sampler = new WindowSampler([fake('a', 7), fake('b', 3), fake('c', 12), fake('d', 3), fake('e', 1)]);
    for (const L of [1, 2, 3, 4, 7, 8, 12]) {
      const k = sampler.eligible(L);
      const total = sampler.windows(L, k);
      const expected = [7, 3, 12, 3, 1].reduce((n, len) => n + Math.max(0, len - L + 1), 0);
      assert.equal(total, expected, `L=${L}: number of windows`);
      const seen = new Set<string>();
      for (let u = 0; u < total; u++) {
        const { sequence, start } = sampler.locate(u, L, k);
        assert.ok(start >= 0 && start + L <= sequence.length, `L=${L} u=${u}: window inside ${sequence.name}`);
        seen.add(`${sequence.name}:${start}`);
      }
      assert.equal(seen.size, total, `L=${L}: every window once`);
    }
    assert.equal(sampler.windows(13), 0, 'no window longer than the longest sequence');
  });

  test('exclude=N never returns a window holding N or n', async () => {
    const plain = (await json('/random?length=400&count=3000&seed=5')).answer;
    assert.ok(
      plain.sequences.some((w) => /[Nn]/.test(w.sequence)),
      'without exclude, some windows hold N (the test means something)',
    );
    for (const exclude of ['N', 'n']) {
      const { answer } = await json(`/random?length=400&count=3000&seed=5&exclude=${exclude}`);
      assert.equal(answer.sequences.length, 3000, `exclude=${exclude}: count windows`);
      for (const [i, w] of answer.sequences.entries()) {
        assert.ok(!/[Nn]/.test(w.sequence), `exclude=${exclude}: window ${i} (${w.region}) holds no N`);
        assert.equal(w.sequence, oracle.get(w.name)!.slice(w.start, w.end), `exclude=${exclude}: window ${i} bases`);
      }
    }
  });

  test('an assembly with too few N-free windows is 422; no sequence long enough is 416', async () => {
    const gaps = await get('/assemblies/gaps/random?length=10&count=5&seed=1&exclude=N');
    assert.equal(gaps.statusCode, 422, gaps.body);
    assert.match(String(gaps.headers['content-type']), /^application\/problem\+json/, '422 is problem+json');
    assert.match((JSON.parse(gaps.body) as Problem).detail, /too few N-free windows/, '422 detail');
    const ok = await json('/assemblies/gaps/random?length=10&count=5&seed=1');
    assert.ok(
      ok.answer.sequences.every((w) => w.name === 'gap1' && w.sequence === 'N'.repeat(10)),
      'without exclude, windows of the assembly itself',
    );
    const long = await get('/random?length=60001&count=1');
    assert.equal(long.statusCode, 416, long.body);
    assert.match((JSON.parse(long.body) as Problem).detail, /longest is 60000/, '416 detail');
  });

  test('limits on length, count, seed and the other parameters: 400', async () => {
    for (const query of [
      'length=0',
      'length=1000001',
      'count=10',
      'length=10&count=0',
      'length=10&count=100001',
      'length=10&seed=-1',
      'length=10&seed=4294967296',
      'length=10&seed=1.5',
      'length=1e3',
      'length=3000&count=100000',
      'length=10&exclude=X',
      'length=10&format=xml',
      'length=10&width=x',
    ]) {
      const res = await get(`/random?${query}`);
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, `${query}: problem+json`);
    }
    const edge = await get('/random?length=10&count=100000&seed=4294967295&format=bed');
    assert.equal(edge.statusCode, 200, `the largest count and seed: ${edge.body.slice(0, 200)}`);
  });

  test(
    'FASTA answers (Accept or ?format) are what samtools faidx writes for the same regions',
    { skip: !hasSamtools() && 'samtools is not installed' },
    async () => {
      const bed = await get('/random?length=150&count=300&seed=77&format=bed');
      const regions = bed.body
        .trimEnd()
        .split('\n')
        .map((l) => l.split('\t'))
        .filter(([name]) => name !== raw.name)
        .map(([name, start, end]) => `${name}:${Number(start) + 1}-${end}`);
      const viaQuery = await get('/random?length=150&count=300&seed=77&format=fasta&case=as-is');
      const viaAccept = await get('/random?length=150&count=300&seed=77', { accept: 'text/x-fasta' });
      assert.equal(viaQuery.body, viaAccept.body, 'Accept: text/x-fasta is format=fasta');
      assert.match(String(viaAccept.headers['content-type']), /^text\/x-fasta/, 'FASTA media type');
      // The FASTA file's records only (samtools reads g.fa, not the raw file).
      const records = viaQuery.body.split(/(?=^>)/m).filter((r) => !r.startsWith(`>${raw.name}:`));
      const copy = new SamtoolsCopy(fasta.path);
      try {
        copy.fai();
        const regionFile = join(copy.dir, 'regions.txt');
        writeFileSync(regionFile, regions.join('\n') + '\n');
        const want = execFileSync('samtools', ['faidx', '-r', regionFile, copy.fasta], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'] });
        assert.equal(records.join(''), want, 'byte for byte as samtools faidx -r');
      } finally {
        copy.remove();
      }
    },
  );

  test('every assembly draws from its own sequences; case and mask apply', async () => {
    const own = await json('/assemblies/genome/random?length=50&count=200&seed=3&mask=hard&case=lower');
    for (const w of own.answer.sequences) {
      assert.ok(oracle.has(w.name), `${w.name} is a sequence of the assembly`);
      assert.equal(w.sequence, oracle.get(w.name)!.slice(w.start, w.end).replace(/[a-z]/g, 'N').toLowerCase(), `${w.region}: masked, lower case`);
    }
  });
});
