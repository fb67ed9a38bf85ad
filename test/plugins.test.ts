/**
 * Each unit of buildApp on its own: the cross-cutting plugins in a bare Fastify with one route,
 * and the data lifecycle (ServedData) on a real folder, without the rest of the app.
 */
import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { parseConfig } from '../src/data/config.js';
import { ServedData } from '../src/data/served-data.js';
import { securityHeaders } from '../src/http/headers.js';
import accessLog from '../src/http/plugins/access-log.js';
import errorHandlers from '../src/http/plugins/error-handlers.js';
import requestId from '../src/http/plugins/request-id.js';
import servedData from '../src/http/plugins/served-data.js';
import shutdownDrain from '../src/http/plugins/shutdown-drain.js';
import { ServingState } from '../src/http/serving-state.js';
import { removeDir, tempDir, writeFasta } from './helpers/fasta-fixtures.js';
import { readRaw } from './helpers/naive-fasta.js';

/** A pino logger whose JSON lines are kept for the test to read. */
function keptLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/** A bare Fastify with `plugins` and one route that answers, or throws when asked to. */
async function bare(register: (app: FastifyInstance) => Promise<void>): Promise<FastifyInstance> {
  const app = Fastify();
  await register(app);
  app.get('/ok/:name', (request) => {
    if ((request.params as { name: string }).name === 'boom') throw new Error('a fault');
    return { ok: true };
  });
  return app;
}

describe('plugins on their own', () => {
  it('request-id: sends the id of each request and the security headers, on errors too', async () => {
    let n = 0;
    const app = Fastify({ genReqId: () => `id-${++n}` });
    await app.register(requestId);
    app.get('/ok', () => 'ok');
    const first = await app.inject({ url: '/ok' });
    assert.equal(first.headers['x-request-id'], 'id-1');
    for (const [name, value] of securityHeaders) assert.equal(first.headers[name], value, name);
    // The hook runs before routing: a 404 carries them as well.
    const missing = await app.inject({ url: '/nowhere' });
    assert.equal(missing.headers['x-request-id'], 'id-2');
    for (const [name, value] of securityHeaders) assert.equal(missing.headers[name], value, name);
    await app.close();
  });

  it('error-handlers: a fault is a 500 problem, an unknown route a 404 problem naming the path', async () => {
    const app = await bare(async (a) => {
      await a.register(errorHandlers);
    });
    const fault = await app.inject({ url: '/ok/boom' });
    assert.equal(fault.statusCode, 500);
    assert.match(String(fault.headers['content-type']), /^application\/problem\+json/);
    const missing = await app.inject({ url: '/nowhere?x=1' });
    assert.equal(missing.statusCode, 404);
    assert.match(String(missing.headers['content-type']), /^application\/problem\+json/);
    assert.match(missing.json<{ detail: string }>().detail, /no route for GET \/nowhere;/);
    await app.close();
  });

  it('access-log: one line per request with its status and sequence name', async () => {
    const { logger, lines } = keptLogger();
    const app = Fastify({ loggerInstance: logger, disableRequestLogging: true });
    await app.register(accessLog);
    app.get('/ok/:name', () => 'ok');
    await app.inject({ url: '/ok/chr7' });
    await app.inject({ url: '/ok/chrX' });
    const requests = lines.filter((l) => l.msg === 'request');
    assert.deepEqual(
      requests.map((l) => [l.url, l.status, l.sequence]),
      [
        ['/ok/chr7', 200, 'chr7'],
        ['/ok/chrX', 200, 'chrX'],
      ],
    );
    await app.close();
  });

  it('shutdown-drain: the serving state says closing once close begins', async () => {
    const state = new ServingState();
    const app = await bare(async (a) => {
      await a.register(shutdownDrain, { graceMs: 1000, state });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    assert.equal(state.closing, false);
    await app.close();
    assert.equal(state.closing, true);
  });
});

describe('the data lifecycle on its own (ServedData)', () => {
  let dir: string;
  let data: ServedData;
  let lines: Record<string, unknown>[];
  before(() => {
    dir = tempDir('seqserve-served-data-');
    writeFileSync(join(dir, 'a.raw'), 'ACGTACGTAC'.repeat(100), 'latin1');
    writeFasta(dir, 'f.fa', { seed: 5, lineWidth: 61, records: [{ name: 'f1', length: 500 }] });
    const kept = keptLogger();
    lines = kept.lines;
    data = ServedData.open(parseConfig({ data: dir, digests: false, dataCheckInterval: 0 }), kept.logger);
  });
  after(async () => {
    await data.close();
    removeDir(dir);
  });

  it('holds the folder: sequences and the /files map', () => {
    assert.deepEqual(
      data.assemblies.default.store.sequences.map((s) => s.name),
      ['a', 'f1'],
    );
    assert.ok(data.files.has('a.raw') && data.files.has('f.fa') && data.files.has('f.fa.fai'));
    assert.equal(data.digestCounts.total, 2);
  });

  it('check(): a file replaced on disk is found and logged once', () => {
    assert.deepEqual(data.check(), []);
    writeFileSync(join(dir, 'a.raw.new'), 'TTTTTTTTTT'.repeat(100), 'latin1');
    renameSync(join(dir, 'a.raw.new'), join(dir, 'a.raw'));
    assert.deepEqual(data.check(), [{ path: join(dir, 'a.raw'), state: 'replaced' }]);
    data.check();
    assert.equal(lines.filter((l) => typeof l.msg === 'string' && l.msg.includes('was replaced on disk')).length, 1);
  });

  it('reload(): one at a time, then the new bases, the digest index and /files are the new ones', async () => {
    const digestsBefore = data.digests;
    const first = data.reload();
    assert.equal(data.reload(), first, 'a second ask while one runs shares it');
    const outcome = await first;
    assert.equal(outcome.status, 'reloaded');
    assert.equal(outcome.sequences, 2);
    assert.notEqual(data.digests, digestsBefore);
    const sequence = data.assemblies.default.store.get('a')!;
    assert.equal(sequence.bytes(0, 20).toString('latin1'), readRaw(join(dir, 'a.raw')).slice(0, 20));
    assert.deepEqual(data.check(), []);
  });

  it('the served-data plugin puts it on an app and closes it with the app', async () => {
    const kept = keptLogger();
    const own = ServedData.open(parseConfig({ data: dir, digests: false, dataCheckInterval: 0 }), kept.logger);
    const app = Fastify();
    await app.register(servedData, { data: own });
    await app.ready();
    assert.equal(app.digests, own.digests);
    assert.deepEqual(app.checkDataFiles(), []);
    await app.close();
    assert.throws(() => own.assemblies.default.store.get('a')!.bytes(0, 1));
  });
});
