import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readNpy } from './helpers/npy.js';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/server/app.js';
import { openAssemblies } from '../src/data/assemblies.js';
import { parseConfig } from '../src/data/config.js';
import { testApp } from './helpers/app.js';
import { wrap } from './helpers/fasta-fixtures.js';
import { hasSamtools } from './helpers/samtools.js';

const GiB = 2 ** 30;
const quiet = { info() {}, warn() {} };

/** Deterministic bases for the interesting stretches: what the tests compare against. */
function pattern(length: number, seed: number): string {
  const alphabet = 'ACGTacgtNRY';
  let x = seed;
  let s = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += alphabet[(x >>> 16) % alphabet.length];
  }
  return s;
}

/**
 * Sparse files: the holes read as zero bytes and take no disk, so a 5 GiB file costs a few
 * pages. The sequences of interest sit past 4 GiB, beyond any 32-bit offset.
 */
describe('files larger than 4 GiB and sequences longer than 2^31 bases', () => {
  let dir: string;
  let app: FastifyInstance;
  const rawSize = 5 * GiB;
  const rawAt = 4 * GiB + 12_345;
  const rawBases = pattern(50_000, 7);
  const padLength = 4 * GiB + 777; // one unwrapped line of holes
  const chr11 = pattern(10_000, 11);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-large-'));
    const raw = openSync(join(dir, 'big.raw'), 'w');
    ftruncateSync(raw, rawSize);
    writeSync(raw, rawBases, rawAt, 'latin1');
    writeSync(raw, 'ACGT', rawSize - 4, 'latin1');
    closeSync(raw);

    // FASTA: a huge unwrapped "pad" record of holes, then chr11 wrapped at 60, past 4 GiB.
    const fa = openSync(join(dir, 'big.fa'), 'w');
    writeSync(fa, '>pad\n', 0, 'latin1');
    const chr11Header = padLength + 5;
    writeSync(fa, `\n>chr11\n${wrap(chr11, 60)}`, chr11Header, 'latin1');
    closeSync(fa);
    const chr11Offset = chr11Header + '\n>chr11\n'.length;
    writeFileSync(join(dir, 'big.fa.fai'), `pad\t${padLength}\t5\t${padLength}\t${padLength + 1}\nchr11\t${chr11.length}\t${chr11Offset}\t60\t61\n`);
    app = await testApp(dir);
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists a raw sequence of 5 Gbp', async () => {
    const list = (await app.inject('/chrom')).json<{ name: string; length: number }[]>();
    assert.equal(list.find((s) => s.name === 'big')?.length, rawSize, 'big is listed with its length');
  });

  it('serves raw bases past 4 GiB', async () => {
    assert.equal((await app.inject(`/chrom/big/base/${rawAt}`)).body, rawBases[0]);
    assert.equal((await app.inject(`/chrom/big/base/${rawSize - 1}`)).body, 'T');
    const res = await app.inject(`/chrom/big/range?start=${rawAt + 100}&end=${rawAt + 20_100}`);
    assert.equal(res.body, rawBases.slice(100, 20_100));
    const tail = await app.inject(`/chrom/big/range?start=${rawSize - 4}`);
    assert.equal(tail.body, 'ACGT');
    const rc = await app.inject(`/chrom/big/range?start=${rawSize - 4}&strand=-`);
    assert.equal(rc.body, 'ACGT');
  });

  it('serves a wrapped FASTA sequence that starts past 4 GiB', async () => {
    for (const [s, e] of [
      [0, 10_000],
      [59, 61],
      [1234, 5678],
      [9_990, 10_000],
    ] as const) {
      assert.equal((await app.inject(`/chrom/chr11/range?start=${s}&end=${e}`)).body, chr11.slice(s, e));
    }
    assert.equal((await app.inject('/chrom/chr11/base/9999')).body, chr11[9999]);
  });

  it('agrees with samtools faidx past 4 GiB', async (t) => {
    if (!hasSamtools()) return t.skip('samtools not installed');
    const out = execFileSync('samtools', ['faidx', join(dir, 'big.fa'), 'chr11:1001-3000'], { encoding: 'latin1' });
    assert.equal(out.split('\n').slice(1).join(''), chr11.slice(1000, 3000));
  });
});

