/**
 * POST /batch answers streamed (a low stream threshold, over a real socket): 100,000 regions in
 * JSON and FASTA, whole chromosomes piece by piece on both strands, and a client that hangs up
 * mid-answer without harm to the next request.
 *
 * Run alone: node --import tsx --test test/batch-streamed.test.ts
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { listeningApp } from './helpers/app.js';
import { sequencesOf } from './helpers/batch-client.js';
import { writeBatchGenome } from './helpers/batch-genome.js';
import { prng, randInt } from './helpers/fasta-fixtures.js';

const genome = writeBatchGenome();
after(() => genome.remove());
const { dir, oracle, names, expectedBases } = genome;

describe('POST /batch, streamed', () => {
  let app: FastifyInstance;
  let url = '';
  before(async () => {
    // A low threshold: every answer but the smallest goes out as a stream.
    ({ app, url } = await listeningApp(dir, { streamThreshold: 1024 }));
  });
  after(async () => {
    await app?.close();
  });

  test('100,000 regions of 100 bp answer correctly (a sample of 2,000 checked, and the count)', async (t) => {
    const rng = prng(21);
    const long = names.filter((n) => oracle.get(n)!.length >= 100); // not chrM
    const regions: { name: string; start: number; reverse: boolean }[] = [];
    for (let k = 0; k < 100_000; k++) {
      const name = long[randInt(rng, 0, long.length - 1)]!;
      const L = oracle.get(name)!.length;
      regions.push({ name, start: randInt(rng, 0, L - 100), reverse: rng() < 0.3 });
    }
    const bed = regions.map((r) => `${r.name}\t${r.start}\t${r.start + 100}\t.\t0\t${r.reverse ? '-' : '+'}`).join('\n') + '\n';
    const t0 = performance.now();
    const res = await fetch(`${url}/batch`, { method: 'POST', body: bed, headers: { 'content-type': 'text/x-bed' } });
    const text = await res.text();
    const ms = performance.now() - t0;
    assert.equal(res.status, 200, text.slice(0, 300));
    assert.equal(res.headers.get('content-length'), null, 'a streamed answer (no Content-Length)');
    const got = sequencesOf(text);
    assert.equal(got.length, 100_000, 'one answer per region');
    for (let k = 0; k < 2000; k++) {
      const i = randInt(rng, 0, regions.length - 1);
      const r = regions[i]!;
      assert.equal(got[i]!.sequence, expectedBases(r.name, r.start, r.start + 100, r.reverse), `region ${i} (${r.name}:${r.start}, reverse ${r.reverse})`);
      assert.equal(got[i]!.start, r.start, `region ${i}: start`);
    }
    t.diagnostic(`100,000 x 100 bp, BED in, JSON out, over loopback: ${ms.toFixed(0)} ms wall (rough, one run)`);

    const fasta = await fetch(`${url}/batch?format=fasta`, { method: 'POST', body: bed, headers: { 'content-type': 'text/x-bed' } });
    const fastaText = await fasta.text();
    assert.equal(fasta.status, 200, fastaText.slice(0, 200));
    const headers = fastaText.split('\n').filter((l) => l.startsWith('>'));
    assert.equal(headers.length, 100_000, 'one FASTA record per region');
    assert.equal(
      fastaText.length,
      100_000 * 101 + headers.reduce((n, h) => n + h.length + 1, 0) + 100_000,
      'FASTA size: 100 bases in lines of 60 (two line ends) per record',
    );
  });

  test('long regions are streamed piece by piece: whole chromosomes, both strands, wrapped, case', async () => {
    const body = {
      regions: ['chr1', { name: 'chr1', start: 3, end: 199_999, strand: '-' }, 'r1', 'u1:7-4990', { name: 'r1', start: 1, end: 29_999, strand: '-' }],
    };
    const want: [string, number, number, boolean][] = [
      ['chr1', 0, 200_000, false],
      ['chr1', 3, 199_999, true],
      ['r1', 0, 30_000, false],
      ['u1', 6, 4990, false],
      ['r1', 1, 29_999, true],
    ];
    for (const query of ['', '?case=upper']) {
      const res = await fetch(`${url}/batch${query}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      const got = sequencesOf(await res.text());
      want.forEach(([name, s, e, rev], i) => {
        const bases = expectedBases(name, s, e, rev);
        assert.equal(got[i]!.sequence, query ? bases.toUpperCase() : bases, `${query} region ${i}`);
      });
      const fasta = await fetch(`${url}/batch?format=fasta&width=70${query ? '&case=upper' : ''}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      const records = (await fasta.text()).split('>').slice(1);
      want.forEach(([name, s, e, rev], i) => {
        const [, ...lines] = records[i]!.split('\n');
        assert.ok(
          lines.slice(0, -2).every((l) => l.length === 70),
          `${query} FASTA record ${i}: full lines of 70`,
        );
        const bases = expectedBases(name, s, e, rev);
        assert.equal(lines.join(''), query ? bases.toUpperCase() : bases, `${query} FASTA record ${i}: bases`);
      });
    }
  });

  test('a client that hangs up stops the answer; the server keeps serving', async () => {
    // node:http, not fetch: an aborted fetch leaves the socket open (the server would wait for it on close).
    const body = JSON.stringify({ regions: Array.from({ length: 2000 }, () => 'chr1') });
    const firstChunk = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/batch`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.once('data', (chunk: Buffer) => {
          req.destroy();
          resolve(chunk.length);
        });
      });
      req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
      req.end(body);
    });
    assert.ok(firstChunk > 0, 'the answer had started');
    const after = await fetch(`${url}/batch`, { method: 'POST', body: '{"regions":["chrM:1-5"]}', headers: { 'content-type': 'application/json' } });
    assert.equal(after.status, 200, 'the next request is answered');
    assert.equal(sequencesOf(await after.text())[0]!.sequence, expectedBases('chrM', 0, 5, false), 'and correctly');
  });
});
