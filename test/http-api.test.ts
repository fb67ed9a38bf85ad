import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { wrap } from './helpers/fasta-fixtures.js';
import type { Problem } from './helpers/problem.js';

// A small hand-written genome: the expected strings below are the oracle.
const chr1 = 'ACGTACGTNNnnacgtRYKMSWBDHV' + 'ACGTTGCA'.repeat(20); // 186 bases
const chr2 = 'GATTACA';
// samtools leaves an empty record out of the index, so the server does not list it.
const fasta = `>chr1 first\n${wrap(chr1, 60)}>dropped\n>chr2\n${chr2}\n`;

describe('HTTP API shape', () => {
  let dir: string;
  let app: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-api-'));
    writeFileSync(join(dir, 'g.fa'), fasta);
    writeFileSync(join(dir, 'r1.raw'), 'ACGTNacgtn');
    writeFileSync(join(dir, 'empty.raw'), '');
    writeFileSync(join(dir, 'odd.raw'), Buffer.of(0x41, 0xe9, 0x43));
    app = await testApp(dir);
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  it('lists sequences with their lengths', async () => {
    const res = await get('/chrom');
    assert.equal(res.statusCode, 200);
    // Files in name order (empty.raw, g.fa, odd.raw, r1.raw), sequences in file order, each
    // with the alias of the built-in chr-prefix rule.
    assert.deepEqual(res.json(), [
      { name: 'empty', length: 0, aliases: ['chrempty'] },
      { name: 'chr1', length: chr1.length, aliases: ['1'] },
      { name: 'chr2', length: chr2.length, aliases: ['2'] },
      { name: 'odd', length: 3, aliases: ['chrodd'] },
      { name: 'r1', length: 10, aliases: ['chrr1'] },
    ]);
  });

  it('describes one sequence with its line layout', async () => {
    const res = await get('/chrom/chr1');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      name: 'chr1',
      length: chr1.length,
      format: 'fasta',
      file: 'g.fa',
      offset: 12,
      lineBases: 60,
      lineBytes: 61,
      aliases: ['1'],
    });
  });

  it('answers one base as text/plain with an exact length', async () => {
    for (const i of [0, 8, 12, 59, 60, 61, chr1.length - 1]) {
      const res = await get(`/chrom/chr1/base/${i}`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, chr1[i]);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.equal(res.headers['content-length'], '1');
    }
  });

  it('answers ranges, with defaults and reverse complement', async () => {
    assert.equal((await get('/chrom/chr1/range?start=55&end=125')).body, chr1.slice(55, 125));
    assert.equal((await get('/chrom/chr1/range')).body, chr1);
    assert.equal((await get('/chrom/chr1/range?start=180')).body, chr1.slice(180));
    assert.equal((await get('/chrom/chr1/range?end=3')).body, 'ACG');
    assert.equal((await get('/chrom/chr1/range?start=5&end=5')).body, '');
    assert.equal((await get('/chrom/chr1/range?start=0&end=26&strand=-')).body, 'BDHVWSKMRYacgtnnNNACGTACGT');
    assert.equal((await get('/chrom/chr1/range?start=0&end=26&strand=%2B')).body, chr1.slice(0, 26));
    assert.equal((await get('/chrom/r1/range?start=2&end=8')).body, 'GTNacg');
    const empty = await get('/chrom/empty/range');
    assert.equal(empty.statusCode, 200);
    assert.equal(empty.body, '');
    assert.equal((await get('/chrom/dropped')).statusCode, 404);
    const res = await get('/chrom/chr2/range');
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.equal(res.headers['content-length'], String(chr2.length));
  });

  it('honours Range headers over the answer bytes', async () => {
    const cases: [string, number, number][] = [
      ['bytes=0-9', 0, 10],
      ['bytes=100-', 100, chr1.length],
      ['bytes=-7', chr1.length - 7, chr1.length],
      ['bytes=180-999', 180, chr1.length],
      ['bytes=-1000', 0, chr1.length],
    ];
    for (const [header, from, to] of cases) {
      const res = await get('/chrom/chr1/range', { range: header });
      assert.equal(res.statusCode, 206, header);
      assert.equal(res.body, chr1.slice(from, to), header);
      assert.equal(res.headers['content-range'], `bytes ${from}-${to - 1}/${chr1.length}`);
      assert.equal(res.headers['content-length'], String(to - from));
    }
    // Relative to the selected range, and to its reverse complement.
    const sub = await get('/chrom/chr2/range?start=1&end=6', { range: 'bytes=1-2' });
    assert.equal(sub.body, 'TT');
    assert.equal(sub.headers['content-range'], 'bytes 1-2/5');
    const rc = await get('/chrom/chr2/range?strand=-', { range: 'bytes=0-2' });
    assert.equal(rc.body, 'TGT'); // revcomp(GATTACA) = TGTAATC
  });

  it('answers 416 with Content-Range for an unsatisfiable Range', async () => {
    for (const header of ['bytes=186-', 'bytes=500-600', 'bytes=-0', 'bytes=99999999999999999999-']) {
      const res = await get('/chrom/chr1/range', { range: header });
      assert.equal(res.statusCode, 416, header);
      assert.equal(res.headers['content-range'], `bytes */${chr1.length}`);
      assert.equal(res.headers['content-type'], 'application/problem+json');
    }
  });

  it('ignores Range headers it does not serve (multiple ranges, other units, garbage)', async () => {
    for (const header of ['bytes=0-1,5-6', 'items=0-1', 'bytes=5-2', 'nonsense']) {
      const res = await get('/chrom/chr2/range', { range: header });
      assert.equal(res.statusCode, 200, header);
      assert.equal(res.body, chr2);
    }
  });

  it('answers HEAD on every route without a body', async () => {
    for (const url of ['/chrom', '/chrom/chr1', '/chrom/chr1/base/3', '/chrom/chr1/range?start=1&end=50', '/healthz', '/readyz']) {
      const res = await app.inject({ method: 'HEAD', url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, '', url);
    }
    const res = await app.inject({ method: 'HEAD', url: '/chrom/chr1/range?start=1&end=50' });
    assert.equal(res.headers['content-length'], '49');
  });

  it('sends a byte past ASCII as that very byte', async () => {
    const res = await get('/chrom/odd/base/1');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.rawPayload, Buffer.of(0xe9));
  });

  it('reports health and readiness', async () => {
    assert.equal((await get('/healthz')).statusCode, 200);
    const ready = await get('/readyz');
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json<{ sequences: number }>().sequences, 5);
  });
});

