/**
 * Closing the server ends each connection after its answer (FIN) and waits for the client to
 * close its side before the process may exit: in a container, exiting earlier loses whatever
 * of the answer still sits in socket buffers (docker/check-image.sh shows that end to end).
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { listeningApp } from './helpers/app.js';
import { tempDir, writeFasta } from './helpers/fasta-fixtures.js';

/** A keep-alive client on a raw socket: sends one request and collects everything it receives. */
function rawClient(url: string, path: string): { socket: Socket; received: () => string; ended: Promise<void> } {
  const { hostname, port } = new URL(url);
  // Half-open allowed: the client decides when to close its side, as one still reading would.
  const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: true });
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (text += chunk));
  const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
  return { socket, received: () => text, ended };
}

describe('closing drains connections', () => {
  let app: FastifyInstance;
  let url: string;
  let sequence: string;

  before(async () => {
    const dir = tempDir();
    sequence = writeFasta(dir, 'g.fa', { seed: 2, lineWidth: 60, records: [{ name: 'chr1', length: 10_000 }] }).sequences.get('chr1')!;
    ({ app, url } = await listeningApp(dir));
  });

  after(async () => {
    await app.close().catch(() => {});
  });

  it('ends an idle keep-alive connection with FIN and waits until the client closes it', async () => {
    const client = rawClient(url, '/chrom/chr1/range?start=0&end=5000');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(client.received().endsWith(sequence.slice(0, 5000)), 'the answer arrived whole before the close');
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await client.ended;
    // The client has seen the FIN, but has not closed its side: the server must still be waiting.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(closed, false, 'close() waited for the client to close its side');
    client.socket.end();
    await closing;
    assert.equal(closed, true, 'close() finished once the client closed');
  });
});
