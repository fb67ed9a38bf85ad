/**
 * ConnectionDrain on a real HTTP server and real loopback sockets: an idle connection is closed
 * at once (even when the client never closes its side), an answer written but still in the
 * kernel's send queue is kept until the client has taken it, an answer in flight is cut at the
 * grace, and where the send queue cannot be read the old FIN-and-wait is kept, bounded by the
 * grace. test/shutdown.test.ts drives the same through the real CLI.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { ConnectionDrain } from '../src/http/connection-drain.js';
import { readSendQueues, sendQueueKey } from '../src/http/tcp-send-queue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MB = 1_000_000;

/** GET /N answers N bytes of 'A' (in 64 KiB writes that respect backpressure); GET /stall never ends. */
async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.url === '/stall') {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.write('x');
    return;
  }
  const total = Number(request.url!.slice(1));
  response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(total) });
  const chunk = Buffer.alloc(64 * 1024, 'A');
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!response.write(chunk.subarray(0, Math.min(chunk.length, total - sent)))) await new Promise((r) => response.once('drain', r));
  }
  response.end();
}

async function startServer(host = '127.0.0.1'): Promise<{ server: Server; port: number; serverSockets: Socket[] }> {
  const serverSockets: Socket[] = [];
  const server = createServer((request, response) => {
    answer(request, response).catch(() => response.destroy());
  });
  server.on('connection', (s: Socket) => serverSockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, serverSockets };
}

/** A keep-alive client on a raw socket (half-open allowed: it decides when to close its side). */
function rawClient(port: number, path: string, host = '127.0.0.1'): { socket: Socket; bytes: () => number; closed: Promise<void>; ended: Promise<void> } {
  const socket = connect({ port, host, allowHalfOpen: true });
  let bytes = 0;
  socket.on('data', (d: Buffer) => (bytes += d.length));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
  return { socket, bytes: () => bytes, closed, ended };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** The kernel's send queue of the server's side of `socket` (the server socket). */
function queued(s: Socket): number | undefined {
  return readSendQueues()?.get(sendQueueKey(s.localAddress, s.localPort, s.remoteAddress, s.remotePort)!);
}

const servers: Server[] = [];
after(() => servers.forEach((s) => s.closeAllConnections()));

describe('the send queue of a connection (/proc/net/tcp)', { skip: readSendQueues() === undefined && 'no /proc/net/tcp here' }, () => {
  for (const [listen, host] of [
    ['127.0.0.1', '127.0.0.1'],
    ['::', '127.0.0.1'],
    ['::1', '::1'],
  ] as const) {
    it(`is non-zero for an answer the client has not read, zero once it has (listening on ${listen}, client to ${host})`, async (t) => {
      let started;
      try {
        started = await startServer(listen);
      } catch {
        return t.skip(`cannot listen on ${listen}`);
      }
      const { server, port, serverSockets } = started;
      servers.push(server);
      const client = rawClient(port, `/${8 * MB}`, host);
      client.socket.pause();
      await until(() => serverSockets.length === 1 && (queued(serverSockets[0]!) ?? 0) > 100_000);
      client.socket.resume();
      await until(() => client.bytes() > 8 * MB);
      await until(() => queued(serverSockets[0]!) === 0);
      client.socket.destroy();
      server.close();
    });
  }
});

describe('closing drains connections', () => {
  it('closes an idle keep-alive connection at once, though the client never closes its side', async () => {
    const { server, port } = await startServer();
    servers.push(server);
    const drain = new ConnectionDrain(server, { graceMs: 10_000 });
    const client = rawClient(port, '/5000');
    await until(() => client.bytes() > 5000);
    // Idle: its answer was handed over more than a second before closing (settledMs).
    await sleep(1100);
    const t0 = performance.now();
    await drain.drain();
    const ms = performance.now() - t0;
    await client.ended;
    assert.ok(ms < 1000, `drained in ${Math.round(ms)} ms`);
  });

  it('stops accepting: a new connection is refused', async () => {
    const { server, port } = await startServer();
    servers.push(server);
    const drain = new ConnectionDrain(server, { graceMs: 3000 });
    const busy = rawClient(port, '/stall');
    await until(() => busy.bytes() > 0);
    const draining = drain.drain();
    const late = await new Promise<string>((resolve) =>
      connect(port, '127.0.0.1')
        .once('connect', () => resolve('connected'))
        .once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error')),
    );
    assert.equal(late, 'ECONNREFUSED');
    busy.socket.destroy();
    await draining;
  });

  it(
    'keeps a connection whose written answer is still in the kernel send queue until the client has read it',
    { skip: readSendQueues() === undefined && 'no /proc/net/tcp here' },
    async () => {
      const { server, port, serverSockets } = await startServer();
      servers.push(server);
      const drain = new ConnectionDrain(server, { graceMs: 10_000 });
      const total = 3 * MB;
      const client = rawClient(port, `/${total}`);
      client.socket.pause();
      // Answer written whole (Node holds nothing) but the kernel still holds part of it: the tail.
      await until(() => serverSockets.length === 1 && serverSockets[0]!.writableLength === 0 && (queued(serverSockets[0]!) ?? 0) > 100_000);
      let drained = false;
      const draining = drain.drain().then(() => (drained = true));
      await sleep(500);
      assert.equal(drained, false, 'the drain waits for the tail to be read');
      assert.equal(serverSockets[0]!.destroyed, false, 'the connection is kept');
      client.socket.resume();
      await draining;
      await client.ended;
      assert.ok(client.bytes() > total, `the whole answer arrived (${client.bytes()} bytes with the headers)`);
    },
  );

  it('cuts an answer still being written at the grace', async () => {
    const { server, port, serverSockets } = await startServer();
    servers.push(server);
    const drain = new ConnectionDrain(server, { graceMs: 800 });
    const reader = rawClient(port, `/${200 * MB}`);
    reader.socket.pause();
    await sleep(200);
    // MBs queued in the kernel for a client that stopped reading: a plain close would still deliver them.
    const held = readSendQueues() === undefined ? undefined : queued(serverSockets[0]!);
    const t0 = performance.now();
    await drain.drain();
    const ms = performance.now() - t0;
    assert.ok(ms >= 750 && ms < 2000, `cut after ${Math.round(ms)} ms (grace 800)`);
    reader.socket.resume();
    // The reset drops what the kernel still held for it; the client sees the end (or the reset) early.
    await Promise.race([reader.closed, reader.ended]);
    assert.ok(reader.bytes() < 200 * MB, 'the client did not get the whole answer');
    if (held !== undefined && held > 1 * MB)
      assert.ok(reader.bytes() < held, `reset, not closed: the ${held} bytes queued were dropped (got ${reader.bytes()})`);
  });

  it('without the send queue: ends an idle connection with FIN and waits for the client to close, at most the grace', async () => {
    const { server, port } = await startServer();
    servers.push(server);
    const drain = new ConnectionDrain(server, { graceMs: 1500, sendQueues: () => undefined });
    const polite = rawClient(port, '/5000');
    const stubborn = rawClient(port, '/5000');
    await until(() => polite.bytes() > 5000 && stubborn.bytes() > 5000);
    let drained = false;
    const t0 = performance.now();
    const draining = drain.drain().then(() => (drained = true));
    await polite.ended;
    polite.socket.end();
    await stubborn.ended;
    await sleep(300);
    assert.equal(drained, false, 'waits for the client that has not closed its side');
    await draining;
    const ms = performance.now() - t0;
    assert.ok(ms >= 1400 && ms < 3000, `gave up at the grace (${Math.round(ms)} ms)`);
  });
});
