/**
 * Hostile input, fuzzed with fast-check: every route's parameters, query strings, headers and
 * bodies. Properties: the server keeps answering (/healthz after every request); every error is
 * problem+json with a 4xx status (or refget's intended 501); no answer shows a file-system path,
 * a stack or the secret beside the data folder; /files never serves a byte from outside the
 * data folder; a 2xx only for inputs that are what the API documents (plain decimal digits).
 *
 * Seeded and reproducible: FUZZ_SEED=n picks the seed (printed on failure, with the path to the
 * failing case: FUZZ_PATH=...), FUZZ_RUNS=n the runs per property.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { listeningApp } from './helpers/app.js';
import { batchBody, enc, filesPath, headerSafe, hostileHeaders, nameText, numberText, queryText, regionText } from './helpers/fuzz-arbitraries.js';
import { checkAnswer, checkFilesBody, makeHostileFolder, outsideMarker, secret, type Answered, type HostileFolder } from './helpers/fuzz-fixture.js';
import { rawRequest } from './helpers/fuzz-raw.js';

const seed = Number(process.env.FUZZ_SEED ?? 20_261_125);
const runs = Number(process.env.FUZZ_RUNS ?? 300);
const path = process.env.FUZZ_PATH;
const settings = (numRuns = runs): fc.Parameters<unknown> => ({ seed, numRuns, includeErrorInReport: true, ...(path ? { path } : {}) });

const plainDigits = /^\d+$/;

describe('fuzz: hostile input never crashes, leaks or answers outside the API', () => {
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

  async function ask(method: 'GET' | 'HEAD' | 'POST', target: string, headers: Record<string, string> = {}, payload?: string): Promise<Answered> {
    // inject never touches a socket: without this turn of the event loop, a run of requests is one
    // long task, and the overload guard (event-loop delay) would answer 503 to the rest.
    await new Promise(setImmediate);
    const answer = await app.inject({ method, url: target, headers, ...(payload !== undefined ? { payload } : {}) });
    const label = `${method} ${target} ${JSON.stringify(headers)}${payload !== undefined ? ` body ${payload.slice(0, 200)}` : ''}`;
    checkAnswer(folder, label, `${target}\n${JSON.stringify(headers)}\n${payload ?? ''}`, answer);
    seen.add(answer.statusCode);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200, `/healthz after ${label}: ${health.statusCode}`);
    return answer;
  }

  /** Statuses answered in the current test: a fuzzer that only ever got 404s would test little. */
  const seen = new Set<number>();
  function sawSuccessAndErrors(what: string): void {
    const statuses = [...seen].sort();
    assert.ok(
      statuses.some((s) => s >= 200 && s < 300),
      `${what}: no 2xx among ${statuses.join(', ')}`,
    );
    assert.ok(
      statuses.some((s) => s >= 400 && s < 500),
      `${what}: no 4xx among ${statuses.join(', ')}`,
    );
    seen.clear();
  }

  /** The values of `key` in a query string, as the client wrote them (decoded). */
  function values(query: string, key: string): string[] {
    return [...new URLSearchParams(query)].filter(([k]) => k === key).map(([, v]) => v);
  }

  it(`/chrom/NAME/base/OFFSET (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        nameText(folder.names),
        numberText,
        fc.constantFrom('GET', 'HEAD') as fc.Arbitrary<'GET' | 'HEAD'>,
        fc.boolean(),
        async (name, offset, method, prefixed) => {
          const target = `${prefixed ? '/assemblies/asm2' : ''}/chrom/${enc(name)}/base/${enc(offset)}`;
          const answer = await ask(method, target);
          if (answer.statusCode === 200) {
            assert.match(offset, plainDigits, `${target}: 200 for an offset that is not plain digits`);
            if (method === 'GET') assert.equal(answer.rawPayload.length, 1, `${target}: one base`);
          }
        },
      ),
      settings(),
    );
    sawSuccessAndErrors('base');
  });

  it(`/chrom/NAME/range with query and headers (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        nameText(folder.names),
        queryText(['start', 'end', 'strand', 'case', 'mask']),
        hostileHeaders,
        fc.constantFrom('GET', 'HEAD') as fc.Arbitrary<'GET' | 'HEAD'>,
        async (name, query, headers, method) => {
          const target = `/chrom/${enc(name)}/range?${query}`;
          const answer = await ask(method, target, headers);
          if (answer.statusCode < 300) {
            for (const key of ['start', 'end']) {
              const vs = values(query, key);
              assert.ok(vs.length <= 1, `${target}: ${answer.statusCode} with ${key} given ${vs.length} times`);
              if (vs.length === 1) assert.match(vs[0]!, plainDigits, `${target}: ${answer.statusCode} for ${key}=${vs[0]}`);
            }
          }
        },
      ),
      settings(),
    );
    sawSuccessAndErrors('range');
  });

  it(`/region/REGION with query and headers (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        regionText(folder.names),
        queryText(['strand', 'case', 'mask']),
        hostileHeaders,
        fc.boolean(),
        async (region, query, headers, prefixed) => {
          await ask('GET', `${prefixed ? '/assemblies/asm2' : ''}/region/${enc(region)}?${query}`, headers);
        },
      ),
      settings(),
    );
    sawSuccessAndErrors('region');
  });

  it(`/chrom/NAME, /assemblies/NAME/... with weird names (seed ${seed})`, async () => {
    const tails = fc.constantFrom(
      '',
      '/',
      '/chrom',
      '/chrom/c1',
      '/chrom/c1/base/0',
      '/region/c1',
      '/x/y/z',
      '/..',
      '/%2e%2e/chrom',
      '/chrom/%2e%2e%2fchr1/base/0',
    );
    await fc.assert(
      fc.asyncProperty(nameText([...folder.names, 'asm2', 'data']), tails, fc.constantFrom('chrom', 'assemblies'), async (name, tail, kind) => {
        const target = kind === 'chrom' ? `/chrom/${enc(name)}` : `/assemblies/${enc(name)}${tail}`;
        await ask('GET', target);
      }),
      settings(),
    );
    sawSuccessAndErrors('names');
  });

  it(`/sequence/ID refget ids of every shape (seed ${seed})`, async () => {
    const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: n, maxLength: n });
    const b64 = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/'), minLength: 0, maxLength: 40 });
    const id = fc.oneof(
      hex(32),
      hex(48),
      fc.nat(80).chain((n) => hex(n)),
      b64.map((s) => `SQ.${s}`),
      b64.map((s) => `ga4gh:SQ.${s}`),
      hex(32).map((s) => `md5:${s}`),
      hex(48).map((s) => `TRUNC512:${s}`),
      fc.constantFrom('service-info', 'SQ.', 'ga4gh:', 'md5:', ':', '..', '%', 'a'.repeat(200)),
      nameText(folder.names),
    );
    await fc.assert(
      fc.asyncProperty(
        id,
        fc.constantFrom('', '/metadata', '/metadata/x'),
        queryText(['start', 'end']),
        hostileHeaders,
        async (ident, tail, query, headers) => {
          await ask('GET', `/sequence/${enc(ident)}${tail}?${query}`, headers);
        },
      ),
      settings(),
    );
  });

  it(`/random with hostile parameters (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        queryText(['length', 'count', 'seed', 'exclude', 'format', 'width', 'case', 'mask']),
        fc.oneof(fc.constant({}), hostileHeaders),
        async (query, headers) => {
          const answer = await ask('GET', `/random?${query}`, headers);
          if (answer.statusCode < 300) {
            for (const key of ['length', 'count', 'seed', 'width']) {
              const vs = values(query, key);
              assert.ok(vs.length <= 1, `/random?${query}: ${answer.statusCode} with ${key} given ${vs.length} times`);
              if (vs.length === 1) assert.match(vs[0]!, plainDigits, `/random?${query}: ${answer.statusCode} for ${key}=${vs[0]}`);
            }
          }
        },
      ),
      settings(),
    );
    sawSuccessAndErrors('random');
  });

  it(`POST /batch with hostile bodies (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        batchBody(folder.names),
        queryText(['format', 'width', 'strand', 'case', 'mask']),
        fc.constantFrom(undefined, 'application/json', 'text/x-fasta', 'image/png', '*/*;q=0'),
        async ({ contentType, payload }, query, accept) => {
          const headers: Record<string, string> = { 'content-type': headerSafe(contentType) };
          if (accept !== undefined) headers.accept = accept;
          await ask('POST', `/batch?${query}`, headers, payload);
        },
      ),
      settings(Math.ceil(runs * 1.5)),
    );
    sawSuccessAndErrors('batch');
  });

  it(`/files never serves a byte from outside the data folder (seed ${seed})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        filesPath(folder.data),
        fc.oneof(fc.constant({}), hostileHeaders),
        fc.constantFrom('GET', 'HEAD') as fc.Arbitrary<'GET' | 'HEAD'>,
        async (target, headers, method) => {
          let answer: Answered;
          try {
            answer = await ask(method, target, headers);
          } catch (error) {
            // inject refuses a few URLs (a backslash, a raw NUL); the socket sends them as written.
            if (!(error instanceof Error) || !/invalid|URL/i.test(error.message) || error instanceof assert.AssertionError) throw error;
            answer = await rawRequest(url, target, { method });
            checkAnswer(folder, `${method} ${target} (socket)`, target, answer);
          }
          checkFilesBody(folder, `${method} ${target} ${JSON.stringify(headers)}`, answer);
        },
      ),
      settings(Math.ceil(runs * 2)),
    );
    sawSuccessAndErrors('files');
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
