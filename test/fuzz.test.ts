/**
 * Hostile input, fuzzed with fast-check: every route's parameters, query strings, headers and
 * bodies. Properties: the server keeps answering (/healthz after every request); every error is
 * problem+json with a 4xx status (or refget's intended 501); no answer shows a file-system path,
 * a stack or the secret beside the data folder; /files never serves a byte from outside the
 * data folder; a 2xx only for inputs that are what the API documents (plain decimal digits).
 * Requests written byte for byte on a socket: test/fuzz-socket.test.ts.
 *
 * Seeded and reproducible: FUZZ_SEED=n picks the seed (printed on failure, with the path to the
 * failing case: FUZZ_PATH=...), FUZZ_RUNS=n the runs per property (helpers/fuzz-settings.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { listeningApp } from './helpers/app.js';
import { enc, filesPath, nameText, numberText, queryText, regionText } from './helpers/fuzz-arbitraries.js';
import { checkAnswer, checkFilesBody, makeHostileFolder, type Answered, type HostileFolder } from './helpers/fuzz-fixture.js';
import { batchBody, headerSafe, hostileHeaders } from './helpers/fuzz-headers-bodies.js';
import { rawRequest } from './helpers/fuzz-raw.js';
import { runs, seed, settings } from './helpers/fuzz-settings.js';

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
        fc.constantFrom<'GET' | 'HEAD'>('GET', 'HEAD'),
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
        fc.constantFrom<'GET' | 'HEAD'>('GET', 'HEAD'),
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
        fc.constantFrom<'GET' | 'HEAD'>('GET', 'HEAD'),
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
});
