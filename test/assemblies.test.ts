/**
 * Several assemblies in one server: the data folder's own files and each subfolder with sequence
 * files are assemblies; one is the default under /chrom, all are under /assemblies/NAME/....
 * Oracle: the generated sequences (the same names hold different bases in each assembly).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { prng, randInt, removeDir, subDir, tempDir, writeFasta } from './helpers/fasta-fixtures.js';
import type { Problem } from './helpers/problem.js';

describe('assemblies', () => {
  let root: string;
  let data: string;
  let app: FastifyInstance;
  const genomes = new Map<string, Map<string, string>>();

  before(async () => {
    root = tempDir('seqserve-asm-');
    data = subDir(root, 'top');
    genomes.set('top', writeFasta(data, 'top.fa', { seed: 1, lineWidth: 60, records: [{ name: '1', length: 5000 }] }).sequences);
    genomes.set(
      'GRCh38',
      writeFasta(subDir(data, 'GRCh38'), 'grch38.fa', {
        seed: 2,
        lineWidth: 61,
        records: [
          { name: '1', length: 7000 },
          { name: 'X', length: 3000 },
        ],
        lowercase: true,
      }).sequences,
    );
    genomes.set(
      'hg19',
      writeFasta(subDir(data, 'hg19'), 'hg19.fa', {
        seed: 3,
        lineWidth: 80,
        records: [
          { name: '1', length: 6000 },
          { name: 'Y', length: 2500 },
        ],
        nRuns: true,
      }).sequences,
    );
    subDir(data, 'notes'); // no sequence files: not an assembly
    writeFileSync(join(data, 'notes', 'README.txt'), 'not a genome\n');
    mkdirSync(join(data, 'bad name'));
    writeFasta(join(data, 'bad name'), 'b.fa', { seed: 4, lineWidth: 60, records: [{ name: 'b', length: 10 }] });
    app = await testApp(data);
  });
  after(async () => {
    await app?.close();
    removeDir(root);
  });

  it('lists the assemblies, the data folder first and default', async () => {
    const r = await app.inject('/assemblies');
    assert.equal(r.statusCode, 200, r.body);
    const list = JSON.parse(r.body) as { name: string; default: boolean; sequences: number }[];
    assert.deepEqual(
      list.map((a) => a.name),
      ['top', 'GRCh38', 'hg19'],
      'names: subfolders without sequences or with unsafe names are left out',
    );
    assert.deepEqual(
      list.map((a) => a.default),
      [true, false, false],
      'default',
    );
    assert.deepEqual(
      list.map((a) => a.sequences),
      [1, 2, 2],
      'sequence counts',
    );
    const one = await app.inject('/assemblies/hg19');
    assert.equal((JSON.parse(one.body) as { name: string }).name, 'hg19', 'one assembly');
  });

  it('serves each assembly its own bases under /assemblies/NAME, and the default under /chrom', async () => {
    const rng = prng(9);
    for (const [asm, sequences] of genomes) {
      const prefix = `/assemblies/${asm}`;
      const names = (JSON.parse((await app.inject(`${prefix}/chrom`)).body) as { name: string }[]).map((s) => s.name);
      assert.deepEqual(names, [...sequences.keys()], `${asm}: /chrom lists its own sequences`);
      for (const [name, seq] of sequences) {
        for (let k = 0; k < 20; k++) {
          const start = randInt(rng, 0, seq.length - 1);
          const end = randInt(rng, start, seq.length);
          const range = await app.inject(`${prefix}/chrom/${name}/range?start=${start}&end=${end}`);
          assert.equal(range.body, seq.slice(start, end), `${asm} ${name} range ${start}-${end}`);
          const base = await app.inject(`${prefix}/chrom/${name}/base/${start}`);
          assert.equal(base.body, seq[start], `${asm} ${name} base ${start}`);
          const region = await app.inject(`${prefix}/region/${name}:${start + 1}-${Math.max(end, start + 1)}`);
          assert.equal(region.body, seq.slice(start, Math.max(end, start + 1)), `${asm} ${name} region`);
        }
      }
    }
    const top = genomes.get('top')!.get('1')!;
    assert.equal((await app.inject('/chrom/1/range?start=0&end=50')).body, top.slice(0, 50), 'the default assembly under /chrom');
    assert.equal((await app.inject('/chrom/X')).statusCode, 404, 'another assembly’s sequence is not in the default one');
  });

  it('says which assembly is unknown, as problem+json', async () => {
    for (const path of ['/assemblies/hg18', '/assemblies/hg18/chrom/1/base/0']) {
      const r = await app.inject(path);
      assert.equal(r.statusCode, 404, `${path}: ${r.body}`);
      assert.equal(r.headers['content-type'], 'application/problem+json', `${path}: type`);
      assert.match((JSON.parse(r.body) as Problem).detail, /no assembly named "hg18".*GRCh38/, `${path}: detail`);
    }
    const r = await app.inject('/assemblies/hg19/nonsense');
    assert.equal(r.statusCode, 404, 'unknown path in a known assembly');
    assert.equal((await app.inject('/assemblies/hg19/chrom/X')).statusCode, 404, 'X is GRCh38’s, not hg19’s');
  });

  it('serves subfolder files under /files/ASSEMBLY/NAME', async () => {
    const r = await app.inject('/files/GRCh38/grch38.fa.fai');
    assert.equal(r.statusCode, 200, r.body);
    assert.match(r.body, /^1\t7000\t/, 'the subfolder .fai');
    assert.equal((await app.inject('/files/top.fa')).statusCode, 200, 'top-level file by its name');
  });

  it('finds sequences of every assembly by digest', async () => {
    const withDigests = await testApp(data, { digests: true });
    try {
      await withDigests.digests.done;
      const { createHash } = await import('node:crypto');
      const y = genomes.get('hg19')!.get('Y')!.toUpperCase();
      const r = await withDigests.inject(`/sequence/${createHash('md5').update(y).digest('hex')}`);
      assert.equal(r.body, y, 'hg19 Y by md5');
    } finally {
      await withDigests.close();
    }
  });

  it('takes --default-assembly, and refuses one that does not exist', async () => {
    const other = await testApp(data, { defaultAssembly: 'hg19' });
    try {
      const y = genomes.get('hg19')!.get('Y')!;
      assert.equal((await other.inject('/chrom/Y/range?start=0&end=30')).body, y.slice(0, 30), 'hg19 is the default');
      const list = JSON.parse((await other.inject('/assemblies')).body) as { name: string; default: boolean }[];
      assert.deepEqual(
        list.filter((a) => a.default).map((a) => a.name),
        ['hg19'],
        'default flag',
      );
    } finally {
      await other.close();
    }
    await assert.rejects(testApp(data, { defaultAssembly: 'hg18' }), /--default-assembly hg18: no such assembly; .*GRCh38/, 'unknown default');
  });

  it('makes the first subfolder the default when the data folder holds only subfolders', async () => {
    const only = subDir(root, 'only');
    const b = writeFasta(subDir(only, 'b_asm'), 'b.fa', { seed: 5, lineWidth: 60, records: [{ name: 'q', length: 100 }] }).sequences;
    writeFasta(subDir(only, 'c_asm'), 'c.fa', { seed: 6, lineWidth: 60, records: [{ name: 'q', length: 100 }] });
    const a = await testApp(only);
    try {
      assert.equal((await a.inject('/chrom/q/range')).body, b.get('q'), 'b_asm is the default');
    } finally {
      await a.close();
    }
  });

  it('refuses a subfolder with a broken index at startup, naming the file', async () => {
    const broken = subDir(root, 'broken');
    writeFasta(broken, 'ok.fa', { seed: 7, lineWidth: 60, records: [{ name: 'ok', length: 100 }] });
    const sub = subDir(broken, 'asm2');
    writeFasta(sub, 'x.fa', { seed: 8, lineWidth: 60, records: [{ name: 'x', length: 100 }] });
    writeFileSync(join(sub, 'x.fa.fai'), 'x\t999999\t3\t60\t61\n');
    await assert.rejects(testApp(broken), (e: Error) => e.message.includes(join(sub, 'x.fa')), 'error names the subfolder file');
  });
});
