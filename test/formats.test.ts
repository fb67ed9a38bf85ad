/**
 * The same genome served from four layouts — FASTA, .2bit (little- and big-endian, version 1),
 * bgzipped FASTA without indexes (the server builds .fai and .gzi) — answers the same bytes on
 * every route: /chrom, bases, ranges (both strands), /region, refget, /batch, /random, /files,
 * and the same errors. Oracle: the generated sequences (the 2bit copy with IUPAC codes made N as
 * faToTwoBit does), samtools faidx on the .fa.gz, node:crypto for the digests.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { missingBgzfTools } from './helpers/bgzf-tools.js';
import { listeningApp, testApp } from './helpers/app.js';
import { prng, randInt, tempDir, writeFasta, type FastaFixture } from './helpers/fasta-fixtures.js';
import { reverseComplement } from './helpers/naive-fasta.js';
import { unknownToN, writeTwoBit } from './helpers/twobit-writer.js';
import { hasSamtools } from './helpers/samtools.js';

const missing = missingBgzfTools();

describe('formats: FASTA, .2bit and bgzipped FASTA behind every route', { skip: missing ?? false }, () => {
  let root: string;
  let fasta: FastaFixture;
  let app: FastifyInstance;
  /** Assembly name → the sequences it must serve. */
  const expected = new Map<string, Map<string, string>>();

  before(async () => {
    root = tempDir('seqserve-formats-');
    const src = tempDir('seqserve-formats-src-');
    fasta = writeFasta(src, 'g.fa', {
      seed: 7,
      lineWidth: 61,
      alphabet: 'iupac',
      lowercase: true,
      nRuns: true,
      records: [
        { name: 'chr1', length: 250_000 },
        { name: 'chr2', length: 70_001 },
        { name: 'chrM', length: 16_569 },
        ...Array.from({ length: 40 }, (_, i) => ({ name: `scaffold_${i}`, length: 1 + ((i * 97) % 300) })),
      ],
    });
    const records = [...fasta.sequences].map(([name, sequence]) => ({ name, sequence }));
    for (const [asm, options] of [
      ['twobit_le', { littleEndian: true, version: 0 as const }],
      ['twobit_be', { littleEndian: false, version: 1 as const }],
    ] as const) {
      mkdirSync(join(root, asm));
      writeTwoBit(join(root, asm, 'g.2bit'), records, options);
      // faToTwoBit: IUPAC codes become N (n when lowercase), U is stored as T.
      expected.set(asm, new Map(records.map((r) => [r.name, unknownToN(r.sequence).replaceAll('U', 'T').replaceAll('u', 't')])));
    }
    mkdirSync(join(root, 'plain'));
    copyFileSync(fasta.path, join(root, 'plain', 'g.fa'));
    expected.set('plain', fasta.sequences);
    mkdirSync(join(root, 'bgzip'));
    writeFileSync(join(root, 'bgzip', 'g.fa.gz'), execFileSync('bgzip', ['-c', fasta.path], { maxBuffer: 1 << 28 }));
    expected.set('bgzip', fasta.sequences);
    app = await testApp(root, { digests: true, streamThreshold: 4096 });
    await app.digests.done;
  });

  after(async () => {
    await app?.close();
  });

  it('lists every assembly with the same names and lengths', async () => {
    for (const [asm, sequences] of expected) {
      const res = await app.inject(`/assemblies/${asm}/chrom`);
      assert.equal(res.statusCode, 200, `${asm}: ${res.body}`);
      const list = res.json<{ name: string; length: number }[]>();
      assert.deepEqual(
        list.map((s) => [s.name, s.length]),
        [...sequences].map(([n, s]) => [n, s.length]),
        `${asm}: names and lengths`,
      );
      const one = (await app.inject(`/assemblies/${asm}/chrom/chr2`)).json<{ format: string; lineBases?: number }>();
      const format = { plain: 'fasta', bgzip: 'bgzf', twobit_le: '2bit', twobit_be: '2bit' }[asm];
      assert.equal(one.format, format, `${asm}: format`);
      assert.equal(one.lineBases, format === '2bit' ? undefined : 61, `${asm}: line layout only where there are lines`);
    }
  });

  it('built and saved the .fai and .gzi of the bgzipped FASTA as samtools does', { skip: hasSamtools() ? false : 'samtools not installed' }, () => {
    const gz = join(root, 'bgzip', 'g.fa.gz');
    assert.ok(existsSync(`${gz}.fai`) && existsSync(`${gz}.gzi`), 'both indexes written beside the file');
    const copy = join(tempDir('seqserve-formats-samtools-'), 'samtools.fa.gz');
    copyFileSync(gz, copy);
    execFileSync('samtools', ['faidx', copy]);
    assert.deepEqual(readFileSync(`${gz}.fai`), readFileSync(`${copy}.fai`), '.fai equals samtools faidx');
    assert.deepEqual(readFileSync(`${gz}.gzi`), readFileSync(`${copy}.gzi`), '.gzi equals samtools faidx');
  });

  it('answers bases and ranges, both strands, like the oracle', async () => {
    const rng = prng(11);
    for (const [asm, sequences] of expected) {
      for (const [name, seq] of sequences) {
        for (let k = 0; k < (seq.length > 1000 ? 25 : 3); k++) {
          const start = randInt(rng, 0, seq.length - 1);
          const end = Math.min(seq.length, start + randInt(rng, 1, k % 5 === 0 ? 20_000 : 300));
          const base = await app.inject(`/assemblies/${asm}/chrom/${name}/base/${start}`);
          assert.equal(base.body, seq[start], `${asm} ${name} base ${start}`);
          const range = await app.inject(`/assemblies/${asm}/chrom/${name}/range?start=${start}&end=${end}`);
          assert.equal(range.body, seq.slice(start, end), `${asm} ${name} [${start}, ${end})`);
          const minus = await app.inject(`/assemblies/${asm}/chrom/${name}/range?start=${start}&end=${end}&strand=-`);
          assert.equal(minus.body, reverseComplement(seq.slice(start, end)), `${asm} ${name} [${start}, ${end}) strand -`);
        }
        const whole = await app.inject(`/assemblies/${asm}/region/${name}`);
        assert.equal(whole.body, seq, `${asm} ${name} whole, through /region`);
      }
    }
  });

  it('gives the same errors in every format', async () => {
    for (const asm of expected.keys()) {
      const unknown = await app.inject(`/assemblies/${asm}/chrom/nope/base/0`);
      assert.equal(unknown.statusCode, 404, `${asm} unknown sequence`);
      const past = await app.inject(`/assemblies/${asm}/chrom/chrM/range?start=0&end=16570`);
      assert.equal(past.statusCode, 416, `${asm} past the end`);
      const bad = await app.inject(`/assemblies/${asm}/chrom/chrM/range?start=x&end=3`);
      assert.equal(bad.statusCode, 400, `${asm} malformed`);
      assert.match(String(bad.headers['content-type']), /application\/problem\+json/, `${asm} problem+json`);
    }
  });

  it('finds every sequence by its refget digest and serves it upper-cased', async () => {
    for (const [asm, sequences] of expected) {
      for (const name of ['chr2', 'scaffold_3']) {
        const seq = sequences.get(name)!;
        const md5 = createHash('md5').update(seq.toUpperCase()).digest('hex');
        const res = await app.inject(`/sequence/${md5}`);
        assert.equal(res.statusCode, 200, `${asm} ${name} by md5`);
        // Plain and bgzip share digests (same bases); the 2bit copies have N for IUPAC codes, so their own.
        assert.equal(res.body, seq.toUpperCase(), `${asm} ${name} refget bytes`);
        const sub = await app.inject(`/sequence/${md5}?start=100&end=160`);
        assert.equal(sub.body, seq.slice(100, 160).toUpperCase(), `${asm} ${name} refget subsequence`);
      }
    }
  });

  it('answers POST /batch and GET /random from the same bytes', async () => {
    for (const [asm, sequences] of expected) {
      const regions = ['chr1:1-100', 'chr1:99,000-151,234', 'chr2', 'chrM:16000-16569', 'scaffold_7'];
      const res = await app.inject({ method: 'POST', url: `/assemblies/${asm}/batch?format=json`, payload: { regions } });
      assert.equal(res.statusCode, 200, `${asm} batch: ${res.body}`);
      const body = res.json<{ sequences: { region: string; sequence: string }[] }>();
      const want = regions.map((r) => {
        const [name, span] = r.split(':') as [string, string | undefined];
        const seq = sequences.get(name)!;
        if (!span) return seq;
        const [b, e] = span.replaceAll(',', '').split('-').map(Number) as [number, number];
        return seq.slice(b - 1, e);
      });
      assert.deepEqual(
        body.sequences.map((s) => s.sequence),
        want,
        `${asm} batch sequences`,
      );
      const random = await app.inject(`/assemblies/${asm}/random?length=500&count=50&seed=3`);
      assert.equal(random.statusCode, 200, `${asm} random: ${random.body}`);
      for (const w of random.json<{ sequences: { region: string; sequence: string }[] }>().sequences) {
        const [name, span] = w.region.split(':') as [string, string];
        const [b, e] = span.split('-').map(Number) as [number, number];
        assert.equal(w.sequence, sequences.get(name)!.slice(b - 1, e), `${asm} random window ${w.region}`);
      }
    }
  });

  it('counts the BGZF block cache in /metrics, bounded by --bgzf-cache-mib', async () => {
    const small = await testApp(join(root, 'bgzip'), { bgzfCacheMib: 1 });
    try {
      const seq = expected.get('bgzip')!.get('chr1')!;
      const rng = prng(17);
      for (let k = 0; k < 200; k++) {
        const start = randInt(rng, 0, seq.length - 1000);
        const res = await small.inject(`/chrom/chr1/range?start=${start}&end=${start + 1000}`);
        assert.equal(res.body, seq.slice(start, start + 1000), `bgzip [${start}, ${start + 1000}) with a 1 MiB cache`);
      }
      const text = (await small.inject('/metrics')).body;
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      assert.ok(value('seqserve_bgzf_cache_misses_total') > 0, `misses counted: ${value('seqserve_bgzf_cache_misses_total')}`);
      assert.ok(value('seqserve_bgzf_cache_hits_total') > 0, `hits counted: ${value('seqserve_bgzf_cache_hits_total')}`);
      const held = value('seqserve_bgzf_cache_bytes');
      assert.ok(held > 0 && held <= 1024 * 1024, `cache holds ${held} bytes, at most 1 MiB`);
    } finally {
      await small.close();
    }
  });

  it('serves the data files and their indexes under /files', async () => {
    const twoBit = await app.inject('/files/twobit_be/g.2bit');
    assert.deepEqual(twoBit.rawPayload, readFileSync(join(root, 'twobit_be', 'g.2bit')), '.2bit bytes as on disk');
    for (const suffix of ['', '.fai', '.gzi']) {
      const res = await app.inject(`/files/bgzip/g.fa.gz${suffix}`);
      assert.equal(res.statusCode, 200, `g.fa.gz${suffix}`);
      assert.deepEqual(res.rawPayload, readFileSync(join(root, 'bgzip', `g.fa.gz${suffix}`)), `g.fa.gz${suffix} bytes as on disk`);
    }
  });
});