describe('bad input gets problem+json and changes nothing', () => {
  let dir: string;
  let app: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-err-'));
    writeFileSync(join(dir, 'g.fa'), fasta);
    writeFileSync(join(dir, 'empty.raw'), '');
    app = await testApp(dir);
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: [url: string, status: number, detail: RegExp][] = [
    ['/chrom/chr1/base/-1', 400, /offset/],
    ['/chrom/chr1/base/1.5', 400, /offset/],
    ['/chrom/chr1/base/abc', 400, /offset/],
    ['/chrom/chr1/base/1e3', 400, /offset/],
    ['/chrom/chr1/base/9007199254740993', 400, /2\^53/],
    ['/chrom/chr1/base/186', 416, /past the end of "chr1".*186/],
    ['/chrom/chr1/base/99999999999', 416, /past the end/],
    ['/chrom/empty/base/0', 416, /past the end of "empty"/],
    ['/chrom/nope/base/1', 404, /"nope".*GET \/chrom/],
    ['/chrom/nope', 404, /"nope"/],
    ['/chrom/nope/range', 404, /"nope"/],
    ['/chrom/chr1/range?start=-5', 400, /start/],
    ['/chrom/chr1/range?start=5&end=x', 400, /end/],
    ['/chrom/chr1/range?start=0x10', 400, /start/],
    ['/chrom/chr1/range?start=10&end=5', 400, /start 10 is greater than end 5/],
    ['/chrom/chr1/range?start=0&end=187', 416, /past the end of "chr1"/],
    ['/chrom/chr1/range?start=200', 416, /past the end/],
    ['/chrom/chr1/range?strand=x', 400, /strand/],
    ['/no/such/route', 404, /no route/],
    ['/chrom/%E0%A4%A/base/1', 400, /percent-encoding/],
    [`/chrom/${'x'.repeat(5000)}/base/1`, 414, /too long/],
    ['/chrom/chr1/range?start=1&start=2', 400, /start/],
  ];

  for (const [url, status, detail] of cases) {
    it(`${url.slice(0, 60)} → ${status}`, async () => {
      const res = await app.inject(url);
      assert.equal(res.statusCode, status);
      assert.equal(res.headers['content-type'], 'application/problem+json');
      const body = res.json<Problem>();
      assert.equal(body.status, status);
      assert.equal(typeof body.title, 'string');
      assert.match(body.type, /^urn:seqserve:problem:/);
      assert.match(body.detail, detail);
      assert.doesNotMatch(res.body, /\/tmp|at .*\.ts:|node_modules/);
      if (status === 416) assert.match(String(res.headers['content-range']), /^bytes \*\/\d+$/);
    });
  }

  it('answers an internal failure with a bare 500 that shows no path or stack', async () => {
    const quiet = await testApp(dir);
    quiet.get('/boom', () => {
      throw new Error(`cannot read ${dir}/secret.fa at MappedFile.copy (/work/src/store/mapped-file.ts:1:1)`);
    });
    try {
      const res = await quiet.inject('/boom');
      assert.equal(res.statusCode, 500);
      assert.equal(res.headers['content-type'], 'application/problem+json');
      assert.equal(res.json<Problem>().status, 500);
      assert.doesNotMatch(res.body, /secret|mapped-file|\/tmp|\/work/);
    } finally {
      await quiet.close();
    }
  });

  it('keeps serving correctly after bad input', async () => {
    assert.equal((await app.inject('/chrom/chr1/range?start=3&end=9')).body, chr1.slice(3, 9));
  });
});
