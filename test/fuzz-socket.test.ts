/**
 * Hostile requests written byte for byte on a real socket, where inject would refuse or tidy
 * them: /files traversal sent exactly as written; bad percent-encoding, spaces, control bytes,
 * over-long paths and headers; and the fast path (which answers before Fastify parses the URL)
 * agreeing with the routes on fuzzed base and range URLs. The same properties as
 * test/fuzz.test.ts: the server keeps answering, errors are problem+json, nothing leaks.
 *
 * Seeded and reproducible: FUZZ_SEED, FUZZ_RUNS and FUZZ_PATH as in helpers/fuzz-settings.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { listeningApp } from './helpers/app.js';
import { enc, filesPath, nameText, numberText } from './helpers/fuzz-arbitraries.js';
import { checkAnswer, checkFilesBody, makeHostileFolder, outsideMarker, secret, type HostileFolder } from './helpers/fuzz-fixture.js';
import { rawRequest } from './helpers/fuzz-raw.js';
import { runs, seed, settings } from './helpers/fuzz-settings.js';

describe('fuzz over a socket: requests as written never crash, leak or disagree', () => {
  let folder: HostileFolder;
  let app: FastifyInstance;
  let url: string;

  before(async () => {
    folder = makeHostileFolder();
    ({ app, url } = await listeningApp(folder.data, { streamThreshold: 1024 }));
    folder.scanAllowed();
  });
  after(async () => {
    await app?.close();
    folder?.remove();
  });

  it('/files over the socket: traversal sent exactly as written', async () => {
    const targets = fc.sample(filesPath(folder.data), { seed, numRuns: runs });
    for (const target of targets) {
      const answer = await rawRequest(url, target);
      const label = `GET ${target} (socket)`;
      assert.ok(answer.statusCode > 0, `${label}: no answer`);
      checkAnswer(folder, label, target, answer);
      checkFilesBody(folder, label, answer);
      assert.ok(!answer.raw.includes(secret), `${label}: the secret`);
      assert.ok(!answer.raw.includes(outsideMarker), `${label}: the outside FASTA`);
    }
    assert.equal((await rawRequest(url, '/healthz')).statusCode, 200, '/healthz after the /files socket requests');
  });

  it('raw URLs: bad percent-encoding, spaces, control bytes, over-long paths and headers', async () => {
    const paths = [
      '/chrom/%',
      '/chrom/%zz/base/1',
      '/chrom/chr1/base/%',
      '/chrom/chr1/base/%31',
      '/chrom/chr1/range?start=%&end=%zz',
      '/region/%E0%A4%A',
      '/region/%C0%AE',
      '/files/%',
      '/files/%ZZgenome.fa',
      '/files/%00',
      '/sequence/%',
      '/assemblies/%',
      '/batch?width=%',
      '/random?length=%ff%fe',
      '/chrom/chr1/base/1%00',
      '/chrom/chr%001/base/1',
      '/files/genome.fa%00',
      '/chrom/chr1/range?start=1&&end=2',
      '/chrom/chr1/range?&start=1&end=2&',
      '/chrom/chr1/range?start=1&start=2&end=3',
      '/chrom/chr1/range?start=+1&end=2',
      '/chrom/chr1/range?start=%2B1&end=2',
      '/chrom/chr1/base/+1',
      '/chrom/chr1/base/1e3',
      '/chrom/chr1/base/-0',
      '/chrom/chr1/base/%D9%A1',
      '/chrom/chr1/base/00000000000000000000001',
      '/chrom/chr1/range?start=0&end=99999999999999999',
      '/chrom/chr1/range?start=0&end=1e309',
      '/chrom/chr1/base/1?',
      '/chrom/chr1/base/1#x',
      '//chrom/chr1/base/1',
      '/chrom//chr1/base/1',
      '/chrom/chr1/base//1',
      '/chrom/chr1/base/1/',
      '/./chrom/chr1/base/1',
      '/chrom/./chr1/base/1',
      '/chrom/x/../chr1/base/1',
      '/CHROM/chr1/base/1',
      '*',
      'http://evil.example/chrom/chr1/base/1',
      `/chrom/${'a'.repeat(101)}/base/1`,
      `/chrom/chr1/base/${'1'.repeat(200)}`,
      `/chrom/chr1/range?start=0&end=1&${'x=1&'.repeat(2000)}`,
      `/files/${'../'.repeat(300)}etc/passwd`,
      `/region/${'%41'.repeat(3000)}`,
      `/chrom/chr1/base/1?${'a'.repeat(14_000)}`,
      `/chrom/chr1/base/1?${'a'.repeat(70_000)}`,
    ];
    for (const path of paths) {
      for (const method of ['GET', 'HEAD', 'POST']) {
        const answer = await rawRequest(url, path, { method });
        const label = `${method} ${path.slice(0, 120)} (socket)`;
        assert.ok(answer.statusCode > 0, `${label}: no answer`);
        checkAnswer(folder, label, path, answer);
      }
    }
    for (const headers of [
      [`X-Big: ${'a'.repeat(20_000)}`],
      [`Range: bytes=${'0-1,'.repeat(5000)}0-1`],
      Array.from({ length: 3000 }, (_, i) => `X-H${i}: 1`),
      ['Content-Length: -1'],
      ['Content-Length: 1e3'],
      ['Transfer-Encoding: chunked', 'Content-Length: 5'],
      ['Host: a', 'Host: b'],
      ['Range: bytes=0-1', 'Range: bytes=2-3'],
      ['X-Request-Id: ../../etc/passwd'],
      ['Accept: \x01\x02'],
    ]) {
      for (const path of ['/chrom/chr1/base/1', '/chrom/chr1/range?start=0&end=10', '/files/genome.fa', '/region/chr1:1-5']) {
        const answer = await rawRequest(url, path, { headers });
        const label = `GET ${path} with ${headers[0]!.slice(0, 60)} ×${headers.length} (socket)`;
        assert.ok(answer.statusCode > 0, `${label}: no answer`);
        checkAnswer(folder, label, `${path}\n${headers.join('\n')}`, answer);
      }
    }
    assert.equal((await rawRequest(url, '/healthz')).statusCode, 200, '/healthz after the raw requests');
  });

  it(`fast path and routes agree on fuzzed base and range URLs (seed ${seed})`, async () => {
    const target = fc.oneof(
      fc.tuple(nameText(folder.names), numberText).map(([n, o]) => `/chrom/${enc(n)}/base/${enc(o)}`),
      fc.tuple(nameText(folder.names), numberText, numberText).map(([n, s, e]) => `/chrom/${enc(n)}/range?start=${enc(s)}&end=${enc(e)}`),
      fc.tuple(fc.constantFrom('chr1', 'r'), fc.nat(3100), fc.nat(3100)).map(([n, s, e]) => `/chrom/${n}/range?end=${e}&start=${s}`),
    );
    await fc.assert(
      // inject resolves '.' and '..' segments as a browser would; the socket sends them as written.
      fc.asyncProperty(
        target.filter((p) => !/\/\.\.?(?:\/|\?|$)/.test(p)),
        async (path) => {
          const socket = await rawRequest(url, path);
          const injected = await app.inject({ method: 'GET', url: path });
          assert.equal(socket.statusCode, injected.statusCode, `${path}: status socket ${socket.statusCode} vs inject ${injected.statusCode}`);
          assert.ok(
            socket.rawPayload.equals(injected.rawPayload),
            `${path}: bodies differ: ${socket.rawPayload.toString().slice(0, 100)} vs ${injected.body.slice(0, 100)}`,
          );
          checkAnswer(folder, `${path} (socket)`, path, socket);
        },
      ),
      settings(),
    );
  });
});
