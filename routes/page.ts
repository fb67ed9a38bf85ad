/** GET /: the human page (assemblies, sequences, an igv.js view) and its assets. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Assemblies } from '../src/data/assemblies.js';
import { ProblemError } from '../src/core/errors.js';
import { packageRoot } from '../src/core/package-root.js';
import type { StaticFile } from '../src/data/static-files.js';

export interface PageOptions {
  assemblies: Assemblies;
  /** The data folder (config.data): an assembly in a subfolder has its files under /files/ASSEMBLY/. */
  data: string;
  /** What /files serves (src/data/static-files.ts): igv.js is only pointed at files that are there. */
  files: ReadonlyMap<string, StaticFile>;
}

/**
 * The page's own CSP, opened only where the page needs it: its script and stylesheet, igv.js's
 * module (same origin), fetches to this server, and igv.js's images (data:/blob: icons). igv.js
 * styles its widgets in a shadow root (constructed stylesheets, which style-src does not govern)
 * and injects two <style> elements at import (its colour picker and circular view): allowed by
 * their hashes, for igv 3.8.10. Another igv version changes them: test/page.test.ts then fails
 * on the CSP violation Chromium reports, which names the new hash (the view works meanwhile,
 * unstyled only in those two widgets the page does not use).
 */
export const pageCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'sha256-ITHmamcImsZ/Je1xrdtDLZVvRSpj1Zokb6uHXORB824=' 'sha256-NTwDUA6nIvRRpI2lIBtHJqkV0TlTj4HVmI6vI81fIfM='",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** One file of the page, with its validator and, for the text that compresses well, its gzip. */
interface Asset {
  type: string;
  body: Buffer;
  etag: string;
  /** Named by content hash: cached for a year, never revalidated. */
  immutable: boolean;
  /** Made on first ask; undefined when gzip failed (then sent as it is). */
  gzipped?: Promise<Buffer | undefined>;
}

const hashOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64url').slice(0, 12);

function asset(type: string, body: Buffer, immutable: boolean): Asset {
  return { type, body, etag: `"${hashOf(body)}"`, immutable };
}

function gzipOf(a: Asset): Promise<Buffer | undefined> {
  a.gzipped ??= promisify(gzip)(a.body, { level: 9 }).catch(() => undefined);
  return a.gzipped;
}

/** The page's files by URL path, and the HTML. */
interface Page {
  index: Asset;
  assets: ReadonlyMap<string, Asset>;
}

/**
 * The built page: dist/page/ when running built (`npm run build` wrote it); from source, or when
 * dist/page/ is missing, built in memory with esbuild (a dev dependency).
 */
async function builtPage(): Promise<Record<'index.html' | 'page.js' | 'page.css', Buffer>> {
  const root = packageRoot();
  const dist = join(root, 'dist', 'page');
  if (isPrebuilt()) {
    return {
      'index.html': readFileSync(join(dist, 'index.html')),
      'page.js': readFileSync(join(dist, 'page.js')),
      'page.css': readFileSync(join(dist, 'page.css')),
    };
  }
  try {
    const build = (await import(pathToFileURL(join(root, 'page', 'build.mjs')).href)) as {
      buildPage(): Promise<Record<'index.html' | 'page.js' | 'page.css', Buffer>>;
    };
    return await build.buildPage();
  } catch (e) {
    throw new Error(`the genome page is not built (${dist} is missing) and could not be built now: ${(e as Error).message}; run \`npm run build\``, {
      cause: e,
    });
  }
}

/** Running built, with the page built by `npm run build` (not from source, where esbuild builds it). */
function isPrebuilt(): boolean {
  return !import.meta.url.endsWith('.ts') && existsSync(join(packageRoot(), 'dist', 'page', 'page.js'));
}

/** The page as served: hashed names written into the HTML. */
async function makePage(): Promise<Page> {
  const built = await builtPage();
  const named = (prefix: string, suffix: string, a: Asset): [string, Asset] => [`/page/${prefix}-${a.etag.slice(1, 9)}${suffix}`, a];
  const [igv, script, style] = [
    named('igv', '.esm.min.js', asset('text/javascript; charset=utf-8', readFileSync(igvModulePath()), true)),
    named('page', '.js', asset('text/javascript; charset=utf-8', built['page.js'], true)),
    named('page', '.css', asset('text/css; charset=utf-8', built['page.css'], true)),
  ];
  const html = built['index.html'].toString('utf8').replace('{{igv.js}}', igv[0]).replace('{{page.js}}', script[0]).replace('{{page.css}}', style[0]);
  return { index: asset('text/html; charset=utf-8', Buffer.from(html), false), assets: new Map([igv, script, style]) };
}

