/**
 * A real HTTP cache in front of seqserve: Debian's nginx with proxy_cache and no cache rules of
 * its own (no proxy_cache_valid), so only the server's Cache-Control, ETag and Last-Modified
 * decide. A second GET is a HIT with the same bytes (checked against the naive FASTA reader);
 * with a max-age of 1 s and proxy_cache_revalidate, data replaced and reloaded comes through, and
 * unchanged data revalidates with a 304 (REVALIDATED). Skipped when nginx is not installed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { listeningApp } from './helpers/app.js';
import { removeDir, subDir, tempDir, writeFasta, writeRaw } from './helpers/fasta-fixtures.js';
import { readFasta, readRaw, reverseComplement } from './helpers/naive-fasta.js';
import { get, nginxBinary, startCachingProxy, type CachingProxy } from './helpers/nginx.js';

const binary = nginxBinary();
const skip = binary === undefined ? 'nginx is not installed (apt-get install nginx)' : false;
const status = (r: { headers: Record<string, unknown> }) => String(r.headers['x-cache-status']);

describe('through nginx proxy_cache', { skip }, () => {
  let root: string;
  let long: { app: FastifyInstance; url: string };
  let short: { app: FastifyInstance; url: string };
  let proxy: CachingProxy;
  let fasta: Map<string, string>;
  let raw: string;
  let shortDir: string;
  const proxyDir = join(import.meta.dirname, '.tmp', `nginx-cache-${process.pid}`);

  before(async () => {
    root = tempDir('seqserve-nginx-');
    const data = subDir(root, 'long');
    const fa = writeFasta(data, 'a.fa', {
      seed: 21,
      lineWidth: 60,
      lowercase: true,
      records: [
        { name: 'chrA', length: 40_000 },
        { name: 'chrB', length: 5000 },
      ],
    });
    fasta = readFasta(fa.path);
    raw = readRaw(writeRaw(data, 'b', { seed: 22, length: 30_000 }).path);
    shortDir = subDir(root, 'short');
    writeRaw(shortDir, 'x', { seed: 23, length: 20_000 });
    writeRaw(shortDir, 'y', { seed: 24, length: 20_000 });
    long = await listeningApp(data, { digests: true });
    await long.app.digests.done;
    short = await listeningApp(shortDir, { cacheMaxAge: 1 });
    proxy = await startCachingProxy(binary!, proxyDir, [long.url, short.url]);
  });
  after(async () => {
    await proxy?.stop();
    await long?.app.close();
    await short?.app.close();
    removeDir(root);
    rmSync(proxyDir, { recursive: true, force: true });
  });

  /** Two GETs through the cache: a MISS, then a HIT with the same bytes; returns the body. */
  async function missThenHit(path: string, headers: Record<string, string> = {}): Promise<Buffer> {
    const first = await get(`${proxy.origins[0]}${path}`, headers);
    assert.equal(first.status, 200, `${path}: ${first.body.toString().slice(0, 200)}`);
    assert.equal(status(first), 'MISS', `${path}: first GET`);
    assert.match(String(first.headers['cache-control']), /^public, max-age=600$|immutable/, `${path}: Cache-Control`);
    assert.match(String(first.headers.etag), /^"[^"]+"$/, `${path}: a strong ETag`);
    const second = await get(`${proxy.origins[0]}${path}`, headers);
    assert.equal(status(second), 'HIT', `${path}: second GET`);
    assert.ok(second.body.equals(first.body), `${path}: the same bytes from the cache`);
    return second.body;
  }

  it('keeps range, region, base, /chrom and refget answers: the second GET is a HIT with the same bytes', async () => {
    const chrA = fasta.get('chrA')!;
    assert.equal((await missThenHit('/chrom/chrA/range?start=100&end=200')).toString('latin1'), chrA.slice(100, 200));
    assert.equal((await missThenHit('/chrom/chrA/range?start=100&end=30000&strand=-')).toString('latin1'), reverseComplement(chrA.slice(100, 30_000)));
    assert.equal((await missThenHit('/region/chrA:1,001-1,100')).toString('latin1'), chrA.slice(1000, 1100));
    assert.equal((await missThenHit('/chrom/b/base/77')).toString('latin1'), raw[77]);
    const list = JSON.parse((await missThenHit('/chrom')).toString()) as { name: string; length: number }[];
    assert.deepEqual(
      list.map((s) => [s.name, s.length]),
      [
        ['chrA', 40_000],
        ['chrB', 5000],
        ['b', 30_000],
      ],
    );
    const chrB = fasta.get('chrB')!.toUpperCase();
    const md5 = createHash('md5').update(chrB).digest('hex');
    assert.equal((await missThenHit(`/sequence/${md5}?start=10&end=90`)).toString('latin1'), chrB.slice(10, 90));
  });

  it('keeps each Content-Encoding as its own variant (Vary: Accept-Encoding)', async () => {
    const path = '/chrom/chrA/range?start=0&end=40000';
    const gz = await missThenHit(path, { 'accept-encoding': 'gzip' });
    assert.equal(gunzipSync(gz).toString('latin1'), fasta.get('chrA'), 'gzip variant decodes to the bases');
    const plain = await missThenHit(path);
    assert.equal(plain.toString('latin1'), fasta.get('chrA'), 'identity variant');
    const again = await get(`${proxy.origins[0]}${path}`, { 'accept-encoding': 'gzip' });
    assert.equal(again.headers['content-encoding'], 'gzip', 'the gzip variant is still kept');
    assert.ok(again.body.equals(gz));
  });

  it('after a reload, changed data comes through and unchanged data revalidates with 304', async () => {
    const at = (name: string) => `${proxy.origins[1]}/chrom/${name}/range?start=0&end=100`;
    const oldX = readRaw(join(shortDir, 'x.raw'));
    const oldY = readRaw(join(shortDir, 'y.raw'));
    const x1 = await get(at('x'));
    const y1 = await get(at('y'));
    assert.deepEqual([status(x1), status(y1)], ['MISS', 'MISS']);
    assert.equal(x1.headers['cache-control'], 'public, max-age=1');
    assert.equal(x1.body.toString('latin1'), oldX.slice(0, 100));
    // A new version of x, renamed in place, as the README asks; then the reload.
    const fresh = writeRaw(shortDir, 'x-new', { seed: 99, length: 25_000 });
    renameSync(fresh.path, join(shortDir, 'x.raw'));
    await short.app.reloadData();
    // max-age=1: nginx counts whole seconds, so after 2.1 s both entries are stale.
    await new Promise((r) => setTimeout(r, 2100));
    const x2 = await get(at('x'));
    assert.equal(x2.status, 200);
    assert.equal(status(x2), 'EXPIRED', 'the changed sequence: nginx revalidated, and got the new bytes');
    assert.equal(x2.body.toString('latin1'), fresh.sequence.slice(0, 100), 'the new bytes');
    assert.notEqual(x2.headers.etag, x1.headers.etag, 'a reload that changes the bytes changes the ETag');
    const y2 = await get(at('y'));
    assert.equal(status(y2), 'REVALIDATED', 'the unchanged sequence: revalidated with a 304');
    assert.equal(y2.body.toString('latin1'), oldY.slice(0, 100));
    assert.equal(y2.headers.etag, y1.headers.etag, 'an unchanged file keeps its ETag across a reload');
    assert.doesNotMatch(proxy.errorLog(), /\[(error|crit|alert|emerg)\]/, 'nginx logged no error');
  });
});
