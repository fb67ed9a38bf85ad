/**
 * Clients reading /files over HTTP: samtools faidx, @gmod/indexedfasta through RemoteFile, and a
 * browser's CORS preflight; and a .fai the server could not save (served from memory) or that is
 * linked from outside the folder. Every answer is checked against the bytes read with fs from
 * the file, against samtools, or against the sequences as generated; never against the server's
 * own output. The HTTP semantics of /files: test/files-http.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IndexedFasta } from '@gmod/indexedfasta';
import { RemoteFile } from 'generic-filehandle2';
import type { FastifyInstance } from 'fastify';
import { listeningApp } from './helpers/app.js';
import { prng, randInt, removeDir, subDir, tempDir, writeFasta, type FastaFixture } from './helpers/fasta-fixtures.js';
import { bytesOf, openStaticFolder, samtools, send } from './helpers/files-fixtures.js';
import { hasSamtools, samtoolsFai, samtoolsFaidx, type Region } from './helpers/samtools.js';

describe('/files: clients reading the data folder over HTTP', () => {
  let root: string;
  let genome: FastaFixture;
  let crlf: FastaFixture;
  let app: FastifyInstance;
  let url: string;

  before(async () => {
    ({ root, genome, crlf, app, url } = await openStaticFolder());
  });

  after(async () => {
    await app?.close();
    if (root) removeDir(root);
  });

  it(
    'lets samtools faidx read regions over HTTP, identical to samtools faidx on the local file',
    { skip: !hasSamtools() && 'samtools not installed' },
    async () => {
      const rng = prng(7);
      const regions: Region[] = [
        { name: 'chr1', start: 0, end: 1000 },
        { name: 'chr1', start: 149_000, end: 150_000 },
        { name: 'chr2', start: 0, end: 61 },
        { name: 'tiny', start: 0, end: 1 },
      ];
      for (let k = 0; k < 20; k++) {
        const [name, seq] = [...genome.sequences][randInt(rng, 0, genome.sequences.size - 1)]!;
        const start = randInt(rng, 0, seq.length - 1);
        regions.push({ name, start, end: randInt(rng, start + 1, Math.min(seq.length, start + 5000)) });
      }
      const cwd = subDir(root, 'samtools-cwd');
      const asked = regions.map((r) => `${r.name}:${r.start + 1}-${r.end}`);
      const run = await samtools(['faidx', '-n', '1000000000', `${url}/files/genome.fa`, ...asked], cwd);
      assert.equal(run.code, 0, run.stderr);
      const remote = run.stdout.split('\n').filter((l) => !l.startsWith('>') && l.length > 0);
      const local = samtoolsFaidx(genome.path, regions);
      assert.equal(remote.length, regions.length, 'one answer per region');
      for (let i = 0; i < regions.length; i++) {
        assert.equal(remote[i], local[i], asked[i]);
        const r = regions[i]!;
        assert.equal(remote[i], genome.sequences.get(r.name)!.slice(r.start, r.end), `${asked[i]} vs the generated bases`);
      }
      // A whole chromosome, and the CRLF file, too.
      const whole = await samtools(['faidx', '-n', '1000000000', `${url}/files/crlf.fasta`, 'w1', 'w2'], cwd);
      assert.equal(whole.code, 0, whole.stderr);
      const seqs = whole.stdout.split('\n').filter((l) => !l.startsWith('>') && l.length > 0);
      assert.deepEqual(seqs, [crlf.sequences.get('w1'), crlf.sequences.get('w2')]);
    },
  );

  it('lets @gmod/indexedfasta read random regions through RemoteFile, byte-identical to the file', async () => {
    const fasta = new IndexedFasta({ fasta: new RemoteFile(`${url}/files/genome.fa`), fai: new RemoteFile(`${url}/files/genome.fa.fai`) });
    const rng = prng(8);
    const sizes = await fasta.getSequenceSizes();
    assert.deepEqual(sizes, Object.fromEntries([...genome.sequences].map(([n, s]) => [n, s.length])));
    for (let k = 0; k < 40; k++) {
      const [name, seq] = [...genome.sequences][randInt(rng, 0, genome.sequences.size - 1)]!;
      const start = randInt(rng, 0, seq.length - 1);
      const end = randInt(rng, start + 1, Math.min(seq.length, start + randInt(rng, 1, 20_000)));
      const got = await fasta.getSequence(name, start, end);
      assert.equal(got, seq.slice(start, end), `${name}:[${start},${end})`);
    }
    const crlfFasta = new IndexedFasta({ fasta: new RemoteFile(`${url}/files/crlf.fasta`), fai: new RemoteFile(`${url}/files/crlf.fasta.fai`) });
    assert.equal(await crlfFasta.getSequence('w1', 45, 2000), crlf.sequences.get('w1')!.slice(45, 2000));
  });

  it('answers a CORS preflight allowing Range, and exposes the range headers on a simple request', async () => {
    const pre = await send(url, '/files/genome.fa', {
      method: 'OPTIONS',
      headers: { origin: 'https://igv.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' },
    });
    assert.ok(pre.status === 204 || pre.status === 200, `preflight status ${pre.status}`);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    const allowHeaders = (pre.headers['access-control-allow-headers'] ?? '').toLowerCase().split(/\s*,\s*/);
    assert.ok(allowHeaders.includes('range'), `Range allowed: ${allowHeaders.join(', ')}`);
    assert.ok((pre.headers['access-control-allow-methods'] ?? '').includes('GET'), 'GET allowed');

    const simple = await send(url, '/files/genome.fa', { headers: { origin: 'https://igv.example', range: 'bytes=0-9' } });
    assert.equal(simple.status, 206);
    assert.equal(simple.headers['access-control-allow-origin'], '*');
    const exposed = (simple.headers['access-control-expose-headers'] ?? '').toLowerCase().split(/\s*,\s*/);
    for (const h of ['content-range', 'content-length', 'accept-ranges', 'etag']) assert.ok(exposed.includes(h), `${h} exposed: ${exposed.join(', ')}`);
    assert.ok(simple.body.equals(bytesOf(genome.path).subarray(0, 10)), 'CORS answer body differs from the file');
  });
});

