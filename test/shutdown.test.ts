/**
 * SIGTERM as an orchestrator sends it, through the real CLI, with one process and with
 * --workers 2: idle keep-alive connections (even one that never closes its side) do not delay
 * the exit; answers in flight get --shutdown-grace, then are cut; new connections are refused or
 * answered 503; the exit code is 0 every time; and an answer a client keeps reading arrives
 * whole when it can be finished within the grace (checked against the naive FASTA reader).
 * test/connection-drain.test.ts tests the drain itself on plain sockets.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort, startCli, stop, type Served } from './helpers/cli-server.js';
import { tempDir, writeFasta } from './helpers/fasta-fixtures.js';
import { readFasta } from './helpers/naive-fasta.js';

const grace = 2000;
/** What exiting may take beyond the grace on a loaded 2-core machine (closing hooks, process exit). */
const margin = 2500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let chr1: string;

before(() => {
  dir = tempDir();
  // 24 Mbp: far more than loopback socket buffers hold, so a reader that stops keeps an answer in flight.
  writeFasta(dir, 'g.fa', {
    seed: 12,
    lineWidth: 60,
    records: [
      { name: 'chr1', length: 24_000_000 },
      { name: 'chr2', length: 1000 },
    ],
  });
  chr1 = readFasta(`${dir}/g.fa`).get('chr1')!;
});

/** A keep-alive client on a raw socket that has had one answer and then sits idle, never closing its side. */
async function idleClient(port: number): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  socket.on('error', () => {});
  await new Promise((r) => socket.once('connect', r));
  socket.write('GET /chrom/chr2/base/5 HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((r) => socket.once('data', r));
  return socket;
}

/** A GET of the whole of chr1 whose body is read `pace` (or not at all). */
async function streamClient(url: string, pace: 'never' | 'slow'): Promise<{ res: IncomingMessage; done: Promise<{ bytes: number; cut: boolean }> }> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => httpGet(`${url}/chrom/chr1/range`, { agent: false }, resolve).on('error', reject));
  let bytes = 0;
  const done = new Promise<{ bytes: number; cut: boolean }>((resolve) => {
    res.on('data', (c: Buffer) => {
      bytes += c.length;
      if (pace === 'slow') {
        res.pause();
        setTimeout(() => res.resume(), 50);
      }
    });
    res.on('end', () => resolve({ bytes, cut: false }));
    res.on('error', () => resolve({ bytes, cut: true }));
    res.on('close', () => resolve({ bytes, cut: bytes < chr1.length }));
  });
  if (pace === 'never') res.pause();
  return { res, done };
}

/** SIGTERM, then the exit code and how long after the signal the process was gone. */
async function terminate(served: Served): Promise<{ code: number | null; ms: number }> {
  const t0 = performance.now();
  served.child.kill('SIGTERM');
  const code = await served.exited;
  return { code, ms: performance.now() - t0 };
}

for (const workers of [1, 2]) {
  describe(`SIGTERM with --workers ${workers}`, () => {
    const started: Served[] = [];
    const serve = async (extra: string[] = []) => {
      const served = await startCli([
        '--data',
        dir,
        '--port',
        String(await freePort()),
        '--workers',
        String(workers),
        '--shutdown-grace',
        String(grace),
        '--no-access-log',
        ...extra,
      ]);
      started.push(served);
      return served;
    };
    after(async () => {
      for (const s of started) await stop(s);
    });

    it('closes idle keep-alive connections at once, even one that never closes its side', async () => {
      const served = await serve();
      const port = Number(new URL(served.url).port);
      const idle = await Promise.all([1, 2, 3, 4].map(() => idleClient(port)));
      // Idle: their answers were handed over more than a second before the signal (src/http/connection-drain.ts settledMs).
      await sleep(1200);
      const { code, ms } = await terminate(served);
      assert.equal(code, 0);
      // Before, each idle connection held the exit for 5 s.
      assert.ok(ms < 1500, `exited ${Math.round(ms)} ms after SIGTERM`);
      for (const s of idle) s.destroy();
    });

    it('cuts a slow reader, a reader that never reads and 16 parallel streams at the grace, exit 0; new connections get no answer but 503', async () => {
      const served = await serve();
      const port = Number(new URL(served.url).port);
      const idle = await idleClient(port);
      const slow = await streamClient(served.url, 'slow');
      const stalled = await Promise.all(Array.from({ length: 16 }, () => streamClient(served.url, 'never')));
      await sleep(300);
      const t0 = performance.now();
      served.child.kill('SIGTERM');
      await sleep(300);
      // A new connection: refused, or answered 503 (a worker still draining), never a 200 nor a hang.
      const late = await new Promise<string>((resolve) => {
        httpGet(`${served.url}/chrom/chr2/base/1`, { agent: false, timeout: 3000 }, (res) => {
          res.resume();
          resolve(String(res.statusCode));
        })
          .on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
          .on('timeout', () => resolve('timeout'));
      });
      assert.ok(['ECONNREFUSED', 'ECONNRESET', '503'].includes(late), `a connection after SIGTERM got ${late}`);
      const code = await served.exited;
      const ms = performance.now() - t0;
      assert.equal(code, 0);
      assert.ok(ms >= grace - 100, `answers in flight had their grace (${Math.round(ms)} ms)`);
      assert.ok(ms < grace + margin, `exited ${Math.round(ms)} ms after SIGTERM (grace ${grace} ms)`);
      const slowEnd = await slow.done;
      assert.ok(slowEnd.cut && slowEnd.bytes < chr1.length, `the slow reader was cut (${slowEnd.bytes} bytes)`);
      for (const s of stalled) {
        const end = (s.res.resume(), await s.done);
        assert.ok(end.bytes < chr1.length, 'a stalled reader never got a whole answer');
      }
      idle.destroy();
    });

    it('delivers an answer whole to a client that keeps reading, when it finishes within the grace', async () => {
      const served = await serve(['--shutdown-grace', '8000']);
      const res = await new Promise<IncomingMessage>((resolve, reject) =>
        httpGet(`${served.url}/chrom/chr1/range?start=0&end=3000000`, { agent: false }, resolve).on('error', reject),
      );
      const hash = createHash('md5');
      let bytes = 0;
      const first = await new Promise<Buffer>((resolve) => res.once('data', resolve));
      res.pause();
      hash.update(first);
      bytes += first.length;
      // The server has handed what the socket buffers hold to the kernel; the client reads the rest after SIGTERM.
      await sleep(300);
      const exit = terminate(served);
      await sleep(300);
      for await (const chunk of res as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytes += chunk.length;
      }
      assert.equal(bytes, 3_000_000);
      assert.equal(hash.digest('hex'), createHash('md5').update(chr1.slice(0, 3_000_000)).digest('hex'), 'the bytes of the naive reader');
      const { code, ms } = await exit;
      assert.equal(code, 0);
      assert.ok(ms < 8000 + margin, `exited ${Math.round(ms)} ms after SIGTERM`);
    });
  });
}

it('the default grace exits well within docker stop’s 10 s, with a reader that never reads', async () => {
  const served = await startCli(['--data', dir, '--port', String(await freePort()), '--workers', '1', '--no-access-log']);
  try {
    await streamClient(served.url, 'never');
    await sleep(300);
    const { code, ms } = await terminate(served);
    assert.equal(code, 0);
    assert.ok(ms < 8000, `exited ${Math.round(ms)} ms after SIGTERM`);
  } finally {
    await stop(served);
  }
});