describe('formats: files that cannot be served at random are refused at startup', { skip: missing ?? false }, () => {
  it('a plain gzip FASTA: the message names the file and says to run bgzip or seqserve prepare', async () => {
    const dir = tempDir('seqserve-gzip-');
    const fasta = writeFasta(dir, 'x.txt', { seed: 1, lineWidth: 60, records: [{ name: 'a', length: 500 }] });
    writeFileSync(join(dir, 'x.fa.gz'), execFileSync('gzip', ['-c', fasta.path]));
    await assert.rejects(testApp(dir), (e: Error) => {
      assert.match(e.message, /x\.fa\.gz is gzip-compressed but not with bgzip/, e.message);
      assert.match(e.message, /bgzip/, 'says to run bgzip');
      assert.match(e.message, /seqserve prepare/, 'or seqserve prepare');
      return true;
    });
  });

  it('a file named .2bit that is not one', async () => {
    const dir = tempDir('seqserve-2bit-');
    writeFileSync(join(dir, 'bad.2bit'), 'not a twobit file at all');
    await assert.rejects(testApp(dir), (e: Error) => {
      assert.match(e.message, /bad\.2bit/, e.message);
      return true;
    });
  });
});

describe('formats: the fast path (answers before the router) reads .2bit and bgzip too', { skip: missing ?? false }, () => {
  it('single bases and small ranges over a real socket equal the oracle', async () => {
    const src = tempDir('seqserve-fast-src-');
    const fasta = writeFasta(src, 'g.fa', { seed: 5, lineWidth: 60, lowercase: true, nRuns: true, records: [{ name: 'chr1', length: 20_000 }] });
    const seq = fasta.sequences.get('chr1')!;
    for (const layout of ['2bit', 'bgzip'] as const) {
      const dir = tempDir('seqserve-fast-');
      if (layout === '2bit') writeTwoBit(join(dir, 'g.2bit'), [{ name: 'chr1', sequence: seq }], { littleEndian: true, version: 0 });
      else writeFileSync(join(dir, 'g.fa.gz'), execFileSync('bgzip', ['-c', fasta.path]));
      const { app, url } = await listeningApp(dir);
      try {
        const rng = prng(3);
        for (let k = 0; k < 50; k++) {
          const start = randInt(rng, 0, seq.length - 1);
          const end = Math.min(seq.length, start + randInt(rng, 1, 200));
          assert.equal(await (await fetch(`${url}/chrom/chr1/base/${start}`)).text(), seq[start], `${layout} base ${start}`);
          assert.equal(await (await fetch(`${url}/chrom/chr1/range?start=${start}&end=${end}`)).text(), seq.slice(start, end), `${layout} [${start}, ${end})`);
        }
      } finally {
        await app.close();
      }
    }
  });
});
