/**
 * The fast path for single bases and small ranges (src/http/fast-path.ts) must be invisible: over a real socket, every
 * request answers exactly as Fastify's own route answers it (app.inject never takes the fast
 * path), and the access log shows which path answered. Oracle for the bytes: the generated
 * sequences.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../src/server/app.js';
import { securityHeaders } from '../src/http/headers.js';
import { parseConfig } from '../src/data/config.js';
import { prng, randInt, removeDir, subDir, tempDir, writeFasta, writeRaw } from './helpers/fasta-fixtures.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(origin: string, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The headers that say what the answer is (not when or over which connection). */
const compared = [
  'content-type',
  'content-length',
  'accept-ranges',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'content-range',
  'etag',
  'last-modified',
  'cache-control',
  'vary',
  'content-encoding',
  ...securityHeaders.map(([name]) => name),
];
const pick = (h: Record<string, unknown>) => Object.fromEntries(compared.filter((k) => h[k] !== undefined).map((k) => [k, String(h[k])]));

describe('fast path: single bases and small ranges', () => {
  let root: string;
  let app: FastifyInstance;
  let origin: string;
  const lines: { reqId: string; url: string; status: number; sequence?: string; offset?: number; start?: number; end?: number; strand?: string }[] = [];
  const sequences = new Map<string, string>();

  before(async () => {
    root = tempDir('seqserve-fast-');
    const data = subDir(root, 'data');
    writeFasta(data, 'g.fa', {
      seed: 1,
      lineWidth: 61,
      crlf: true,
      lowercase: true,
      nRuns: true,
      alphabet: 'iupac',
      records: [
        { name: 'chr1', length: 5000 },
        { name: 'x.y', length: 700 },
      ],
    }).sequences.forEach((s, n) => sequences.set(n, s));
    writeFileSync(join(data, 'latin.raw'), Buffer.from([0x41, 0x43, 0xe9, 0x47, 0x54]));
    const raw = writeRaw(data, 'r', { seed: 2, length: 999 });
    sequences.set(raw.name, raw.sequence);
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          const entry = JSON.parse(line) as { msg?: string } & (typeof lines)[number];
          if (entry.msg === 'request') lines.push(entry);
        }
        done();
      },
    });
    const config = parseConfig({ data, logLevel: 'info', accessLog: true, digests: false });
    app = await buildApp(config, { logger: pino({ level: 'info' }, sink) });
    origin = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app?.close();
    removeDir(root);
  });

  /** Asks over the socket and through inject; both must agree. Returns the socket's answer. */
  async function both(path: string, method: 'GET' | 'HEAD' = 'GET'): Promise<Answer> {
    const socket = await send(origin, path, method);
    const injected = await app.inject({ method, url: path });
    assert.equal(socket.status, injected.statusCode, `${method} ${path}: status`);
    assert.deepEqual(pick(socket.headers), pick(injected.headers), `${method} ${path}: headers`);
    for (const [name, value] of securityHeaders) assert.equal(socket.headers[name], value, `${method} ${path}: ${name}`);
    // Request ids differ per request: not compared, but both paths send one.
    for (const [via, h] of [
      ['socket', socket.headers],
      ['inject', injected.headers],
    ] as const) {
      assert.match(String(h['x-request-id']), /^[A-Za-z0-9._-]{1,128}$/, `${method} ${path}: ${via} answer has an X-Request-Id`);
    }
    assert.ok(socket.body.equals(injected.rawPayload), `${method} ${path}: body ${socket.body.toString().slice(0, 100)} vs ${injected.body.slice(0, 100)}`);
    return socket;
  }

  it('answers plain lookups itself, with the bytes, headers and log line of the Fastify route', async () => {
    const rng = prng(3);
    for (const [name, seq] of sequences) {
      for (const offset of [0, 1, seq.length - 1, ...Array.from({ length: 30 }, () => randInt(rng, 0, seq.length - 1))]) {
        lines.length = 0;
        const r = await both(`/chrom/${name}/base/${offset}`);
        assert.equal(r.body.toString('latin1'), seq[offset], `${name}:${offset}`);
        const fast = lines.find((l) => l.url === `/chrom/${name}/base/${offset}` && l.reqId.startsWith('fp-'));
        assert.ok(fast, `${name}:${offset} answered by the fast path: ${JSON.stringify(lines)}`);
        assert.deepEqual([fast.status, fast.sequence, fast.offset], [200, name, offset], 'access log fields');
      }
    }
    lines.length = 0;
    assert.equal((await both('/chrom/1/base/3')).body.toString(), sequences.get('chr1')![3], 'an alias');
    assert.ok(
      lines.some((l) => l.reqId.startsWith('fp-')),
      'aliases take the fast path too',
    );
    assert.equal((await both('/chrom/chr1/base/007')).body.toString(), sequences.get('chr1')![7], 'leading zeros, as the route reads them');
  });

  it('answers plain small ranges itself, alike, with the same log fields as the route', async () => {
    const rng = prng(4);
    for (const [name, seq] of sequences) {
      for (let k = 0; k < 40; k++) {
        const start = randInt(rng, 0, seq.length);
        const end = Math.min(seq.length, start + randInt(rng, 0, k % 2 ? 100 : 2000));
        for (const path of [`/chrom/${name}/range?start=${start}&end=${end}`, `/chrom/${name}/range?end=${end}&start=${start}`]) {
          lines.length = 0;
          const r = await both(path);
          assert.equal(r.body.toString('latin1'), seq.slice(start, end), `${path}: bytes`);
          const fast = lines.find((l) => l.url === path && l.reqId.startsWith('fp-'));
          assert.ok(fast, `${path} answered by the fast path: ${JSON.stringify(lines)}`);
          const routed = lines.find((l) => l.url === path && !l.reqId.startsWith('fp-'));
          assert.deepEqual(
            [fast.sequence, fast.start, fast.end, fast.strand],
            [routed?.sequence, routed?.start, routed?.end, routed?.strand],
            `${path}: log fields as the route's`,
          );
        }
      }
    }
  });

  it('leaves everything else to Fastify, which answers as before', async () => {
    const n = sequences.get('chr1')!.length;
    const cases = [
      '/chrom/chr1/base/5?x=1',
      '/chrom/chr%31/base/5',
      '/chrom/nope/base/5',
      `/chrom/chr1/base/${n}`,
      '/chrom/chr1/base/',
      '/chrom/chr1/base/-1',
      '/chrom/chr1/base/1e3',
      '/chrom/chr1/base/99999999999999999999',
      '/chrom//base/1',
      '/chrom/chr1/base/5/',
      '/chrom/chr1/range?start=5',
      '/chrom/chr1/range?end=5',
      '/chrom/chr1/range',
      '/chrom/chr1/range?start=5&end=10&strand=-',
      '/chrom/chr1/range?start=5&end=10&case=upper',
      '/chrom/chr1/range?start=5&end=10&',
      '/chrom/chr1/range?start=5&start=10',
      '/chrom/chr1/range?start=10&end=5',
      `/chrom/chr1/range?start=0&end=${n + 1}`,
      `/chrom/chr1/range?start=0&end=${16 * 1024 + 1}`,
      '/chrom/chr1/range?start=0x1&end=5',
      '/chrom/chr1/range?start=%31&end=5',
      '/chrom/nope/range?start=1&end=5',
      '/chrom/chr1/x/range?start=1&end=5',
      '/chrom/latin/base/2',
      '/chrom/latin/range?start=0&end=5',
    ];
    for (const path of cases) {
      lines.length = 0;
      await both(path);
      assert.ok(!lines.some((l) => l.reqId.startsWith('fp-')), `${path}: not the fast path (${JSON.stringify(lines)})`);
    }
    const head = await both('/chrom/chr1/base/5', 'HEAD');
    assert.equal(head.body.length, 0, 'HEAD has no body');
    lines.length = 0;
    const ranged = await send(origin, '/chrom/chr1/range?start=0&end=100', 'GET', { range: 'bytes=10-19' });
    assert.equal(ranged.status, 206, 'a Range header goes to the route (206)');
    assert.ok(!lines.some((l) => l.reqId.startsWith('fp-')), 'not the fast path with a Range header');
  });

  it('echoes a sane client X-Request-Id on both paths (and in the log line), and replaces an insane one', async () => {
    for (const path of ['/chrom/chr1/base/5', '/chrom/chr1/range?start=0&end=10']) {
      lines.length = 0;
      const fast = await send(origin, path, 'GET', { 'x-request-id': 'client-id.1_A' });
      const routed = await send(origin, `${path}${path.includes('?') ? '&' : '?'}x=1`, 'GET', { 'x-request-id': 'client-id.2_B' });
      assert.equal(fast.headers['x-request-id'], 'client-id.1_A', `${path}: fast path echoes the id`);
      assert.ok(routed.status === 200 || routed.status === 400, `${path}: routed status ${routed.status}`);
      assert.equal(routed.headers['x-request-id'], 'client-id.2_B', `${path}: the route echoes the id`);
      assert.deepEqual(lines.map((l) => l.reqId).sort(), ['client-id.1_A', 'client-id.2_B'], `${path}: the log lines carry the ids`);
      const injected = await app.inject({ method: 'GET', url: path, headers: { 'x-request-id': 'client-id.3' } });
      assert.equal(injected.headers['x-request-id'], 'client-id.3', `${path}: inject echoes the id`);
      for (const bad of ['has space', 'x'.repeat(129), 'semi;colon']) {
        const a = await send(origin, path, 'GET', { 'x-request-id': bad });
        const b = await app.inject({ method: 'GET', url: path, headers: { 'x-request-id': bad } });
        for (const [via, id] of [
          ['socket', a.headers['x-request-id']],
          ['inject', b.headers['x-request-id']],
        ] as const) {
          assert.ok(
            typeof id === 'string' && id !== bad && /^[A-Za-z0-9._-]{1,128}$/.test(id),
            `${path}: ${via} replaces ${JSON.stringify(bad)} (got ${String(id)})`,
          );
        }
      }
    }
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add(String((await send(origin, '/chrom/chr1/base/5')).headers['x-request-id']));
    assert.equal(ids.size, 20, 'generated ids are unique');
  });

  it('sends the validators and Cache-Control of the routes; conditional requests go to the route (304)', async () => {
    for (const path of ['/chrom/chr1/base/5', '/chrom/chr1/range?start=0&end=100', '/chrom/r/range?start=10&end=900']) {
      lines.length = 0;
      const r = await both(path);
      assert.ok(
        lines.some((l) => l.reqId.startsWith('fp-')),
        `${path}: the fast path answered`,
      );
      assert.match(String(r.headers.etag), /^"[!#-~]+"$/, `${path}: a strong ETag`);
      assert.equal(r.headers['cache-control'], 'public, max-age=600', path);
      assert.ok(r.headers['last-modified'], path);
      for (const conditional of [{ 'if-none-match': String(r.headers.etag) }, { 'if-modified-since': String(r.headers['last-modified']) }] as Record<
        string,
        string
      >[]) {
        lines.length = 0;
        const again = await send(origin, path, 'GET', conditional);
        assert.equal(again.status, 304, `${path} ${JSON.stringify(conditional)}`);
        assert.equal(again.body.length, 0);
        assert.equal(again.headers.etag, r.headers.etag);
        assert.ok(!lines.some((l) => l.reqId.startsWith('fp-')), `${path}: a conditional request is the route's`);
      }
    }
    assert.notEqual((await send(origin, '/chrom/chr1/base/5')).headers.etag, (await send(origin, '/chrom/chr1/base/6')).headers.etag);
  });

  it('keeps the connection headers Fastify would send', async () => {
    const fast = await send(origin, '/chrom/chr1/base/5');
    const routed = await send(origin, '/chrom/chr1/base/5?via=fastify');
    for (const h of ['connection', 'keep-alive']) assert.equal(fast.headers[h], routed.headers[h], h);
  });
});