describe('/files: an index the server could not save', { skip: !hasSamtools() && 'samtools not installed' }, () => {
  let root: string;
  let data: string;
  let genome: FastaFixture;
  let app: FastifyInstance;
  let url: string;

  before(async () => {
    root = tempDir('seqserve-files-ro-');
    data = subDir(root, 'data');
    const elsewhere = subDir(root, 'elsewhere');
    genome = writeFasta(data, 'ro.fa', {
      seed: 21,
      lineWidth: 70,
      records: [
        { name: 'a', length: 10_000 },
        { name: 'b', length: 333 },
      ],
    });
    // Saving goes through `${fai}.tmp-${pid}`: a folder by that name makes the write fail even
    // as root (where chmod would not), so the index stays in memory, as in a read-only folder.
    mkdirSync(join(data, `ro.fa.fai.tmp-${process.pid}`));
    // A second FASTA whose .fai is a link to a file outside the folder: that file is not served;
    // the index the catalog holds (checked against the FASTA) is served instead.
    const linked = writeFasta(data, 'linkedfai.fa', { seed: 22, lineWidth: 60, records: [{ name: 'c', length: 1000 }] });
    execFileSync('samtools', ['faidx', linked.path], { stdio: 'ignore' });
    const faiOutside = join(elsewhere, 'linkedfai.fa.fai');
    writeFileSync(faiOutside, readFileSync(`${linked.path}.fai`));
    unlinkSync(`${linked.path}.fai`);
    symlinkSync(faiOutside, `${linked.path}.fai`);
    ({ app, url } = await listeningApp(data));
  });

  after(async () => {
    await app?.close();
    if (root) removeDir(root);
  });

  it('serves the index built in memory, identical to samtools faidx', async () => {
    assert.throws(() => statSync(join(data, 'ro.fa.fai')), 'the index was not saved');
    const a = await send(url, '/files/ro.fa.fai');
    assert.equal(a.status, 200);
    assert.ok(a.body.equals(samtoolsFai(genome.path)), 'in-memory .fai differs from samtools faidx');
    const r = await send(url, '/files/ro.fa.fai', { headers: { range: 'bytes=-5' } });
    assert.equal(r.status, 206);
    assert.ok(r.body.equals(samtoolsFai(genome.path).subarray(-5)), 'range of the in-memory .fai');
    const etag = a.headers.etag!;
    assert.match(etag, /^"[^"]+"$/, 'a strong entity-tag');
    assert.equal((await send(url, '/files/ro.fa.fai', { headers: { 'if-none-match': etag } })).status, 304);
    // samtools reads through the in-memory index.
    const cwd = subDir(root, 'cwd');
    const run = await samtools(['faidx', '-n', '100000', `${url}/files/ro.fa`, 'a:9001-10000'], cwd);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.split('\n')[1], genome.sequences.get('a')!.slice(9000, 10000));
  });

  it('serves a .fai linked from outside the folder as the index the catalog holds', async () => {
    const a = await send(url, '/files/linkedfai.fa.fai');
    assert.equal(a.status, 200);
    assert.ok(a.body.equals(samtoolsFai(join(data, 'linkedfai.fa'))), '.fai differs from samtools faidx');
    assert.equal((await send(url, '/files/linkedfai.fa')).status, 200);
  });
});
