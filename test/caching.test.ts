/**
 * Validators and Cache-Control (src/http/cache.ts): strong ETags from the file's identity and
 * what selects the bytes, Last-Modified from its mtime, 304s for If-None-Match and
 * If-Modified-Since, immutable refget answers, no caching headers on errors, new ETags when a
 * reload changes the bytes (and the same ones when it does not), /chrom's ETag changing when
 * digests arrive. Bytes are checked against the naive FASTA reader.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { removeDir, subDir, tempDir, writeFasta, writeRaw } from './helpers/fasta-fixtures.js';
import { readFasta, readRaw, reverseComplement } from './helpers/naive-fasta.js';

const cacheable = 'public, max-age=600';

describe('validators and Cache-Control', () => {
  let root: string;
  let data: string;
  let app: FastifyInstance;
  let seqs: Map<string, string>;
  let faPath: string;

  before(async () => {
    root = tempDir('seqserve-caching-');
    data = subDir(root, 'data');
    faPath = writeFasta(data, 'a.fa', {
      seed: 5,
      lineWidth: 60,
      lowercase: true,
      records: [
        { name: 'chr1', length: 30_000 },
        { name: 'chr2', length: 2000 },
      ],
    }).path;
    seqs = readFasta(faPath);
    writeRaw(data, 'r', { seed: 6, length: 3000 });
    app = await testApp(data, { digests: true });
    await app.digests.done;
  });
  after(async () => {
    await app?.close();
    removeDir(root);
  });

  const inject = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') => app.inject({ method, url, headers });

  it('range, region and base answers carry a strong ETag, Last-Modified (the file mtime) and Cache-Control; 304 when asked', async () => {
    const mtime = new Date(Math.floor(statSync(faPath).mtimeMs / 1000) * 1000).toUTCString();
    for (const [url, expected] of [
      ['/chrom/chr1/range?start=10&end=500', seqs.get('chr1')!.slice(10, 500)],
      ['/chrom/chr1/range?start=10&end=500&strand=-', reverseComplement(seqs.get('chr1')!.slice(10, 500))],
      ['/region/chr1:11-500', seqs.get('chr1')!.slice(10, 500)],
      ['/chrom/chr2/base/7', seqs.get('chr2')![7]!],
      ['/assemblies/data/chrom/chr2/range?start=0&end=20', seqs.get('chr2')!.slice(0, 20)],
    ] as const) {
      const r = await inject(url);
      assert.equal(r.statusCode, 200, url);
      assert.equal(r.body, expected, `${url}: bytes`);
      assert.match(String(r.headers.etag), /^"[!#-~]+"$/, `${url}: a strong ETag`);
      assert.equal(r.headers['last-modified'], mtime, `${url}: Last-Modified`);
      assert.equal(r.headers['cache-control'], cacheable, `${url}: Cache-Control`);
      const etag = String(r.headers.etag);
      for (const conditional of [{ 'if-none-match': etag }, { 'if-none-match': `"nope", W/${etag}` }, { 'if-modified-since': mtime }] as Record<
        string,
        string
      >[]) {
        const again = await inject(url, conditional);
        assert.equal(again.statusCode, 304, `${url} ${JSON.stringify(conditional)}`);
        assert.equal(again.rawPayload.length, 0, '304 has no body');
        assert.equal(again.headers.etag, etag, '304 says the ETag');
        assert.equal(again.headers['cache-control'], cacheable, '304 says Cache-Control');
      }
      assert.equal((await inject(url, { 'if-none-match': '"other"' })).statusCode, 200, `${url}: another ETag`);
      assert.equal((await inject(url, { 'if-modified-since': new Date(Date.parse(mtime) - 1000).toUTCString() })).statusCode, 200, `${url}: modified since`);
      const failed = await inject(url, { 'if-match': '"other"' });
      assert.equal(failed.statusCode, 412, `${url}: If-Match`);
      assert.equal(failed.headers['cache-control'], undefined, '412 is not cacheable');
      const head = await inject(url, {}, 'HEAD');
      assert.deepEqual([head.headers.etag, head.headers['last-modified'], head.headers['cache-control']], [etag, mtime, cacheable], `${url}: HEAD`);
    }
  });

  it('each choice of bytes has its own ETag; the same bytes under /range and /region share one', async () => {
    const tags = new Set<string>();
    for (const q of [
      'start=0&end=100',
      'start=0&end=101',
      'start=1&end=101',
      'start=0&end=100&strand=-',
      'start=0&end=100&case=upper',
      'start=0&end=100&case=lower',
      'start=0&end=100&mask=hard',
    ]) {
      tags.add(String((await inject(`/chrom/chr1/range?${q}`)).headers.etag));
    }
    tags.add(String((await inject('/chrom/chr2/range?start=0&end=100')).headers.etag));
    assert.equal(tags.size, 8, [...tags].join(' '));
    const viaRegion = await inject('/region/chr1:1-100');
    const viaRange = await inject('/chrom/chr1/range?start=0&end=100');
    assert.equal(viaRegion.headers.etag, viaRange.headers.etag);
    assert.equal((await inject('/chrom/1/range?start=0&end=100')).headers.etag, viaRange.headers.etag, 'an alias names the same bytes');
  });

  it('a Range gives 206 with the ETag of the whole answer; If-Range decides, and 304 beats 206', async () => {
    const url = '/chrom/chr1/range?start=0&end=1000';
    const etag = String((await inject(url)).headers.etag);
    const partial = await inject(url, { range: 'bytes=10-19', 'if-range': etag });
    assert.equal(partial.statusCode, 206);
    assert.equal(partial.body, seqs.get('chr1')!.slice(10, 20));
    assert.equal(partial.headers.etag, etag);
    const whole = await inject(url, { range: 'bytes=10-19', 'if-range': '"stale"' });
    assert.equal(whole.statusCode, 200, 'If-Range with another ETag: the whole answer');
    assert.equal(whole.body, seqs.get('chr1')!.slice(0, 1000));
    assert.equal((await inject(url, { range: 'bytes=10-19', 'if-none-match': etag })).statusCode, 304);
  });

  it('errors carry no validators and no Cache-Control', async () => {
    for (const [url, headers, code] of [
      ['/chrom/nope/range?start=0&end=10', {}, 404],
      ['/chrom/chr1/range?start=0&end=99999999', {}, 416],
      ['/chrom/chr1/range?start=0&end=100', { range: 'bytes=500-' }, 416],
      ['/chrom/chr1/range?start=9&end=5', {}, 400],
      ['/chrom/chr1/base/99999999', {}, 416],
      ['/region/nope:1-5', {}, 404],
      ['/chrom/nope', {}, 404],
      ['/assemblies/nope', {}, 404],
      ['/sequence/00000000000000000000000000000000', {}, 404],
    ] as const) {
      const r = await inject(url, headers);
      assert.equal(r.statusCode, code, `${url}: ${r.body}`);
      for (const h of ['cache-control', 'etag', 'last-modified']) assert.equal(r.headers[h], undefined, `${url}: ${h} on a ${code}`);
    }
  });

  it('JSON answers (/chrom, /chrom/NAME, /assemblies) have validators and 304s', async () => {
    for (const url of ['/chrom', '/chrom/chr1', '/chrom/r', '/assemblies', '/assemblies/data', '/assemblies/data/chrom']) {
      const r = await inject(url);
      assert.equal(r.statusCode, 200, url);
      assert.equal(r.headers['cache-control'], cacheable, url);
      assert.ok(r.headers['last-modified'], url);
      JSON.parse(r.body);
      const again = await inject(url, { 'if-none-match': String(r.headers.etag) });
      assert.equal(again.statusCode, 304, url);
      assert.equal(again.rawPayload.length, 0);
    }
    assert.notEqual((await inject('/chrom/chr1')).headers.etag, (await inject('/chrom/chr2')).headers.etag);
  });

  it('refget answers are immutable, vary by Accept, and have an ETag per media type', async () => {
    const chr2 = seqs.get('chr2')!.toUpperCase();
    const md5 = createHash('md5').update(chr2).digest('hex');
    const v2 = await inject(`/sequence/${md5}?start=5&end=50`);
    assert.equal(v2.body, chr2.slice(5, 50));
    assert.equal(v2.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(v2.headers.vary, 'Accept');
    const v1 = await inject(`/sequence/${md5}?start=5&end=50`, { accept: 'text/vnd.ga4gh.refget.v1.0.0+plain' });
    assert.notEqual(v1.headers.etag, v2.headers.etag, 'another media type, another ETag');
    assert.notEqual((await inject(`/sequence/${md5}?start=5&end=51`)).headers.etag, v2.headers.etag);
    assert.equal((await inject(`/sequence/${md5}?start=5&end=50`, { 'if-none-match': String(v2.headers.etag) })).statusCode, 304);
    const partial = await inject(`/sequence/${md5}`, { range: 'bytes=0-9' });
    assert.equal(partial.statusCode, 206);
    assert.equal(partial.headers.etag, (await inject(`/sequence/${md5}`)).headers.etag, '206 names the whole sequence');
    const meta = await inject(`/sequence/${md5}/metadata`);
    assert.equal(meta.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(meta.headers.vary, 'Accept');
    assert.equal((await inject(`/sequence/${md5}/metadata`, { 'if-none-match': String(meta.headers.etag) })).statusCode, 304);
  });

  it('a reload that changes a file changes its ETags; unchanged files keep theirs', async () => {
    const before1 = await inject('/chrom/chr1/range?start=0&end=100');
    const beforeR = await inject('/chrom/r/range?start=0&end=100');
    const beforeList = await inject('/chrom');
    // Another size: the digest sidecar trusts a file of the same size and mtime second (src/refget/digest-sidecar.ts).
    const next = writeFasta(data, 'a.fa.new', {
      seed: 55,
      lineWidth: 60,
      records: [
        { name: 'chr1', length: 30_000 },
        { name: 'chr2', length: 2001 },
      ],
    });
    renameSync(next.path, faPath);
    rmSync(`${faPath}.fai`);
    await app.reloadData();
    const after1 = await inject('/chrom/chr1/range?start=0&end=100');
    assert.equal(after1.body, readFasta(faPath).get('chr1')!.slice(0, 100));
    assert.notEqual(after1.headers.etag, before1.headers.etag, 'new bytes, new ETag');
    assert.equal((await inject('/chrom/chr1/range?start=0&end=100', { 'if-none-match': String(before1.headers.etag) })).statusCode, 200);
    const afterR = await inject('/chrom/r/range?start=0&end=100');
    assert.equal(afterR.headers.etag, beforeR.headers.etag, 'r.raw was not touched');
    assert.equal(afterR.body, readRaw(join(data, 'r.raw')).slice(0, 100));
    await app.digests.done;
    await new Promise((r) => setImmediate(r));
    assert.notEqual((await inject('/chrom')).headers.etag, beforeList.headers.etag, '/chrom: new lengths and digests, new ETag');
  });
});

describe('/chrom while digests are computed', () => {
  it('changes its ETag (and does not go back in Last-Modified) when the digests arrive', async () => {
    const root = tempDir('seqserve-caching-digests-');
    const data = subDir(root, 'data');
    writeFasta(data, 'big.fa', {
      seed: 8,
      lineWidth: 60,
      records: [
        { name: 's1', length: 3_000_000 },
        { name: 's2', length: 1000 },
      ],
    });
    const app = await testApp(data, { digests: true });
    try {
      const early = await app.inject('/chrom');
      await app.digests.done;
      await new Promise((r) => setImmediate(r));
      const late = await app.inject('/chrom');
      const firstMd5 = (body: string) => (JSON.parse(body) as { md5?: string }[])[0]?.md5;
      assert.ok(firstMd5(late.body), 'digests known in the end');
      if (firstMd5(early.body) === undefined) {
        assert.notEqual(late.headers.etag, early.headers.etag, 'the digests changed the body, and so the ETag');
        assert.equal((await app.inject({ url: '/chrom', headers: { 'if-none-match': String(early.headers.etag) } })).statusCode, 200);
        assert.ok(Date.parse(String(late.headers['last-modified'])) >= Date.parse(String(early.headers['last-modified'])));
        // HTTP-dates have whole seconds: a change within the file's own second cannot show in them.
        if (late.headers['last-modified'] !== early.headers['last-modified']) {
          assert.equal(
            (await app.inject({ url: '/chrom', headers: { 'if-modified-since': String(early.headers['last-modified']) } })).statusCode,
            200,
            'If-Modified-Since sees the change',
          );
        }
      } else {
        assert.fail('the digests were done before the first request: make the fixture larger');
      }
    } finally {
      await app.close();
      removeDir(root);
    }
  });
});
