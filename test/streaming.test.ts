import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { listeningApp } from './helpers/app.js';
import { rssAnonKiB } from './helpers/memory.js';

const MB = 1_000_000;
const chromLength = 250 * MB;
const marks: [number, string][] = [
  [0, 'ACGTACGT'],
  [123_456_789, 'GATTACA'],
  [chromLength - 5, 'TTTTT'],
];

/** What the 250 Mbp sparse chromosome holds: zero bytes, with a few marks written in. */
function expectedHash(start: number, end: number): string {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(4 * MB);
  for (let at = start; at < end; at += chunk.length) {
    const piece = chunk.subarray(0, Math.min(chunk.length, end - at)).fill(0);
    for (const [pos, text] of marks) {
      for (let k = 0; k < text.length; k++) {
        const p = pos + k - at;
        if (p >= 0 && p < piece.length) piece[p] = text.charCodeAt(k);
      }
    }
    hash.update(piece);
  }
  return hash.digest('hex');
}

function get(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => request(url, resolve).on('error', reject).end());
}

describe('streaming a whole 250 Mbp chromosome', () => {
  let dir: string;
  let app: FastifyInstance;
  let url: string;
  const closedSockets: number[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-stream-'));
    const fd = openSync(join(dir, 'big.raw'), 'w');
    ftruncateSync(fd, chromLength);
    for (const [pos, text] of marks) writeSync(fd, text, pos, 'latin1');
    closeSync(fd);
    ({ app, url } = await listeningApp(dir));
    app.server.on('connection', (socket: Socket) => socket.on('close', () => closedSockets.push(socket.bytesWritten)));
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends every byte, with an exact Content-Length, in chunks', async () => {
    const res = await get(`${url}/chrom/big/range`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], String(chromLength));
    const hash = createHash('sha256');
    let chunks = 0;
    let bytes = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      chunks++;
    }
    assert.equal(bytes, chromLength);
    assert.ok(chunks > 100, `streamed in ${chunks} chunks`);
    assert.equal(hash.digest('hex'), expectedHash(0, chromLength));
  });

  it('answers HEAD of the whole chromosome with its length and no body', async () => {
    const closed = closedSockets.length;
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      request(`${url}/chrom/big/range`, { method: 'HEAD' }, resolve).on('error', reject).end(),
    );
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], String(chromLength));
    assert.equal((await res.toArray()).length, 0, 'no body');
    const ranged = await new Promise<IncomingMessage>((resolve, reject) =>
      request(`${url}/chrom/big/range`, { method: 'HEAD', headers: { range: 'bytes=-5' } }, resolve)
        .on('error', reject)
        .end(),
    );
    assert.equal(ranged.statusCode, 206);
    assert.equal(ranged.headers['content-length'], '5');
    assert.equal(closedSockets.length, closed, 'the connection stays open for the next request');
  });

  it('streams the reverse complement of a large range', async () => {
    const start = 123_456_789 - 2 * MB;
    const end = 123_456_789 + 7;
    const res = await get(`${url}/chrom/big/range?start=${start}&end=${end}&strand=-`);
    const body = Buffer.concat(await res.toArray());
    assert.equal(body.length, end - start);
    assert.equal(body.subarray(0, 7).toString('latin1'), 'TGTAATC');
    assert.equal(
      body.subarray(7).every((b) => b === 0),
      true,
    );
  });

  it('stops work when the client hangs up mid-body, and keeps serving', async () => {
    const before = rssAnonKiB();
    closedSockets.length = 0;
    const { port } = new URL(url);
    for (let round = 0; round < 5; round++) {
      // A raw socket that reads the first chunk, stops reading for a while, then hangs up:
      // a server that ignored backpressure would queue the whole 250 MB meanwhile.
      const socket = connect(Number(port), '127.0.0.1');
      socket.write('GET /chrom/big/range HTTP/1.1\r\nHost: test\r\n\r\n');
      await new Promise<void>((resolve) => socket.once('data', () => resolve()));
      socket.pause();
      await new Promise((r) => setTimeout(r, 200));
      socket.destroy();
    }
    for (let i = 0; i < 100 && closedSockets.length < 5; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(closedSockets.length, 5, 'each aborted connection closed on the server');
    for (const written of closedSockets) assert.ok(written < 64 * MB, `wrote ${written} bytes of ${chromLength} to a client that stopped reading`);
    const res = await get(`${url}/chrom/big/range?start=${chromLength - 5}`);
    assert.equal(Buffer.concat(await res.toArray()).toString('latin1'), 'TTTTT');
    assert.ok(rssAnonKiB() - before < 64 * 1024, `anonymous memory grew by ${rssAnonKiB() - before} KiB`);
  });
});
