/**
 * GA4GH refget v2 over HTTP: every identifier form, start/end and Range, the status codes the
 * specification and its compliance suite give, media types, metadata, service-info, the 404
 * while digests are pending, and `seqserve index`. Oracles: the generated sequences, hashed
 * here with node:crypto after refget's normalisation (upper case), and samtools dict's M5.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { listeningApp, testApp } from './helpers/app.js';
import { prng, randInt, removeDir, subDir, tempDir, writeFasta, writeRaw } from './helpers/fasta-fixtures.js';
import { oracleDigests, samtoolsDictM5 } from './helpers/refget-oracle.js';
import { hasSamtools } from './helpers/samtools.js';
import type { Problem } from './helpers/problem.js';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');

interface Expected {
  name: string;
  sequence: string;
  md5: string;
  ga4gh: string;
  trunc512: string;
}

/** The answers of /sequence/ID/metadata and /sequence/service-info, as far as the tests read them. */
interface RefgetMetadata {
  md5: string;
  ga4gh: string;
  trunc512: string;
  length: number;
  aliases: { alias: string; naming_authority: string }[];
}

interface ServiceBlock {
  circular_supported: boolean;
  algorithms: string[];
  subsequence_limit: number | null;
  identifier_types?: unknown;
  supported_api_versions?: unknown;
}

interface ServiceInfo {
  type: { group: string; artifact: string; version: string };
  refget: ServiceBlock;
  service: ServiceBlock;
}

function expected(name: string, stored: string): Expected {
  const { md5, ga4gh } = oracleDigests(stored);
  return { name, sequence: stored.toUpperCase(), md5, ga4gh, trunc512: Buffer.from(ga4gh.slice(3), 'base64url').toString('hex') };
}

/** A data folder with many kinds of sequence: widths 1, 60, 61, 80, unwrapped, CRLF, lowercase, N runs, IUPAC, a raw file. */
function writeGenome(dir: string): Expected[] {
  const all: Expected[] = [];
  const add = (m: Map<string, string>) => m.forEach((s, n) => all.push(expected(n, s)));
  const rng = prng(7);
  const widths: (number | 'unwrapped')[] = [1, 60, 61, 80, 'unwrapped'];
  widths.forEach((lineWidth, i) => {
    const records = Array.from({ length: 3 }, (_, k) => ({ name: `w${i}_${k}`, length: randInt(rng, 1, lineWidth === 1 ? 500 : 20_000) }));
    add(
      writeFasta(dir, `g${i}.fa`, { seed: 100 + i, lineWidth, records, lowercase: true, nRuns: true, alphabet: i % 2 ? 'iupac' : 'acgt', crlf: i === 2 })
        .sequences,
    );
  });
  add(writeFasta(dir, 'big.fa', { seed: 9, lineWidth: 60, records: [{ name: 'big', length: 3_000_000 }], lowercase: true }).sequences);
  const raw = writeRaw(dir, 'rawseq', { seed: 11, length: 12_345, lowercase: true });
  all.push(expected(raw.name, raw.sequence));
  return all;
}