describe('ranges that cross a mapping window', () => {
  let dir: string;
  let app: FastifyInstance;
  const seq = pattern(300_000, 3);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-window-'));
    writeFileSync(join(dir, 'w.fa'), `>w\n${wrap(seq, 61)}`);
    writeFileSync(join(dir, 'w2.raw'), seq);
    // No event-loop-delay guard: chained app.inject calls would look like overload (503), as in testApp.
    const config = parseConfig({ data: dir, logLevel: 'silent', accessLog: false, streamThreshold: 65_536, digests: false, maxEventLoopDelay: 0 });
    // Tiny windows (64 KiB stride, one page of overlap) put many boundaries inside the data.
    const assemblies = openAssemblies(dir, quiet, { windows: { windowStride: 65_536, windowOverlap: 4096 } });
    app = await buildApp(config, { assemblies });
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('joins bytes across window boundaries, forwards and reversed, buffered and streamed', async () => {
    for (const name of ['w', 'w2']) {
      for (const [s, e] of [
        [60_000, 70_000],
        [65_530, 65_540],
        [1, 299_999],
        [130_000, 200_000],
        [0, 300_000],
      ] as const) {
        const res = await app.inject(`/chrom/${name}/range?start=${s}&end=${e}`);
        assert.equal(res.body, seq.slice(s, e), `${name} ${s}-${e}`);
        const rc = await app.inject(`/chrom/${name}/range?start=${s}&end=${e}&strand=-`);
        assert.equal(rc.body, reverseComplement(seq.slice(s, e)), `${name} ${s}-${e} -`);
      }
      for (let i = 65_530; i < 65_545; i++) assert.equal((await app.inject(`/chrom/${name}/base/${i}`)).body, seq[i]);
    }
  });

  it('batches (JSON and npy codes) join bytes across window boundaries too', async () => {
    const spans = [60_000, 125_000, 0, 196_600, 289_999].map((s) => [s, s + 10_001] as const).filter(([, e]) => e <= 300_000);
    const code = (c: string) => 'ACGT'.indexOf(c.toUpperCase());
    for (const name of ['w', 'w2']) {
      const regions = spans.map(([start, end]) => ({ chrom: name, start, end }));
      const json = await app.inject({ method: 'POST', url: '/batch', payload: { regions } });
      assert.equal(json.statusCode, 200, json.body.slice(0, 300));
      const sequences = (JSON.parse(json.body) as { sequences: { sequence: string }[] }).sequences.map((x) => x.sequence);
      assert.deepEqual(
        sequences,
        spans.map(([s, e]) => seq.slice(s, e)),
        `${name}: JSON`,
      );
      const npy = await app.inject({ method: 'POST', url: '/batch?format=npy&encoding=codes', payload: { regions } });
      assert.equal(npy.statusCode, 200, npy.body.slice(0, 300));
      const array = readNpy(npy.rawPayload);
      spans.forEach(([s, e], i) => {
        const expected = Buffer.from(Array.from(seq.slice(s, e), (c) => (code(c) < 0 ? 4 : code(c))));
        assert.ok(array.data.subarray(i * 10_001, (i + 1) * 10_001).equals(expected), `${name} ${s}-${e}: codes`);
      });
    }
  });
});

function reverseComplement(s: string): string {
  const map: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N', R: 'Y', Y: 'R' };
  return [...s]
    .reverse()
    .map((c) => (c === c.toLowerCase() ? map[c.toUpperCase()]!.toLowerCase() : map[c]!))
    .join('');
}
