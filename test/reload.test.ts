/**
 * Data changed under the server: a file changed in place answers 503 (never read again) and the
 * log names the file and the fix; a reload (app.reloadData, POST /admin/reload, SIGHUP, with
 * --workers too) swaps in the new data, and a reload that finds bad data keeps the old.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../src/server/app.js';
import { parseConfig, type Config } from '../src/data/config.js';
import { removeDir, tempDir, writeFasta } from './helpers/fasta-fixtures.js';
import { freePort } from './helpers/cli-server.js';
import { readRaw } from './helpers/naive-fasta.js';
import type { Problem } from './helpers/problem.js';

const token = 'test-admin-token-0123456789';

async function fetchText(url: string, init?: RequestInit): Promise<{ status: number; type: string; headers: Headers; body: string }> {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: await res.text() };
}

/** Writes `text` as a new version of `path` by rename, as the README asks. */
function replaceByRename(path: string, text: string): void {
  writeFileSync(`${path}.new`, text, 'latin1');
  renameSync(`${path}.new`, path);
}

/** A listening app whose log lines are kept. */
async function loggedApp(data: string, overrides: Partial<Config> = {}): Promise<{ app: FastifyInstance; url: string; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = parseConfig({ data, logLevel: 'info', accessLog: false, digests: false, dataCheckInterval: 0, ...overrides });
  const app = await buildApp(config, { logger: pino({ level: 'info' }, sink) });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url, lines };
}

const bases = (n: number, seed: number) => Array.from({ length: n }, (_, i) => 'ACGT'[(i * 7 + seed * 13 + ((i * seed) >> 3)) % 4]).join('');

describe('a data file changed in place', () => {
  let dir: string;
  let app: FastifyInstance;
  let url: string;
  let lines: Record<string, unknown>[];
  before(async () => {
    dir = tempDir('seqserve-stale-');
    writeFileSync(join(dir, 'a.raw'), bases(100_000, 1), 'latin1');
    writeFileSync(join(dir, 'b.raw'), bases(5000, 2), 'latin1');
    writeFasta(dir, 'f.fa', { seed: 3, lineWidth: 60, records: [{ name: 'f1', length: 3000 }] });
    ({ app, url, lines } = await loggedApp(dir, { dataCheckInterval: 100, streamThreshold: 1024 }));
  });
  after(async () => {
    await app?.close();
    removeDir(dir);
  });

  it('answers 503 for its sequences once detected, logs the file and the fix, and serves the others', async () => {
    assert.equal((await fetchText(`${url}/chrom/b/base/0`)).status, 200, 'served before');
    // Rewritten in place with a new mtime: the mapping now shows other bytes.
    const fd = openSync(join(dir, 'b.raw'), 'r+');
    writeSync(fd, 'TTTT', 0, 'latin1');
    closeSync(fd);
    utimesSync(join(dir, 'b.raw'), new Date(), new Date(Date.now() + 5000));
    for (let i = 0; i < 50 && !lines.some((l) => l.file === join(dir, 'b.raw')); i++) await new Promise((r) => setTimeout(r, 50));
    const line = lines.find((l) => l.file === join(dir, 'b.raw'));
    assert.ok(line, 'a log line names the file');
    assert.match(String(line.msg), /replace data files by rename, then reload: kill -HUP or POST \/admin\/reload/, 'the log says the fix');
    for (const path of ['/chrom/b/base/0', '/chrom/b/range?start=0&end=10', '/chrom/b/range?start=0&end=500', '/region/b:1-10', '/files/b.raw']) {
      const res = await fetchText(`${url}${path}`);
      assert.equal(res.status, 503, `${path}: ${res.body}`);
      assert.equal(res.type, 'application/problem+json', `${path} problem+json`);
      assert.equal(res.headers.get('retry-after'), '5', `${path} Retry-After`);
    }
    assert.equal((await fetchText(`${url}/chrom/a/range?start=0&end=10`)).body, bases(10, 1), 'another file still serves');
    assert.equal((await fetchText(`${url}/chrom/f1/base/0`)).status, 200, 'the FASTA still serves');
  });

  it('survives a truncation in place (detected before any read) and serves again after a reload', async () => {
    const fd = openSync(join(dir, 'a.raw'), 'r+');
    ftruncateSync(fd, 10);
    closeSync(fd);
    assert.deepEqual(app.checkDataFiles().find((f) => f.path === join(dir, 'a.raw'))?.state, 'changed', 'found on demand');
    const res = await fetchText(`${url}/chrom/a/range?start=50000&end=50010`);
    assert.equal(res.status, 503, res.body);
    replaceByRename(join(dir, 'a.raw'), bases(20_000, 4));
    replaceByRename(join(dir, 'b.raw'), bases(6000, 5));
    const outcome = await app.reloadData();
    assert.equal(outcome.status, 'reloaded', 'reloaded');
    assert.equal((await fetchText(`${url}/chrom/a/range?start=19990&end=20000`)).body, bases(20_000, 4).slice(19_990), 'new bytes of a');
    assert.ok((await fetchText(`${url}/chrom/b/range`)).body === readRaw(join(dir, 'b.raw')), 'new bytes of b');
    assert.equal((await fetchText(`${url}/chrom/b/base/5999`)).body, bases(6000, 5)[5999], 'fast path on the new data');
    assert.deepEqual(app.checkDataFiles(), [], 'nothing changed since the reload');
  });
});