describe('refget v2', () => {
  let root: string;
  let data: string;
  let app: FastifyInstance;
  let url: string;
  let genome: Expected[];
  let small: Expected;
  let big: Expected;

  before(async () => {
    root = tempDir('seqserve-refget-');
    data = subDir(root, 'data');
    genome = writeGenome(data);
    small = genome.find((g) => g.sequence.length > 1000 && g.name !== 'big')!;
    big = genome.find((g) => g.name === 'big')!;
    ({ app, url } = await listeningApp(data, { digests: true, streamThreshold: 65_536 }));
    await app.digests.done;
  });
  after(async () => {
    await app?.close();
    removeDir(root);
  });

  const get = (path: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: path, headers });

  it('answers every sequence by md5, md5:, SQ., ga4gh:SQ., TRUNC512 and upper-case hex, upper-cased', async () => {
    for (const g of genome.filter((x) => x !== big)) {
      for (const id of [g.md5, `md5:${g.md5}`, g.md5.toUpperCase(), g.ga4gh, `ga4gh:${g.ga4gh}`, g.trunc512, g.trunc512.toUpperCase()]) {
        const r = await get(`/sequence/${id}`);
        assert.equal(r.statusCode, 200, `${g.name} by ${id}: ${r.body.slice(0, 200)}`);
        assert.equal(r.body, g.sequence, `${g.name} by ${id}: bytes`);
      }
    }
  });

  it('streams a whole 3 Mbp sequence byte-exact, and its md5 is its identifier', async () => {
    const r = await fetch(`${url}/sequence/${big.md5}`);
    assert.equal(r.status, 200, 'status');
    assert.equal(r.headers.get('content-type'), 'text/vnd.ga4gh.refget.v2.0.0+plain; charset=us-ascii', 'content-type');
    const body = Buffer.from(await r.arrayBuffer());
    assert.equal(createHash('md5').update(body).digest('hex'), big.md5, 'md5 of the body');
    assert.ok(body.equals(Buffer.from(big.sequence, 'latin1')), 'body equals the upper-cased sequence');
  });

  it('answers start/end (0-based, half-open) with Accept-Ranges: none', async () => {
    const rng = prng(5);
    for (const g of genome.filter((x) => x.sequence.length > 10)) {
      for (let k = 0; k < 10; k++) {
        const start = randInt(rng, 0, g.sequence.length - 1);
        const end = randInt(rng, start, g.sequence.length);
        const r = await get(`/sequence/${g.md5}?start=${start}&end=${end}`);
        assert.equal(r.statusCode, 200, `${g.name} ${start}-${end}: ${r.body.slice(0, 200)}`);
        assert.equal(r.body, g.sequence.slice(start, end), `${g.name} ${start}-${end}`);
        assert.equal(r.headers['accept-ranges'], 'none', 'accept-ranges');
      }
      const n = g.sequence.length;
      assert.equal((await get(`/sequence/${g.md5}?start=5&end=5`)).body, '', 'start = end is empty');
      assert.equal((await get(`/sequence/${g.md5}?start=${n - 3}`)).body, g.sequence.slice(n - 3), 'start only');
      assert.equal((await get(`/sequence/${g.md5}?end=4`)).body, g.sequence.slice(0, 4), 'end only');
      assert.equal((await get(`/sequence/${g.md5}?end=0`)).body, '', 'end=0');
    }
  });

  it('answers a Range header with 206 and Content-Range, clipping a last byte past the end', async () => {
    const n = small.sequence.length;
    const cases: [string, number, number][] = [
      ['bytes=10-19', 10, 20],
      ['bytes=0-0', 0, 1],
      [`bytes=10-${n - 1}`, 10, n],
      ['bytes=10-99999999', 10, n],
      ['bytes=7-', 7, n],
      ['bytes=-5', n - 5, n],
    ];
    for (const [range, from, to] of cases) {
      const r = await get(`/sequence/${small.md5}`, { range });
      assert.equal(r.statusCode, 206, `${range}: ${r.body.slice(0, 200)}`);
      assert.equal(r.body, small.sequence.slice(from, to), `${range} bytes`);
      assert.equal(r.headers['content-range'], `bytes ${from}-${to - 1}/${n}`, `${range} content-range`);
      assert.equal(Number(r.headers['content-length']), to - from, `${range} content-length`);
    }
  });

  it('gives the statuses of the specification and its compliance suite', async () => {
    const n = small.sequence.length;
    const id = small.md5;
    const cases: [string, Record<string, string>, number][] = [
      [`?start=abc&end=20`, {}, 400],
      [`?start=-10&end=-29`, {}, 400],
      [`?start=abc`, {}, 400],
      [`?start=1.5`, {}, 400],
      [`?start=${2 ** 32}`, {}, 400],
      [`?start=67&end=${n + 1}`, {}, 416],
      [`?start=${n}&end=${n}`, {}, 416],
      [`?start=${n}&end=5`, {}, 416],
      [`?start=${n + 100}`, {}, 416],
      [`?start=20&end=10`, {}, 501],
      [`?start=1`, { range: 'bytes=1-2' }, 400],
      ['', { range: 'units=20-30' }, 400],
      ['', { range: 'bytes=ab-19' }, 400],
      ['', { range: 'bytes=-10--19' }, 400],
      ['', { range: 'bytes=10--19' }, 400],
      ['', { range: 'bytes=-10-' }, 400],
      ['', { range: 'bytes==10-19' }, 400],
      ['', { range: 'bytes=1-2,5-6' }, 400],
      ['', { range: 'bytes=59-50' }, 416],
      ['', { range: `bytes=${n}-${n + 4}` }, 416],
      ['', { range: `bytes=${n + 1000}-${n + 9999}` }, 416],
      ['', { range: `bytes=${n}-` }, 416],
    ];
    for (const [query, headers, status] of cases) {
      const r = await get(`/sequence/${id}${query}`, headers);
      assert.equal(r.statusCode, status, `${query} ${JSON.stringify(headers)}: ${r.body}`);
      assert.equal(r.headers['content-type'], 'application/problem+json', `${query}: problem+json`);
      assert.equal((JSON.parse(r.body) as Problem).status, status, `${query}: problem status`);
      // RFC 9110 §15.5.17: a 416 says the length it could have served.
      if (status === 416) assert.equal(r.headers['content-range'], `bytes */${n}`, `${query} ${JSON.stringify(headers)}: content-range`);
    }
    for (const bad of ['Garbagechecksum', 'md5:xyz', 'SQ.short', 'a'.repeat(32), '0'.repeat(48)]) {
      const r = await get(`/sequence/${bad}`);
      assert.equal(r.statusCode, 404, `${bad}: ${r.body}`);
      assert.equal((await get(`/sequence/${bad}/metadata`)).statusCode, 404, `${bad} metadata`);
    }
  });

  it('negotiates media types: refget v2 and v1 types, text/plain, wildcards; 406 otherwise', async () => {
    const v2 = 'text/vnd.ga4gh.refget.v2.0.0+plain; charset=us-ascii';
    const cases: [string | undefined, number, string?][] = [
      [undefined, 200, v2],
      ['*/*', 200, v2],
      ['text/*', 200, v2],
      ['text/plain', 200, v2],
      ['text/vnd.ga4gh.refget.v2.0.0+plain', 200, v2],
      ['text/vnd.ga4gh.refget.v2.0.0+plain; charset=us-ascii', 200, v2],
      ['text/vnd.ga4gh.refget.v1.0.0+plain', 200, 'text/vnd.ga4gh.refget.v1.0.0+plain; charset=us-ascii'],
      ['application/json', 406],
      ['embl/some_json', 406],
      ['text/plain;q=0', 406],
    ];
    for (const [accept, status, type] of cases) {
      const r = await get(`/sequence/${small.md5}?start=0&end=3`, accept === undefined ? {} : { accept });
      assert.equal(r.statusCode, status, `Accept ${accept}: ${r.body}`);
      if (type) assert.equal(r.headers['content-type'], type, `Accept ${accept}: content-type`);
    }
    assert.equal((await get(`/sequence/${small.md5}/metadata`, { accept: 'text/plain' })).statusCode, 406, 'metadata as text/plain');
    assert.equal((await get('/sequence/service-info', { accept: 'text/html' })).statusCode, 406, 'service-info as text/html');
  });

  it('answers metadata with md5, ga4gh, trunc512, length and the names as aliases', async () => {
    for (const g of genome) {
      const r = await get(`/sequence/${g.ga4gh}/metadata`);
      assert.equal(r.statusCode, 200, `${g.name}: ${r.body}`);
      assert.equal(r.headers['content-type'], 'application/vnd.ga4gh.refget.v2.0.0+json; charset=us-ascii', 'content-type');
      const { metadata } = JSON.parse(r.body) as { metadata: RefgetMetadata };
      assert.equal(metadata.md5, g.md5, `${g.name} md5`);
      assert.equal(metadata.ga4gh, g.ga4gh, `${g.name} ga4gh`);
      assert.equal(metadata.trunc512, g.trunc512, `${g.name} trunc512`);
      assert.equal(metadata.length, g.sequence.length, `${g.name} length`);
      assert.ok(
        metadata.aliases.some((a) => a.alias === g.name && a.naming_authority.length > 0),
        `${g.name} among its aliases: ${JSON.stringify(metadata.aliases)}`,
      );
    }
  });

  it('describes the service for refget v2 and v1 clients', async () => {
    const r = await get('/sequence/service-info');
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['content-type'], 'application/vnd.ga4gh.refget.v2.0.0+json; charset=us-ascii', 'content-type');
    const info = JSON.parse(r.body) as ServiceInfo;
    assert.deepEqual(info.type, { group: 'org.ga4gh', artifact: 'refget', version: '2.0.0' }, 'type');
    for (const block of [info.refget, info.service]) {
      assert.equal(block.circular_supported, false, 'circular_supported');
      assert.deepEqual([...block.algorithms].sort(), ['ga4gh', 'md5', 'trunc512'], 'algorithms');
      assert.ok('subsequence_limit' in block, 'subsequence_limit');
    }
    assert.ok(Array.isArray(info.refget.identifier_types), 'identifier_types');
    assert.ok(Array.isArray(info.service.supported_api_versions), 'supported_api_versions');
  });

  it('answers HEAD with the length and no body', async () => {
    const r = await app.inject({ method: 'HEAD', url: `/sequence/${small.md5}?start=2&end=9` });
    assert.equal(r.statusCode, 200, 'status');
    assert.equal(r.headers['content-length'], '7', 'content-length');
    assert.equal(r.body, '', 'no body');
  });

  it("agrees with samtools dict's M5 for every FASTA sequence", { skip: !hasSamtools() && 'samtools is not installed' }, async () => {
    for (const file of ['g0.fa', 'g1.fa', 'g2.fa', 'g3.fa', 'g4.fa', 'big.fa']) {
      for (const [name, m5] of samtoolsDictM5(join(data, file))) {
        assert.equal(m5, genome.find((g) => g.name === name)?.md5, `${file} ${name}: samtools M5`);
        assert.equal((await get(`/sequence/${m5}/metadata`)).statusCode, 200, `${name} found by samtools' M5`);
      }
    }
  });
});

