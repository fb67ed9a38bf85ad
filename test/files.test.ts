/**
 * GET/HEAD /files/NAME: the data folder's FASTA files, their .fai and raw files as static files
 * with byte ranges, validators and CORS. Every answer is checked against the bytes read with fs
 * from the file, against samtools, or against the sequences as generated; never against the
 * server's own output.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IndexedFasta } from '@gmod/indexedfasta';
import { RemoteFile } from 'generic-filehandle2';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadCatalog } from '../src/catalog.js';
import { parseConfig } from '../src/config.js';
import { SequenceStore } from '../src/store/sequence-store.js';
import { listeningApp } from './helpers/app.js';
import { prng, randInt, removeDir, subDir, tempDir, writeFasta, writeRaw, type FastaFixture, type RawFixture } from './helpers/fasta-fixtures.js';
import { hasSamtools, samtoolsFai, samtoolsFaidx, type Region } from './helpers/samtools.js';

/**
 * samtools against the server, asynchronously: the server runs in this process, so a
 * synchronous child would block the event loop that must answer it. cwd is a temp folder, where
 * samtools may leave a cached copy of the .fai.
 */
function samtools(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('samtools', args, { cwd, encoding: 'latin1', maxBuffer: 1 << 28, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request with the path sent exactly as written (no URL normalisation of '..'). */
function send(base: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The same oracle for every file: its bytes, read with fs. */
const bytesOf = (path: string) => readFileSync(path);

/** A date one day ago, whole seconds, so that Last-Modified is a strong validator. */
const dayAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 86_400_000);

describe('/files: the data folder as static files', () => {
  let root: string;
  let data: string;
  let genome: FastaFixture;
  let crlf: FastaFixture;
  let raw: RawFixture;
  let outside: FastaFixture;
  let app: FastifyInstance;
  let url: string;

  before(async () => {
    root = tempDir('seqserve-files-');
    data = subDir(root, 'data');
    const elsewhere = subDir(root, 'elsewhere');
    genome = writeFasta(data, 'genome.fa', {
      seed: 11,
      lineWidth: 60,
      lowercase: true,
      nRuns: true,
      records: [
        { name: 'chr1', length: 150_000, description: 'first' },
        { name: 'chr2', length: 61 },
        { name: 'chrM', length: 16_569 },
        { name: 'tiny', length: 1 },
      ],
    });
    crlf = writeFasta(data, 'crlf.fasta', { seed: 12, lineWidth: 50, crlf: true, records: [{ name: 'w1', length: 3_001 }, { name: 'w2', length: 777 }] });
    raw = writeRaw(data, 'r22', { seed: 13, length: 20_000 });
    // A FASTA outside the folder, linked in: its bytes must not be served under /files.
    outside = writeFasta(elsewhere, 'outside.fa', { seed: 14, lineWidth: 60, records: [{ name: 'outside1', length: 500 }] });
    symlinkSync(outside.path, join(data, 'linked.fa'));
    writeFileSync(join(elsewhere, 'secret.txt'), 'SECRET-OUTSIDE');
    writeFileSync(join(data, 'notes.txt'), 'SECRET-NOT-IN-CATALOG');
    // Last-Modified a day ago: strong, so that an If-Range date can match.
    for (const f of [genome.path, crlf.path, raw.path]) utimesSync(f, dayAgo, dayAgo);
    // genome.fa and crlf.fasta get their .fai from the server (written beside them, then read
    // once at startup); a tiny stream threshold makes every body above 1 KiB a stream.
    ({ app, url } = await listeningApp(data, { streamThreshold: 1024 }));
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
      assert.equal(JSON.parse(a.body.toString()).status, 416, range);
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
    const ims = await send(url, '/files/genome.fa', { headers: { 'if-modified-since': a.headers['last-modified']! } });
    assert.equal(ims.status, 304);
    const older = await send(url, '/files/genome.fa', { headers: { 'if-modified-since': new Date(dayAgo.getTime() - 1000).toUTCString() } });
    assert.equal(older.status, 200);
    const ifMatch = await send(url, '/files/genome.fa', { headers: { 'if-match': '"nope"' } });
    assert.equal(ifMatch.status, 412);
    const etags = new Set<string>();
    for (const name of ['genome.fa', 'genome.fa.fai', 'crlf.fasta', 'crlf.fasta.fai', 'r22.raw']) etags.add((await send(url, `/files/${name}`, { method: 'HEAD' })).headers.etag!);
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
      assert.equal(JSON.parse(text).status, 404, path);
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

  it('lets samtools faidx read regions over HTTP, identical to samtools faidx on the local file', { skip: !hasSamtools() && 'samtools not installed' }, async () => {
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
  });

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
    assert.ok(allowHeaders.includes('range'), `Range allowed: ${allowHeaders}`);
    assert.ok((pre.headers['access-control-allow-methods'] ?? '').includes('GET'), 'GET allowed');

    const simple = await send(url, '/files/genome.fa', { headers: { origin: 'https://igv.example', range: 'bytes=0-9' } });
    assert.equal(simple.status, 206);
    assert.equal(simple.headers['access-control-allow-origin'], '*');
    const exposed = (simple.headers['access-control-expose-headers'] ?? '').toLowerCase().split(/\s*,\s*/);
    for (const h of ['content-range', 'content-length', 'accept-ranges', 'etag']) assert.ok(exposed.includes(h), `${h} exposed: ${exposed}`);
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
    genome = writeFasta(data, 'ro.fa', { seed: 21, lineWidth: 70, records: [{ name: 'a', length: 10_000 }, { name: 'b', length: 333 }] });
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
    const config = parseConfig({ data, logLevel: 'silent', accessLog: false, streamThreshold: 1024 });
    const store = SequenceStore.open(loadCatalog(data, { info() {}, warn() {} }), { windowStride: 65536, windowOverlap: 4096 });
    app = await buildApp(config, { store });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  after(async () => {
    await app?.close();
    if (root) removeDir(root);
  });

  it('serves whole files and ranges across windows byte for byte (and a 140-character name)', async () => {
    const rng = prng(33);
    for (const [name, path] of [[encodeURIComponent(longName), genome.path], ['r.raw', raw.path]] as const) {
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
