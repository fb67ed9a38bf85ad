/**
 * Content-Encoding when the client asks (src/http/compression.ts): every codec this Node has decodes
 * (with node:zlib's own decompressors) to the naive FASTA reader's bases, above the threshold
 * only, both strands, streamed for multi-MB answers; each encoding its own ETag, Vary and 304;
 * /files, 206 and --no-compression never encoded; HEAD without a body or length; a client that
 * hangs up mid-stream stops the compressor and the reads.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { negotiateEncoding } from '../src/http/compression.js';
import { testApp } from './helpers/app.js';
import { removeDir, subDir, tempDir, writeFasta } from './helpers/fasta-fixtures.js';
import { readFasta, readRaw, reverseComplement } from './helpers/naive-fasta.js';
import { get } from './helpers/nginx.js';

type Codec = 'gzip' | 'br' | 'zstd';
const z = zlib as unknown as Record<string, ((b: Buffer) => Buffer) | undefined>;
const decoders: Partial<Record<Codec, (b: Buffer) => Buffer>> = { gzip: zlib.gunzipSync, br: zlib.brotliDecompressSync };
if (typeof z.zstdDecompressSync === 'function') decoders.zstd = z.zstdDecompressSync;
const codecs = Object.keys(decoders) as Codec[];

describe('negotiating Accept-Encoding', () => {
  const all = ['zstd', 'br', 'gzip'] as const;
  it('follows q-values, * and identity', () => {
    const cases: [string | undefined, string | undefined][] = [
      [undefined, undefined],
      ['', undefined],
      ['gzip', 'gzip'],
      ['GZIP', 'gzip'],
      ['x-gzip', 'gzip'],
      ['gzip, deflate, br', 'br'],
      ['gzip, deflate', 'gzip'],
      ['br', 'br'],
      ['gzip;q=0.5, br;q=0.9', 'br'],
      ['gzip;q=0', undefined],
      ['gzip;q=0, *', 'zstd'],
      ['*', 'zstd'],
      ['*;q=0', undefined],
      ['identity;q=0', undefined],
      ['identity;q=0, gzip;q=0.1', 'gzip'],
      ['gzip;q=0.5, identity', undefined],
      ['gzip;q=1, identity;q=1', 'gzip'],
      ['deflate', undefined],
      ['gzip;q=2', undefined],
      ['gzip;q=abc', undefined],
      ['zstd;q=0.2, gzip;q=0.3', 'gzip'],
    ];
    for (const [header, expected] of cases) assert.equal(negotiateEncoding(header, all), expected, String(header));
    assert.equal(negotiateEncoding('zstd', ['gzip', 'br']), undefined, 'a codec this Node lacks is never chosen');
    assert.equal(negotiateEncoding(['gzip;q=0', 'br'], all), 'br', 'repeated headers are one list');
  });
});

describe('compressed answers', () => {
  let root: string;
  let app: FastifyInstance;
  let url: string;
  let seqs: Map<string, string>;
  let bigRaw: string;
  let bigPath: string;
  const sent: Readable[] = [];

  before(async () => {
    root = tempDir('seqserve-compress-');
    const data = subDir(root, 'data');
    seqs = readFasta(
      writeFasta(data, 'a.fa', {
        seed: 11,
        lineWidth: 60,
        lowercase: true,
        nRuns: true,
        alphabet: 'iupac',
        records: [
          { name: 'c1', length: 3_000_000 },
          { name: 'c2', length: 30_000 },
        ],
      }).path,
    );
    // 48 MB of random bases: enough that a stalled client cannot take it all into socket buffers.
    const letters = Buffer.from('ACGT');
    const bytes = randomBytes(48 * 1024 * 1024).map((b) => letters[b & 3]!);
    bigPath = join(data, 'big.raw');
    writeFileSync(bigPath, bytes);
    bigRaw = readRaw(bigPath);
    app = await testApp(data, { digests: true });
    // The encoded body Fastify sends (the compressor itself), to see what it consumed (last test).
    app.addHook('onSend', async (_request, _reply, payload) => {
      if (payload && typeof (payload as Readable).pipe === 'function') sent.push(payload as Readable);
      return payload;
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    await app.digests.done;
  });
  after(async () => {
    await app?.close();
    removeDir(root);
  });

  it('decodes to the bases for every codec, above the threshold, both strands; identity below it', async () => {
    const c1 = seqs.get('c1')!;
    for (const codec of codecs) {
      for (const [path, expected, encoded] of [
        ['/chrom/c1/range?start=1000&end=21000', c1.slice(1000, 21_000), true],
        ['/chrom/c1/range?start=1000&end=21000&strand=-', reverseComplement(c1.slice(1000, 21_000)), true],
        ['/region/c1:1001-21000?case=upper', c1.slice(1000, 21_000).toUpperCase(), true],
        ['/chrom/c1/range?start=5&end=16389', c1.slice(5, 16_389), false],
        ['/chrom/c1/range?start=5&end=16390', c1.slice(5, 16_390), true],
        ['/chrom/c2/range?start=100&end=200', seqs.get('c2')!.slice(100, 200), false],
      ] as const) {
        const r = await get(`${url}${path}`, { 'accept-encoding': codec });
        assert.equal(r.status, 200, path);
        if (encoded) {
          assert.equal(r.headers['content-encoding'], codec, `${path} ${codec}`);
          assert.equal(r.headers['content-length'], undefined, 'streamed: no Content-Length');
          assert.equal(r.headers.vary, 'Accept-Encoding');
          assert.match(String(r.headers.etag), new RegExp(`-${codec}"$`));
          assert.ok(r.body.length < expected.length, `${path}: ${r.body.length} bytes for ${expected.length}`);
          assert.equal(decoders[codec]!(r.body).toString('latin1'), expected, `${path} ${codec}: decoded bytes`);
        } else {
          assert.equal(r.headers['content-encoding'], undefined, `${path}: at or below the threshold, identity`);
          assert.equal(r.body.toString('latin1'), expected);
        }
      }
    }
  });

  it('streams a multi-MB answer compressed, every byte', async () => {
    const r = await get(`${url}/chrom/big/range?start=1&end=${8 * 1024 * 1024}`, { 'accept-encoding': 'gzip' });
    assert.equal(r.headers['content-encoding'], 'gzip');
    const decoded = zlib.gunzipSync(r.body);
    assert.equal(decoded.length, 8 * 1024 * 1024 - 1);
    assert.equal(
      createHash('sha256').update(decoded).digest('hex'),
      createHash('sha256')
        .update(bigRaw.slice(1, 8 * 1024 * 1024), 'latin1')
        .digest('hex'),
    );
    const whole = await get(`${url}/chrom/c1/range`, { 'accept-encoding': 'br' });
    assert.equal(zlib.brotliDecompressSync(whole.body).toString('latin1'), seqs.get('c1'));
  });

  it('gives each encoding its own ETag and 304', async () => {
    const path = `${url}/chrom/c1/range?start=0&end=100000`;
    const identity = await get(path);
    assert.equal(identity.headers.vary, 'Accept-Encoding', 'identity varies too');
    assert.equal(identity.headers['content-length'], '100000');
    const tags = new Set([String(identity.headers.etag)]);
    for (const codec of codecs) {
      const r = await get(path, { 'accept-encoding': codec });
      tags.add(String(r.headers.etag));
      const again = await get(path, { 'accept-encoding': codec, 'if-none-match': String(r.headers.etag) });
      assert.equal(again.status, 304, codec);
      assert.equal(again.body.length, 0);
      assert.equal(again.headers.etag, r.headers.etag);
      assert.equal(again.headers.vary, 'Accept-Encoding');
      const other = await get(path, { 'accept-encoding': codec, 'if-none-match': String(identity.headers.etag) });
      assert.equal(other.status, 200, `${codec}: the identity ETag does not name the ${codec} representation`);
    }
    assert.equal(tags.size, codecs.length + 1);
  });

  it('HEAD has the headers of GET and no body or length', async () => {
    const path = `${url}/chrom/c1/range?start=0&end=100000`;
    const getR = await get(path, { 'accept-encoding': 'gzip' });
    const head = await get(path, { 'accept-encoding': 'gzip' }, 'HEAD');
    assert.equal(head.body.length, 0);
    for (const h of ['content-encoding', 'etag', 'vary', 'cache-control', 'content-type']) assert.equal(head.headers[h], getR.headers[h], h);
    assert.equal(head.headers['content-length'], undefined);
  });

  it('never encodes /files or a 206', async () => {
    const file = await get(`${url}/files/a.fa`, { 'accept-encoding': 'gzip, br' });
    assert.equal(file.headers['content-encoding'], undefined);
    assert.equal(Number(file.headers['content-length']), file.body.length);
    const partial = await get(`${url}/chrom/c1/range?start=0&end=100000`, { 'accept-encoding': 'gzip', range: 'bytes=10-50009' });
    assert.equal(partial.status, 206);
    assert.equal(partial.headers['content-encoding'], undefined);
    assert.equal(partial.body.toString('latin1'), seqs.get('c1')!.slice(10, 50_010));
    const md5 = createHash('md5').update(seqs.get('c2')!.toUpperCase()).digest('hex');
    const refgetPartial = await get(`${url}/sequence/${md5}`, { 'accept-encoding': 'gzip', range: 'bytes=0-19999' });
    assert.equal(refgetPartial.status, 206);
    assert.equal(refgetPartial.headers['content-encoding'], undefined);
  });

  it('compresses refget, batch and random answers', async () => {
    const c2 = seqs.get('c2')!.toUpperCase();
    const md5 = createHash('md5').update(c2).digest('hex');
    const r = await get(`${url}/sequence/${md5}`, { 'accept-encoding': 'gzip' });
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.equal(r.headers.vary, 'Accept, Accept-Encoding');
    assert.equal(zlib.gunzipSync(r.body).toString('latin1'), c2);
    const batch = await app.inject({
      method: 'POST',
      url: '/batch?format=fasta&width=0',
      headers: { 'content-type': 'text/plain', 'accept-encoding': 'gzip' },
      payload: 'c1:1-20000\nc2:1-30000\n',
    });
    assert.equal(batch.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(batch.rawPayload).toString('latin1'), `>c1:1-20000\n${seqs.get('c1')!.slice(0, 20_000)}\n>c2:1-30000\n${seqs.get('c2')}\n`);
    const random = await app.inject({ url: '/random?length=1000&count=50&seed=3&format=json', headers: { 'accept-encoding': 'gzip' } });
    const plain = await app.inject({ url: '/random?length=1000&count=50&seed=3&format=json' });
    assert.equal(random.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(random.rawPayload).toString(), plain.body);
    for (const s of (JSON.parse(plain.body) as { sequences: { name: string; start: number; end: number; sequence: string }[] }).sequences) {
      const source = s.name === 'big' ? bigRaw : seqs.get(s.name)!;
      assert.equal(s.sequence, source.slice(s.start, s.end));
    }
  });

  it('stops compressing and reading when the client hangs up mid-stream', async () => {
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.write('GET /chrom/big/range HTTP/1.1\r\nHost: test\r\nAccept-Encoding: gzip\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause();
    await new Promise((r) => setTimeout(r, 300));
    socket.destroy();
    const compressor = sent.at(-1) as Readable & { bytesWritten: number };
    for (let i = 0; i < 100 && !compressor.destroyed; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(compressor.destroyed, 'the compressor was destroyed');
    const consumed = compressor.bytesWritten;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(compressor.bytesWritten, consumed, 'and takes no more input');
    assert.ok(consumed < bigRaw.length / 2, `compressed ${consumed} of ${bigRaw.length} bytes for a client that stopped reading`);
    const still = await get(`${url}/chrom/big/range?start=0&end=100`);
    assert.equal(still.body.toString('latin1'), bigRaw.slice(0, 100), 'and keeps serving');
  });
});

describe('compression settings', () => {
  it('--no-compression sends identity without Vary; a lower threshold compresses JSON too', async () => {
    const root = tempDir('seqserve-compress-off-');
    const data = subDir(root, 'data');
    const seq = readFasta(
      writeFasta(data, 'a.fa', { seed: 12, lineWidth: 60, records: Array.from({ length: 40 }, (_, i) => ({ name: `contig_${i}`, length: 30_000 })) }).path,
    );
    const off = await testApp(data, { compression: false });
    const low = await testApp(data, { compressionThreshold: 100 });
    try {
      const r = await off.inject({ url: '/chrom/contig_1/range', headers: { 'accept-encoding': 'gzip, br' } });
      assert.equal(r.headers['content-encoding'], undefined);
      assert.equal(r.headers.vary, undefined);
      assert.equal(r.body, seq.get('contig_1'));
      const list = await low.inject({ url: '/chrom', headers: { 'accept-encoding': 'gzip' } });
      assert.equal(list.headers['content-encoding'], 'gzip');
      assert.equal(list.headers.vary, 'Accept-Encoding');
      const decoded = JSON.parse(zlib.gunzipSync(list.rawPayload).toString()) as { name: string; length: number }[];
      assert.deepEqual(
        decoded.map((s) => s.name),
        [...seq.keys()],
      );
      const again = await low.inject({ url: '/chrom', headers: { 'accept-encoding': 'gzip', 'if-none-match': String(list.headers.etag) } });
      assert.equal(again.statusCode, 304);
      const plain = await low.inject({ url: '/chrom' });
      assert.notEqual(plain.headers.etag, list.headers.etag);
      assert.equal(plain.headers.vary, 'Accept-Encoding');
      const tiny = await low.inject({ url: '/chrom/contig_1/base/5', headers: { 'accept-encoding': 'gzip' } });
      assert.equal(tiny.headers['content-encoding'], undefined, 'a base is never encoded');
    } finally {
      await off.close();
      await low.close();
      removeDir(root);
    }
  });
});