/**
 * Made once per process and shared by every app (tests build many): when built, read while the
 * plugin registers, so no request reads a file; from source, on first ask, so that the esbuild
 * run is paid only by the tests that open the page.
 */
let page: Promise<Page> | undefined;
function thePage(): Promise<Page> {
  page ??= makePage().catch((e: unknown) => {
    page = undefined;
    throw e;
  });
  return page;
}

/** igv.js's ES module as installed (the `igv` dependency), never a CDN. */
function igvModulePath(): string {
  return join(dirname(createRequire(import.meta.url).resolve('igv')), 'igv.esm.min.js');
}

/** A file igv.js can read as its reference, and the sequences it holds. */
type ReferenceFile = ({ fastaURL: string; indexURL: string; compressedIndexURL?: string } | { twoBitURL: string }) & { sequences: string[] };

/** What igv.js can read as a reference, per assembly: each FASTA (or 2bit) file under /files and its sequences. */
function referenceFiles(assemblies: Assemblies, data: string, files: ReadonlyMap<string, StaticFile>): Record<string, ReferenceFile[]> {
  const realData = realpathSync(data);
  const out: Record<string, ReferenceFile[]> = {};
  for (const { name, dir, store } of assemblies.list) {
    // As src/data/static-files.ts names them: the data folder's own files bare, a subfolder's under its name.
    const prefix = realpathSync(dir) === realData ? '' : `${name}/`;
    const byFile = new Map<string, { format: string; sequences: string[] }>();
    for (const { record } of store.sequences) {
      const group = byFile.get(record.file) ?? { format: record.format, sequences: [] };
      group.sequences.push(record.name);
      byFile.set(record.file, group);
    }
    out[name] = [...byFile].flatMap(([path, { format, sequences }]): ReferenceFile[] => {
      const file = `${prefix}${basename(path)}`;
      const url = `/files/${file.split('/').map(encodeURIComponent).join('/')}`;
      if (!files.has(file)) return [];
      if (format === 'fasta' && files.has(`${file}.fai`)) return [{ fastaURL: url, indexURL: `${url}.fai`, sequences }];
      if (format === '2bit') return [{ twoBitURL: url, sequences }];
      if (format === 'bgzf' && files.has(`${file}.fai`) && files.has(`${file}.gzi`))
        return [{ fastaURL: url, indexURL: `${url}.fai`, compressedIndexURL: `${url}.gzi`, sequences }];
      return [];
    });
  }
  return out;
}

/**
 * GET / (the genome page: sequences, a region box, an igv.js view) and its files under /page/:
 * the script and stylesheet under content-hashed names (immutable), igv.js's module under a
 * name with its hash too, /page/references.json for igv.js. The HTML is revalidated by ETag.
 * Every answer here carries pageCsp instead of the API's CSP that runs nothing.
 */
export const pageRoutes: FastifyPluginAsync<PageOptions> = async (app, { assemblies, data, files }) => {
  let references: string | undefined;
  for (const { store } of assemblies.list) store.onSwap(() => (references = undefined));
  if (isPrebuilt()) await thePage();

  const about = (description: string) => ({ schema: { description, tags: ['page'] } });
  app.get('/', about('The genome page (HTML): the sequences, a region box showing bases, an igv.js view'), async (request, reply) =>
    send(request, reply, (await thePage()).index),
  );
  app.get(
    '/page/references.json',
    about("For the page's igv.js view: each assembly's FASTA (or 2bit) files under /files and the sequences they hold"),
    (_request, reply) => {
      references ??= JSON.stringify(referenceFiles(assemblies, data, files));
      reply
        .header('content-security-policy', pageCsp)
        .header('cache-control', 'no-cache')
        .header('content-type', 'application/json; charset=utf-8')
        .send(references);
    },
  );
  app.get(
    '/page/:file',
    about("The page's script and stylesheet and igv.js's module, under content-hashed names (cached as immutable)"),
    async (request, reply) => {
      const found = (await thePage()).assets.get(request.url.split('?')[0]!);
      if (!found) throw new ProblemError('not-found', `no page file ${JSON.stringify(request.url.slice(0, 200))}; GET / is the page`);
      return send(request, reply, found);
    },
  );
};

async function send(request: FastifyRequest, reply: FastifyReply, a: Asset): Promise<FastifyReply> {
  const { type, body, etag, immutable } = a;
  reply
    .header('content-security-policy', pageCsp)
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('etag', etag)
    .header('vary', 'accept-encoding');
  if (request.headers['if-none-match']?.split(/\s*,\s*/).includes(etag)) return reply.code(304).send();
  reply.header('content-type', type);
  const zipped = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? '')) ? await gzipOf(a) : undefined;
  if (zipped && zipped.length < body.length) return reply.header('content-encoding', 'gzip').send(zipped);
  return reply.send(body);
}
