/**
 * GET/HEAD /files/NAME as HTTP: whole files, byte ranges (satisfiable, unsatisfiable, ignored),
 * HEAD, validators and conditional requests, no content coding, path safety, and clients that
 * hang up mid-body; also spans that cross a mapping window. Every answer is checked against the
 * bytes read with fs from the file, against samtools, or against the sequences as generated;
 * never against the server's own output. Clients reading over HTTP: test/files-clients.test.ts.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/server/app.js';
import { openAssemblies } from '../src/data/assemblies.js';
import { parseConfig } from '../src/data/config.js';
import { prng, randInt, removeDir, subDir, tempDir, writeFasta, writeRaw, type FastaFixture, type RawFixture } from './helpers/fasta-fixtures.js';
import { bytesOf, dayAgo, openStaticFolder, send } from './helpers/files-fixtures.js';
import { hasSamtools, samtoolsFai } from './helpers/samtools.js';
import type { Problem } from './helpers/problem.js';

describe('/files: the data folder as static files', () => {
  let root: string;
  let genome: FastaFixture;
  let crlf: FastaFixture;
  let raw: RawFixture;
  let outside: FastaFixture;
  let app: FastifyInstance;
  let url: string;

  before(async () => {
    ({ root, genome, crlf, raw, outside, app, url } = await openStaticFolder());
  });

  after(async () => {
    await app?.close();
    if (root) removeDir(root);
  });

  it('serves every FASTA, .fai and raw file whole, byte for byte', async () => {
    for (const [name, expected] of [
      ['genome.fa', bytesOf(genome.path)],
      ['crlf.fasta', bytesOf(crlf.path)],
      ['r22.raw', bytesOf(raw.path)],
      ['genome.fa.fai', bytesOf(`${genome.path}.fai`)],
      ['crlf.fasta.fai', bytesOf(`${crlf.path}.fai`)],
    ] as const) {
      const a = await send(url, `/files/${name}`);
      assert.equal(a.status, 200, name);
      assert.equal(a.headers['content-length'], String(expected.length), name);
      assert.equal(a.headers['accept-ranges'], 'bytes', name);
      assert.equal(a.headers['content-encoding'], undefined, name);
      assert.ok(a.body.equals(expected), `${name}: body differs from the file`);
    }
  });

  it('serves a .fai identical to the one samtools writes', { skip: !hasSamtools() && 'samtools not installed' }, async () => {
    for (const f of [genome, crlf]) {
      const a = await send(url, `/files/${f.path.split('/').pop()}.fai`);
      assert.equal(a.status, 200);
      assert.ok(a.body.equals(samtoolsFai(f.path)), `${f.path}.fai differs from samtools faidx`);
    }
  });

  it('answers bytes=a-b, a- and -n with 206 and the right slice', async () => {
    const file = bytesOf(genome.path);
    const size = file.length;
    const rng = prng(99);
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 1],
      ['bytes=0-99', 0, 100],
      [`bytes=${size - 1}-`, size - 1, size],
      [`bytes=100-${size + 1000}`, 100, size],
      ['bytes=-1', size - 1, size],
      [`bytes=-${size + 5}`, 0, size],
      ['bytes=5000-', 5000, size],
      [' bytes = 10 - 20 ', 10, 21],
    ];
    for (let k = 0; k < 30; k++) {
      const a = randInt(rng, 0, size - 1);
      const b = randInt(rng, a, Math.min(size - 1, a + randInt(rng, 0, 600_000)));
      cases.push([`bytes=${a}-${b}`, a, b + 1]);
      const n = randInt(rng, 1, size);
      cases.push([`bytes=-${n}`, size - n, size]);
    }
    for (const [range, start, end] of cases) {
      const a = await send(url, '/files/genome.fa', { headers: { range } });
      assert.equal(a.status, 206, range);
      assert.equal(a.headers['content-range'], `bytes ${start}-${end - 1}/${size}`, range);
      assert.equal(a.headers['content-length'], String(end - start), range);
      assert.ok(a.body.equals(file.subarray(start, end)), `${range}: body differs from the file's bytes`);
    }
  });

  it('answers an unsatisfiable range with 416 and Content-Range: bytes */SIZE', async () => {
    const size = statSync(raw.path).size;
    for (const range of [`bytes=${size}-`, `bytes=${size}-${size + 10}`, 'bytes=-0', 'bytes=99999999999999999999-']) {
      const a = await send(url, '/files/r22.raw', { headers: { range } });
      assert.equal(a.status, 416, range);
      assert.equal(a.headers['content-range'], `bytes */${size}`, range);
      assert.equal(a.headers['content-type'], 'application/problem+json', range);
      assert.equal((JSON.parse(a.body.toString()) as Problem).status, 416, range);
    }
  });

  it('ignores multiple ranges, other units and malformed ranges (200, whole file)', async () => {
    const file = bytesOf(raw.path);
    for (const range of ['bytes=0-1,5-6', 'items=0-10', 'bytes=abc', 'bytes=20-10', 'bytes=-']) {
      const a = await send(url, '/files/r22.raw', { headers: { range } });
      assert.equal(a.status, 200, range);
      assert.equal(a.headers['content-range'], undefined, range);
      assert.ok(a.body.equals(file), `${range}: not the whole file`);
    }
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const size = statSync(genome.path).size;
    const whole = await send(url, '/files/genome.fa', { method: 'HEAD' });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers['content-length'], String(size));
    assert.equal(whole.body.length, 0);
    const part = await send(url, '/files/genome.fa', { method: 'HEAD', headers: { range: 'bytes=10-' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 10-${size - 1}/${size}`);
    assert.equal(part.headers['content-length'], String(size - 10));
    assert.equal(part.body.length, 0);
    const get = await send(url, '/files/genome.fa');
    assert.equal(whole.headers.etag, get.headers.etag);
    assert.equal(whole.headers['last-modified'], get.headers['last-modified']);
  });

  it('gives a strong ETag and the file mtime as Last-Modified; If-None-Match and If-Modified-Since give 304', async () => {
    const a = await send(url, '/files/genome.fa');
    const etag = a.headers.etag!;
    assert.match(etag, /^"[^"]+"$/, 'a strong entity-tag');
    assert.equal(a.headers['last-modified'], statSync(genome.path).mtime.toUTCString());
    for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const b = await send(url, '/files/genome.fa', { headers: { 'if-none-match': inm } });
      assert.equal(b.status, 304, inm);
      assert.equal(b.body.length, 0, inm);
      assert.equal(b.headers.etag, etag, inm);
    }
    const other = await send(url, '/files/genome.fa', { headers: { 'if-none-match': '"nope"' } });
    assert.equal(other.status, 200);
    assert.ok(other.body.equals(bytesOf(genome.path)), 'a non-matching If-None-Match gets the whole file');
    const ims = await send(url, '/files/genome.fa', { headers: { 'if-modified-since': a.headers['last-modified'] } });
    assert.equal(ims.status, 304);
    const older = await send(url, '/files/genome.fa', { headers: { 'if-modified-since': new Date(dayAgo.getTime() - 1000).toUTCString() } });
    assert.equal(older.status, 200);
    const ifMatch = await send(url, '/files/genome.fa', { headers: { 'if-match': '"nope"' } });
    assert.equal(ifMatch.status, 412);
    const etags = new Set<string>();
    for (const name of ['genome.fa', 'genome.fa.fai', 'crlf.fasta', 'crlf.fasta.fai', 'r22.raw'])
      etags.add((await send(url, `/files/${name}`, { method: 'HEAD' })).headers.etag!);
    assert.equal(etags.size, 5, 'every file has its own ETag');
  });

  it('honours If-Range with an ETag or a date; a mismatch gets the whole file (200)', async () => {
    const file = bytesOf(genome.path);
    const head = await send(url, '/files/genome.fa', { method: 'HEAD' });
    const etag = head.headers.etag!;
    const lastModified = head.headers['last-modified']!;
    const range = 'bytes=100-199';
    for (const ifRange of [etag, lastModified]) {
      const a = await send(url, '/files/genome.fa', { headers: { range, 'if-range': ifRange } });
      assert.equal(a.status, 206, ifRange);
      assert.ok(a.body.equals(file.subarray(100, 200)), `If-Range ${ifRange}: wrong slice`);
    }
    for (const ifRange of ['"other"', `W/${etag}`, new Date(dayAgo.getTime() + 1000).toUTCString(), 'not a date']) {
      const a = await send(url, '/files/genome.fa', { headers: { range, 'if-range': ifRange } });
      assert.equal(a.status, 200, ifRange);
      assert.ok(a.body.equals(file), `If-Range ${ifRange}: expected the whole file`);
    }
  });

  it('never encodes the body', async () => {
    const a = await send(url, '/files/genome.fa', { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    assert.equal(a.headers['content-encoding'], undefined);
    assert.ok(a.body.equals(bytesOf(genome.path)), 'body differs from the file');
  });

  it('serves only catalog files, by name: traversal, encoded slashes, absolute paths and unknown files are 404', async () => {
    for (const path of [
      '/files/../data/genome.fa',
      '/files/..%2Fdata%2Fgenome.fa',
      '/files/%2e%2e/elsewhere/secret.txt',
      '/files/%2E%2E%2Felsewhere%2Fsecret.txt',
      '/files/../elsewhere/secret.txt',
      '/files//etc/passwd',
      '/files/%2Fetc%2Fpasswd',
      `/files/${encodeURIComponent(join(root, 'elsewhere', 'secret.txt'))}`,
      `/files${join(root, 'elsewhere', 'secret.txt')}`,
      '/files/./genome.fa',
      '/files/data/genome.fa',
      '/files/notes.txt',
      '/files/genome.fa.tmp',
      '/files/GENOME.FA',
      '/files/',
      '/files/linked.fa',
      '/files/linked.fa.fai',
      '/files/__proto__',
      '/files/constructor',
    ]) {
      const a = await send(url, path);
      assert.equal(a.status, 404, path);
      assert.equal(a.headers['content-type'], 'application/problem+json', path);
      const text = a.body.toString();
      assert.ok(!text.includes('SECRET') && !text.includes('outside1'), `${path} leaked file content`);
      assert.equal((JSON.parse(text) as Problem).status, 404, path);
    }
  });

  it('keeps serving a symlinked FASTA whose target is outside the folder through /chrom only', async () => {
    // Its sequences are in the catalog (as they always were), but its bytes are not under /files.
    const a = await send(url, '/chrom/outside1/range?start=0&end=10');
    assert.equal(a.status, 200);
    assert.equal(a.body.toString(), outside.sequences.get('outside1')!.slice(0, 10));
  });

  it('streams a large body, and a client that hangs up mid-body does not disturb the server', async () => {
    const { port } = new URL(url);
    for (let k = 0; k < 20; k++) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write('GET /files/genome.fa HTTP/1.1\r\nHost: x\r\nRange: bytes=10-\r\n\r\n'));
        let got = 0;
        socket.on('data', (c: Buffer) => {
          got += c.length;
          if (got > 2000) {
            socket.destroy();
            resolve();
          }
        });
        socket.on('error', reject);
      });
    }
    const a = await send(url, '/files/genome.fa');
    assert.equal(a.status, 200);
    assert.ok(a.body.equals(bytesOf(genome.path)), 'after hang-ups: body differs from the file');
  });
});

describe('/files: spans that cross a mapping window are copied, not viewed', () => {
  let root: string;
  let genome: FastaFixture;
  let raw: RawFixture;
  let app: FastifyInstance;
  let url: string;
  const longName = `${'long-name-'.repeat(14)}x.fa`;

  before(async () => {
    root = tempDir('seqserve-files-win-');
    const data = subDir(root, 'data');
    genome = writeFasta(data, longName, { seed: 31, lineWidth: 60, records: [{ name: 'w', length: 400_000 }] });
    raw = writeRaw(data, 'r', { seed: 32, length: 300_001 });
    // 64 KiB windows overlapping by 4 KiB: every 256 KiB chunk of a stream crosses a window end.
    const config = parseConfig({ data, logLevel: 'silent', accessLog: false, streamThreshold: 1024, digests: false });
    const assemblies = openAssemblies(data, { info() {}, warn() {} }, { windows: { windowStride: 65536, windowOverlap: 4096 } });
    app = await buildApp(config, { assemblies });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  after(async () => {
    await app?.close();
    if (root) removeDir(root);
  });

  it('serves whole files and ranges across windows byte for byte (and a 140-character name)', async () => {
    const rng = prng(33);
    for (const [name, path] of [
      [encodeURIComponent(longName), genome.path],
      ['r.raw', raw.path],
    ] as const) {
      const file = bytesOf(path);
      const whole = await send(url, `/files/${name}`);
      assert.equal(whole.status, 200, name);
      assert.ok(whole.body.equals(file), `${name}: whole body differs from the file`);
      for (let k = 0; k < 20; k++) {
        const a = randInt(rng, 0, file.length - 1);
        const b = randInt(rng, a, file.length - 1);
        const r = await send(url, `/files/${name}`, { headers: { range: `bytes=${a}-${b}` } });
        assert.equal(r.status, 206, `${name} ${a}-${b}`);
        assert.ok(r.body.equals(file.subarray(a, b + 1)), `${name} bytes=${a}-${b}: body differs from the file`);
      }
    }
  });
});