describe('fast path with a compression threshold below its largest answer', () => {
  let root: string;
  let app: FastifyInstance;
  let origin: string;
  let sequence: string;
  const fast: string[] = [];
  before(async () => {
    root = tempDir('seqserve-fast-z-');
    const data = subDir(root, 'data');
    sequence = writeRaw(data, 'r', { seed: 9, length: 5000 }).sequence;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) if ((JSON.parse(line) as { reqId?: string }).reqId?.startsWith('fp-')) fast.push(line);
        done();
      },
    });
    app = await buildApp(parseConfig({ data, logLevel: 'info', accessLog: true, digests: false, compressionThreshold: 100 }), {
      logger: pino({ level: 'info' }, sink),
    });
    origin = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app?.close();
    removeDir(root);
  });

  it('falls through when it would compress, and varies by Accept-Encoding as the route does', async () => {
    const path = '/chrom/r/range?start=0&end=1000';
    fast.length = 0;
    const plain = await send(origin, path);
    assert.equal(fast.length, 1, 'no Accept-Encoding: the fast path answers');
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    assert.equal(plain.body.toString('latin1'), sequence.slice(0, 1000));
    const injected = await app.inject({ url: path });
    assert.deepEqual(pick(plain.headers), pick(injected.headers));
    fast.length = 0;
    const gz = await send(origin, path, 'GET', { 'accept-encoding': 'gzip' });
    assert.equal(fast.length, 0, 'Accept-Encoding: the route answers');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString('latin1'), sequence.slice(0, 1000));
    fast.length = 0;
    const small = await send(origin, '/chrom/r/range?start=0&end=100', 'GET', { 'accept-encoding': 'gzip' });
    assert.equal(fast.length, 1, 'at the threshold: never compressed, the fast path answers');
    assert.equal(small.headers.vary, undefined);
    assert.equal(small.body.toString('latin1'), sequence.slice(0, 100));
  });
});