describe('reload', () => {
  let dir: string;
  let app: FastifyInstance;
  let url: string;
  const auth = { authorization: `Bearer ${token}` };
  before(async () => {
    dir = tempDir('seqserve-reload-');
    writeFileSync(join(dir, 'r.raw'), bases(4000, 1), 'latin1');
    writeFasta(dir, 'g.fa', {
      seed: 9,
      lineWidth: 50,
      records: [
        { name: 'chr1', length: 2000 },
        { name: 'chr2', length: 1000 },
      ],
    });
    ({ app, url } = await loggedApp(dir, { adminToken: token, digests: true }));
  });
  after(async () => {
    await app?.close();
    removeDir(dir);
  });

  it('asks for the token: 401 without, 403 wrong, both problem+json', async () => {
    const none = await fetchText(`${url}/admin/reload`, { method: 'POST' });
    assert.equal(none.status, 401, none.body);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/, 'WWW-Authenticate');
    assert.equal(none.type, 'application/problem+json', 'problem+json');
    const wrong = await fetchText(`${url}/admin/reload`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 403, wrong.body);
  });

  it('is 404 when no admin token is set', async () => {
    const { app: plain, url: plainUrl } = await loggedApp(dir);
    try {
      const res = await fetchText(`${plainUrl}/admin/reload`, { method: 'POST', headers: auth });
      assert.equal(res.status, 404, res.body);
      assert.match((JSON.parse(res.body) as Problem).detail, /SEQSERVE_ADMIN_TOKEN/, 'says how to enable it');
    } finally {
      await plain.close();
    }
  });

  it('swaps in renamed files: bytes, /chrom, /random, /files, refget and /readyz follow', async () => {
    await app.digests.done;
    const next = writeFasta(dir, 'g.fa.next', {
      seed: 10,
      lineWidth: 70,
      records: [
        { name: 'chr1', length: 2500 },
        { name: 'chr3', length: 700 },
      ],
    });
    rmSync(join(dir, 'g.fa.fai'), { force: true });
    rmSync(join(dir, 'g.fa.refget.tsv'), { force: true });
    renameSync(next.path, join(dir, 'g.fa'));
    const res = await fetchText(`${url}/admin/reload`, { method: 'POST', headers: auth });
    assert.equal(res.status, 200, res.body);
    assert.equal((JSON.parse(res.body) as { status: string }).status, 'reloaded', 'body');
    const chr1 = next.sequences.get('chr1')!;
    assert.equal((await fetchText(`${url}/chrom/chr1/range?start=2400&end=2500`)).body, chr1.slice(2400), 'new chr1 bytes');
    assert.equal((await fetchText(`${url}/chrom/chr2/base/0`)).status, 404, 'chr2 is gone');
    assert.equal((await fetchText(`${url}/region/chr3:1-700`)).body, next.sequences.get('chr3'), 'chr3 is new');
    const list = JSON.parse((await fetchText(`${url}/chrom`)).body) as { name: string; length: number }[];
    assert.deepEqual(
      list.map((s) => [s.name, s.length]),
      [
        ['chr1', 2500],
        ['chr3', 700],
        ['r', 4000],
      ],
      '/chrom lists the new sequences',
    );
    const random = JSON.parse((await fetchText(`${url}/random?length=2400&count=5&seed=1`)).body) as {
      sequences: { name: string; start: number; sequence: string }[];
    };
    const served = new Map([
      ['chr1', chr1],
      ['r', bases(4000, 1)],
    ]);
    for (const w of random.sequences)
      assert.ok(w.sequence === served.get(w.name)?.slice(w.start, w.start + 2400), `random window ${w.name}:${w.start} comes from the new data`);
    assert.ok((await fetchText(`${url}/files/g.fa`)).body === readFileSync(join(dir, 'g.fa'), 'latin1'), '/files serves the new file');
    await app.digests.done;
    const md5 = createHash('md5').update(chr1.toUpperCase()).digest('hex');
    assert.equal((await fetchText(`${url}/sequence/${md5}?start=0&end=10`)).body, chr1.slice(0, 10).toUpperCase(), 'refget finds the new sequence by digest');
    const ready = JSON.parse((await fetchText(`${url}/readyz`)).body) as { sequences: number; bases: number };
    assert.equal(ready.sequences, 3, 'readyz sequences');
    assert.equal(ready.bases, 2500 + 700 + 4000, 'readyz bases');
  });

  it('keeps serving the old data when the new data is bad (422)', async () => {
    // Two sequences of one name in the folder: a DataError.
    writeFileSync(join(dir, 'dup.fa'), '>chr3\nACGT\n');
    const res = await fetchText(`${url}/admin/reload`, { method: 'POST', headers: auth });
    rmSync(join(dir, 'dup.fa'));
    rmSync(join(dir, 'dup.fa.fai'), { force: true });
    assert.equal(res.status, 422, res.body);
    assert.match((JSON.parse(res.body) as Problem).detail, /old data is still served.*chr3/, 'says why');
    assert.equal((await fetchText(`${url}/chrom/chr3/range?start=0&end=5`)).status, 200, 'old data served');
  });

  it('refuses to add an assembly folder, and says a restart is needed', async () => {
    mkdirSync(join(dir, 'hg99'));
    writeFileSync(join(dir, 'hg99', 'x.raw'), 'ACGT');
    try {
      const res = await fetchText(`${url}/admin/reload`, { method: 'POST', headers: auth });
      assert.equal(res.status, 422, res.body);
      assert.match((JSON.parse(res.body) as Problem).detail, /needs a restart/, 'says a restart is needed');
      assert.equal((await fetchText(`${url}/chrom/r/base/0`)).status, 200, 'still serving');
    } finally {
      rmSync(join(dir, 'hg99'), { recursive: true });
    }
  });
});

