import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { testApp } from './helpers/app.js';

interface Operation {
  parameters?: { in: string; name: string; required?: boolean }[];
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
}

/** `/chrom/:name/base/:offset` → `/chrom/{name}/base/{offset}`, `/files/*` → `/files/{*}`, as @fastify/swagger writes them. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}').replace(/\*/g, '{*}');

describe('OpenAPI document and Swagger UI', () => {
  let dir: string;
  let app: FastifyInstance;
  /** Every route the app registers, seen by an onRoute hook added as Fastify creates the instance. */
  const routes: { method: string; url: string }[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-docs-'));
    writeFileSync(join(dir, 'g.fa'), '>chr1\nACGTACGTAC\n>chr2\nGATTACA\n');
    // Fastify publishes each new instance on this channel before any plugin or route is added,
    // so the hook sees the routes exactly as the app registers them, without a test-only option.
    const onInit = (message: unknown) => {
      const { fastify } = message as { fastify: FastifyInstance };
      fastify.addHook('onRoute', (route: RouteOptions) => {
        for (const method of [route.method].flat()) routes.push({ method, url: route.url });
      });
    };
    diagnostics.subscribe('fastify.initialization', onInit);
    try {
      app = await testApp(dir);
    } finally {
      diagnostics.unsubscribe('fastify.initialization', onInit);
    }
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const document = async (): Promise<OpenApiDocument> => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    return JSON.parse(res.body) as OpenApiDocument;
  };

  it('serves an OpenAPI 3 document named after the package', async () => {
    const doc = await document();
    assert.ok(doc.openapi.startsWith('3.'), `openapi is ${doc.openapi}, expected 3.x`);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(doc.info.title, 'seqserve');
    assert.equal(doc.info.version, pkg.version);
  });

  it('documents every route of the app', async () => {
    const doc = await document();
    // Not API routes: the docs' own routes, and @fastify/cors's preflight route. HEAD is
    // left out too: Fastify adds a HEAD route for each GET, which is not documented apart.
    const expected = routes.filter(
      ({ method, url }) => method !== 'HEAD' && !(url === '/docs' || url.startsWith('/docs/')) && !(method === 'OPTIONS' && url === '*'),
    );
    // The hook did see the app's routes (a guard against the test passing on an empty list).
    for (const url of ['/healthz', '/chrom', '/chrom/:name/base/:offset', '/chrom/:name/range', '/region/:region', '/files/*']) {
      assert.ok(
        expected.some((r) => r.url === url && r.method === 'GET'),
        `the onRoute hook did not see GET ${url}; saw ${JSON.stringify(routes)}`,
      );
    }
    const missing = expected.filter(({ method, url }) => doc.paths[openApiPath(url)]?.[method.toLowerCase()] === undefined);
    assert.deepEqual(missing, [], `routes missing from /docs/json (paths: ${Object.keys(doc.paths).join(', ')})`);
    // And nothing of the docs themselves is listed as API.
    const docsPaths = Object.keys(doc.paths).filter((p) => p === '/docs' || p.startsWith('/docs/'));
    assert.deepEqual(docsPaths, [], 'the docs routes are not part of the API');
  });

  it('describes the path parameters of a single-base lookup', async () => {
    const base = (await document()).paths['/chrom/{name}/base/{offset}']?.get;
    assert.ok(base, 'GET /chrom/{name}/base/{offset} is documented');
    const path = (base.parameters ?? []).filter((p) => p.in === 'path');
    assert.deepEqual(path.map((p) => p.name).sort(), ['name', 'offset']);
    assert.ok(
      path.every((p) => p.required === true),
      'path parameters are required',
    );
  });

  it('describes the querystring of a range', async () => {
    const range = (await document()).paths['/chrom/{name}/range']?.get;
    assert.ok(range, 'GET /chrom/{name}/range is documented');
    const params = range.parameters ?? [];
    for (const name of ['start', 'end', 'strand']) {
      assert.ok(
        params.some((p) => p.in === 'query' && p.name === name),
        `query parameter ${name} is documented; got ${JSON.stringify(params.map((p) => `${p.in}:${p.name}`))}`,
      );
    }
    assert.ok(
      params.some((p) => p.in === 'path' && p.name === 'name'),
      'path parameter name is documented',
    );
  });

  it('serves the Swagger UI at /docs from the package', async () => {
    let url = '/docs';
    let res = await app.inject({ method: 'GET', url });
    for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
      url = new URL(String(res.headers.location), `http://localhost${url}`).pathname;
      res = await app.inject({ method: 'GET', url });
    }
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /swagger-ui/i);
    // The UI's script comes from this server, not a CDN.
    const script = /<script src="([^"]*swagger-ui-bundle\.js)"/.exec(res.body)?.[1];
    assert.ok(script?.startsWith('/docs/'), `the UI bundle is served locally; the page loads ${script}`);
    const bundle = await app.inject({ method: 'GET', url: script });
    assert.equal(bundle.statusCode, 200);
  });
});