describe('refget digests: pending, sidecars and seqserve index', () => {
  let root: string;
  let data: string;
  let genome: Expected[];

  before(() => {
    root = tempDir('seqserve-refget-idx-');
    data = subDir(root, 'data');
    genome = [];
    writeFasta(data, 'p.fa', {
      seed: 3,
      lineWidth: 70,
      records: [
        { name: 'p1', length: 5000 },
        { name: 'p2', length: 777 },
      ],
    }).sequences.forEach((s, n) => genome.push(expected(n, s)));
  });
  after(() => removeDir(root));

  it('says 404 with the reason while digests are not computed yet', async () => {
    const app = await testApp(data, { digests: false });
    try {
      const r = await app.inject(`/sequence/${genome[0]!.md5}`);
      assert.equal(r.statusCode, 404, r.body);
      assert.match((JSON.parse(r.body) as Problem).detail, /still being computed/, 'detail explains why');
      const ready = JSON.parse((await app.inject('/readyz')).body) as { digests: { known: number; total: number } };
      assert.deepEqual(ready.digests, { known: 0, total: genome.length }, 'readyz counts digests');
    } finally {
      await app.close();
    }
  });

  it('seqserve index writes sidecars; a server then knows every digest at once and serves the sidecar', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', cli, 'index', data]);
    assert.match(stdout, /digests of 2 computed/, `index output: ${stdout}`);
    assert.ok(existsSync(join(data, 'p.fa.refget.tsv')), 'sidecar written');
    const again = await run(process.execPath, ['--import', 'tsx', cli, 'index', data]);
    assert.match(again.stdout, /0 computed, 2 already stored/, `second index: ${again.stdout}`);
    const app = await testApp(data, { digests: false });
    try {
      for (const g of genome) {
        const r = await app.inject(`/sequence/${g.ga4gh}`);
        assert.equal(r.statusCode, 200, `${g.name}: ${r.body}`);
        assert.equal(r.body, g.sequence, `${g.name} bytes`);
      }
      const sidecar = await app.inject('/files/p.fa.refget.tsv');
      assert.equal(sidecar.statusCode, 200, 'sidecar under /files');
      assert.match(sidecar.body, new RegExp(`p1\\t5000\\t${genome.find((g) => g.name === 'p1')!.md5}\\t`), 'sidecar row');
    } finally {
      await app.close();
    }
  });
});