async function startCli(dir: string, workers: number): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const port = await freePort();
  const cli = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, 'serve', '--host', '127.0.0.1', '--port', String(port), '--workers', String(workers), '--data', dir, '--no-access-log'],
    {
      env: { ...process.env, SEQSERVE_ADMIN_TOKEN: token },
    },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  for (let i = 0; i < 300 && !output.includes('seqserve ready'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(output, /seqserve ready/, `started: ${output.slice(-2000)}`);
  return { child, url: `http://127.0.0.1:${port}`, output: () => output };
}

async function waitForBody(url: string, expected: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  let last = '';
  while (Date.now() < until) {
    const res = await fetchText(url);
    assert.equal(res.status, 200, `no failed request while reloading: ${res.body}`);
    last = res.body;
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(last, expected, `the answer switched to the new bytes within ${ms} ms`);
}

describe('reload through the CLI', () => {
  let dir: string;
  before(() => {
    dir = tempDir('seqserve-reload-cli-');
    writeFileSync(join(dir, 'r.raw'), bases(3000, 1), 'latin1');
  });
  after(() => removeDir(dir));

  it('SIGHUP reloads a single process', async () => {
    writeFileSync(join(dir, 'r.raw'), bases(3000, 1), 'latin1');
    const { child, url } = await startCli(dir, 1);
    try {
      assert.equal((await fetchText(`${url}/chrom/r/range?start=0&end=50`)).body, bases(50, 1), 'old bytes');
      replaceByRename(join(dir, 'r.raw'), bases(3000, 2));
      child.kill('SIGHUP');
      await waitForBody(`${url}/chrom/r/range?start=0&end=50`, bases(50, 2));
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('with --workers 2: SIGHUP to the primary and POST /admin/reload (202) on a worker reload every worker', async () => {
    writeFileSync(join(dir, 'r.raw'), bases(3000, 1), 'latin1');
    const { child, url, output } = await startCli(dir, 2);
    try {
      replaceByRename(join(dir, 'r.raw'), bases(3000, 3));
      child.kill('SIGHUP');
      // Several requests: connections go to both workers in turn.
      for (let i = 0; i < 4; i++) await waitForBody(`${url}/chrom/r/range?start=0&end=50`, bases(50, 3));
      replaceByRename(join(dir, 'r.raw'), bases(3000, 4));
      const res = await fetchText(`${url}/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 202, res.body);
      assert.equal((JSON.parse(res.body) as { status: string }).status, 'accepted', 'accepted');
      for (let i = 0; i < 4; i++) await waitForBody(`${url}/chrom/r/range?start=0&end=50`, bases(50, 4));
      assert.match(output(), /reloading the data folder/, 'the primary logs the reload');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
