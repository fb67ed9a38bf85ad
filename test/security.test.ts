/**
 * Security headers and error hygiene: every kind of answer (fast path, routes, errors raised
 * before routing and by Node's parser, /files, /docs) carries the security headers of
 * src/server/app.ts (one list for routes and fast path); /docs carries helmet's headers and a CSP that
 * allows its own assets; no answer has HSTS (plain HTTP); a 5xx shows no path and no stack.
 *
 * `npm audit --omit=dev --audit-level=high` needs the network: run by hand, not here.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { securityHeaders } from '../src/http/headers.js';
import { listeningApp, testApp } from './helpers/app.js';
import { checkAnswer, makeHostileFolder, type Answered, type HostileFolder } from './helpers/fuzz-fixture.js';
import { rawRequest } from './helpers/fuzz-raw.js';

function hasSecurityHeaders(label: string, headers: Answered['headers']): void {
  for (const [name, value] of securityHeaders) assert.equal(headers[name], value, `${label}: ${name}`);
  assert.equal(headers['strict-transport-security'], undefined, `${label}: no HSTS on a plain-HTTP server`);
}

describe('security headers and error hygiene', () => {
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

  it('the API list is short: nosniff and a CSP that runs and frames nothing', () => {
    const names = securityHeaders.map(([name]) => name);
    assert.ok(names.includes('x-content-type-options'), 'nosniff is in the list');
    assert.equal(Object.fromEntries(securityHeaders)['x-content-type-options'], 'nosniff', 'nosniff value');
    assert.match(String(Object.fromEntries(securityHeaders)['content-security-policy']), /default-src 'none'/, 'CSP default-src none');
  });

  it('fast-path answers (over a socket) carry them', async () => {
    for (const path of ['/chrom/chr1/base/5', '/chrom/chr1/range?start=0&end=20', '/chrom/r/range?end=10&start=3']) {
      const a = await rawRequest(url, path);
      assert.equal(a.statusCode, 200, `${path}: status`);
      hasSecurityHeaders(`${path} (fast path)`, a.headers);
    }
  });

  it('route answers, success and error, GET, HEAD and POST carry them', async () => {
    const cases: { method: 'GET' | 'HEAD' | 'POST'; url: string; status: number; headers?: Record<string, string>; payload?: string }[] = [
      { method: 'GET', url: '/chrom', status: 200 },
      { method: 'GET', url: '/chrom/chr1', status: 200 },
      { method: 'GET', url: '/chrom/chr1/base/5?via=route', status: 200 },
      { method: 'HEAD', url: '/chrom/chr1/range?start=0&end=10', status: 200 },
      { method: 'GET', url: '/chrom/chr1/range?start=0&end=10&strand=-', status: 200 },
      { method: 'GET', url: '/chrom/chr1/range?start=0&end=10', headers: { range: 'bytes=2-4' }, status: 206 },
      { method: 'GET', url: '/region/chr1:1-10', status: 200 },
      { method: 'GET', url: '/random?length=5&seed=1', status: 200 },
      { method: 'POST', url: '/batch', headers: { 'content-type': 'application/json' }, payload: '{"regions":["chr1:1-5"]}', status: 200 },
      { method: 'GET', url: '/assemblies', status: 200 },
      { method: 'GET', url: '/sequence/service-info', status: 200 },
      { method: 'GET', url: '/healthz', status: 200 },
      { method: 'GET', url: '/files/genome.fa', status: 200 },
      { method: 'HEAD', url: '/files/genome.fa', status: 200 },
      { method: 'GET', url: '/files/genome.fa', headers: { range: 'bytes=0-9' }, status: 206 },
      { method: 'GET', url: '/files/genome.fa', headers: { range: 'bytes=999999-' }, status: 416 },
      { method: 'GET', url: '/nope', status: 404 },
      { method: 'GET', url: '/chrom/nope/base/1', status: 404 },
      { method: 'GET', url: '/chrom/chr1/base/-1', status: 400 },
      { method: 'GET', url: '/chrom/chr1/base/999999', status: 416 },
      { method: 'GET', url: '/files/../elsewhere/secret.txt', status: 404 },
      { method: 'GET', url: '/files/linked.fa', status: 404 },
      { method: 'POST', url: '/batch', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b', status: 415 },
      { method: 'GET', url: '/sequence/service-info', headers: { accept: 'image/png' }, status: 406 },
    ];
    for (const c of cases) {
      const label = `${c.method} ${c.url}`;
      const a = await app.inject({ method: c.method, url: c.url, headers: c.headers ?? {}, ...(c.payload !== undefined ? { payload: c.payload } : {}) });
      assert.equal(a.statusCode, c.status, `${label}: status ${a.statusCode} ${a.body.slice(0, 200)}`);
      hasSecurityHeaders(label, a.headers);
      checkAnswer(folder, label, c.url, a);
    }
    // A 304 too (conditional GET of a file).
    const etag = String((await app.inject({ url: '/files/genome.fa', method: 'HEAD' })).headers.etag);
    const notModified = await app.inject({ url: '/files/genome.fa', headers: { 'if-none-match': etag } });
    assert.equal(notModified.statusCode, 304, '/files If-None-Match: 304');
    hasSecurityHeaders('/files 304', notModified.headers);
  });

  it('errors raised before routing and by the HTTP parser carry them, as problem+json', async () => {
    const cases: [string, string[], number][] = [
      ['/chrom/%zz/base/1', [], 400],
      [`/chrom/${'a'.repeat(200)}/base/1`, [], 414],
      ['/chrom/chr1/base/1', [`X-Big: ${'a'.repeat(20_000)}`], 431],
      [`/chrom/chr1/base/1?${'a'.repeat(20_000)}`, [], 431],
      ['/chrom/chr1/base/1', ['Content-Length: -1'], 400],
    ];
    for (const [path, headers, status] of cases) {
      const label = `GET ${path.slice(0, 60)} ${headers.map((h) => h.slice(0, 20)).join(' ')}`;
      const a = await rawRequest(url, path, { headers });
      if (status === 414 && a.statusCode !== 414) {
        // Fastify answers an over-long path segment 414 (or 400 on versions that say so): a 4xx either way.
        assert.ok(a.statusCode >= 400 && a.statusCode < 500, `${label}: 4xx (got ${a.statusCode})`);
      } else {
        assert.equal(a.statusCode, status, `${label}: status ${a.statusCode} ${a.rawPayload.toString().slice(0, 200)}`);
      }
      hasSecurityHeaders(label, a.headers);
      checkAnswer(folder, label, `${path}\n${headers.join('\n')}`, a);
    }
    assert.equal((await rawRequest(url, '/healthz')).statusCode, 200, '/healthz after parser errors');
  });

  it('/docs: helmet headers, a CSP allowing the UI assets only, no HSTS, no upgrade-insecure-requests', async () => {
    for (const path of ['/docs', '/docs/', '/docs/json', '/docs/static/swagger-ui.css', '/docs/static/swagger-initializer.js']) {
      const a = await app.inject({ url: path });
      assert.equal(a.statusCode, 200, `${path}: status`);
      const csp = String(a.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/, `${path}: CSP allows the UI's own assets (${csp})`);
      assert.match(csp, /script-src 'self'/, `${path}: scripts from the server only (${csp})`);
      assert.doesNotMatch(csp, /upgrade-insecure-requests/, `${path}: plain HTTP must not be upgraded (${csp})`);
      assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline.*script/, `${path}: no unsafe scripts (${csp})`);
      assert.equal(a.headers['x-content-type-options'], 'nosniff', `${path}: nosniff`);
      assert.equal(a.headers['x-frame-options'], 'SAMEORIGIN', `${path}: X-Frame-Options`);
      assert.equal(a.headers['referrer-policy'], 'no-referrer', `${path}: Referrer-Policy`);
      assert.equal(a.headers['strict-transport-security'], undefined, `${path}: no HSTS`);
    }
    // The page's scripts and styles are all files under /docs (nothing inline that the CSP would block).
    const page = (await app.inject({ url: '/docs/' })).body;
    assert.doesNotMatch(page, /<script>(?!\s*<\/script>)|<script(?![^>]*\bsrc=)[^>]*>[^<\s]/, '/docs: no inline script');
    for (const [, src] of page.matchAll(/(?:src|href)="([^"]+)"/g)) {
      const a = await app.inject({ url: new URL(src!, 'http://x/docs/').pathname });
      assert.equal(a.statusCode, 200, `/docs asset ${src}: ${a.statusCode}`);
    }
    // The helmet extras stay on /docs: an API answer has the short list only.
    const api = await app.inject({ url: '/chrom' });
    assert.equal(api.headers['x-frame-options'], undefined, '/chrom: no helmet extras');
  });

  it('a 500 shows neither a path nor a stack, and carries the headers', async () => {
    // No HTTP input reaches an internal error (test/fuzz.test.ts looks for one); a route added
    // to the real app for this test throws what a bug would: a message with paths and a stack.
    const local = await testApp(folder.data);
    try {
      local.get('/test-only/boom', () => {
        const error = new Error(`ENOENT: no such file, open '${folder.data}/genome.fa' /home/user/x node_modules/y`);
        error.stack = `${error.message}\n    at boom (${folder.root}/src/x.ts:1:2)`;
        throw error;
      });
      local.get('/test-only/boom-async', async () => {
        throw new TypeError(`Cannot read properties of undefined (reading 'x') at /tmp/seqserve/src/app.js:10:5`);
      });
      for (const path of ['/test-only/boom', '/test-only/boom-async']) {
        const a = await local.inject({ url: path });
        assert.equal(a.statusCode, 500, `${path}: status`);
        hasSecurityHeaders(path, a.headers);
        checkAnswer(folder, path, path, a, { expect5xx: true });
        const problem = JSON.parse(a.body) as Record<string, unknown>;
        assert.equal(problem.status, 500, `${path}: problem.status`);
        assert.doesNotMatch(a.body, /ENOENT|TypeError|node_modules|\/home|\/tmp|\.ts:|\.js:/, `${path}: the body hides the error (${a.body})`);
      }
    } finally {
      await local.close();
    }
  });

  it('a data file changed on disk after startup: 503 without a path (when the server checks files)', async (t) => {
    const local = await testApp(folder.data);
    try {
      const check = (local as unknown as { checkDataFiles?: () => unknown }).checkDataFiles;
      if (typeof check !== 'function') return t.skip('this server does not check data files');
      // Same size, new bytes and mtime: the mapping is still valid, but the file is not what was mapped.
      // Written in place, never truncated: a mapped file cut short would fault on read.
      const fd = openSync(join(folder.data, 'r.raw'), 'r+');
      writeSync(fd, 'A'.repeat(500), 0);
      closeSync(fd);
      utimesSync(join(folder.data, 'r.raw'), new Date(), new Date(Date.now() + 5000));
      check.call(local);
      const a = await local.inject({ url: '/chrom/r/range?start=0&end=5' });
      assert.equal(a.statusCode, 503, `changed file: status ${a.statusCode} ${a.body.slice(0, 200)}`);
      hasSecurityHeaders('changed file', a.headers);
      checkAnswer(folder, 'changed file', '/chrom/r/range', a);
    } finally {
      await local.close();
    }
  });
});
