/**
 * The bundled demo genome that `npm start` generates on first start: written once, the same bytes
 * every time, and served as the README's first curl commands expect (checked against the naive reader).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ensureDemoGenome } from '../src/data/demo-genome.js';
import { testApp } from './helpers/app.js';
import { removeDir, tempDir } from './helpers/fasta-fixtures.js';
import { readFasta, readRaw } from './helpers/naive-fasta.js';

const md5 = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');

describe('the demo genome', () => {
  let dir: string;
  let other: string;
  let app: FastifyInstance;
  before(async () => {
    dir = tempDir('seqserve-demo-');
    other = tempDir('seqserve-demo-again-');
    assert.equal(ensureDemoGenome(dir), true);
    app = await testApp(dir);
  });
  after(async () => {
    await app.close();
    removeDir(dir);
    removeDir(other);
  });

  it('is written once, and the same bytes on every machine', () => {
    assert.equal(ensureDemoGenome(dir), false, 'a second start keeps the files');
    assert.equal(ensureDemoGenome(other), true);
    for (const name of ['demo.fa', '22.raw']) assert.equal(md5(join(other, name)), md5(join(dir, name)), name);
  });

  it('holds what the README shows: 11 at 5,000,000, N runs, lowercase, IUPAC, a raw file', async () => {
    const fasta = readFasta(join(dir, 'demo.fa'));
    const eleven = fasta.get('11')!;
    assert.equal(eleven.length, 6_000_000);
    assert.equal(fasta.get('MT')!.length, 16_569);
    assert.ok(eleven.slice(0, 5000).replace(/[^Nn]/g, '').length > 4990, 'a telomere-like N run at the start');
    assert.match(eleven, /[acgt]/);
    assert.match(eleven, /[RYKMSWBDHV]/);
    const base = await app.inject({ url: '/chrom/11/base/5000000' });
    assert.equal(base.statusCode, 200);
    assert.equal(base.body, eleven[5_000_000]);
    const range = await app.inject({ url: '/chrom/11/range?start=5000000&end=5000100' });
    assert.equal(range.body, eleven.slice(5_000_000, 5_000_100));
    const raw = await app.inject({ url: '/chrom/22/range?start=0&end=1000000' });
    assert.equal(raw.body, readRaw(join(dir, '22.raw')));
  });

  it("is the seqcol collection whose digests the README's examples use", async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const hashed = await testApp(dir, { digests: true });
    try {
      await hashed.digests.done;
      const [demo] = (await hashed.inject('/assemblies')).json<{ collection: string }[]>();
      const level1 = (await hashed.inject(`/collection/${demo!.collection}?level=1`)).json<Record<string, string>>();
      const shown = [...readme.matchAll(/\/(?:collection|comparison|assemblies)\/([A-Za-z0-9_-]{32})\b/g)].map((m) => m[1]);
      assert.ok(shown.length >= 5, 'the README shows the digest');
      assert.deepEqual([...new Set(shown)], [demo!.collection]);
      assert.equal(/attribute\/collection\/names\/([A-Za-z0-9_-]{32})/.exec(readme)?.[1], level1.names);
      assert.equal(/list\/collection\?sequences=([A-Za-z0-9_-]{32})/.exec(readme)?.[1], level1.sequences);
    } finally {
      await hashed.close();
    }
  });
});
