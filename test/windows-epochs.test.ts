/**
 * Windows for training: disjoint shards of random draws, epochs over a shuffled window grid
 * (stride, offset, x-seqserve-next-offset), reverse complement and shift augmentation by seed,
 * and long npy/npz answers streamed with backpressure in flat memory. Coordinates are checked
 * against a grid and bases against the naive reader, computed here.
 *
 * Run alone: node --import tsx --test --test-concurrency=1 test/windows-epochs.test.ts
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { listeningApp } from './helpers/app.js';
import { removeDir, tempDir } from './helpers/fasta-fixtures.js';
import { rssAnonKiB } from './helpers/memory.js';
import { readNpy, readZip, column } from './helpers/npy.js';
import { encode, windowBases } from './helpers/window-oracle.js';
import { writeWindowGenome } from './helpers/window-genome.js';

const root = tempDir('seqserve-epochs-');
const { dir, oracle } = writeWindowGenome(root);
after(() => removeDir(root));

interface Entry {
  name: string;
  start: number;
  end: number;
  strand: string;
  sequence: string;
}
interface Answer {
  count: number;
  next_offset?: number | null;
  windows?: number;
  sequences: Entry[];
}

const key = (w: { name: string; start: number }) => `${w.name}:${w.start}`;

describe('training windows', () => {
  let app: FastifyInstance;
  let url: string;
  before(async () => {
    ({ app, url } = await listeningApp(dir));
  });
  after(async () => {
    await app?.close();
  });
  const get = async (path: string, status = 200) => {
    const res = await app.inject({ method: 'GET', url: path });
    assert.equal(res.statusCode, status, `${path}: ${res.body.slice(0, 300)}`);
    return res;
  };
  const json = async (path: string) => {
    const res = await get(path);
    return { res, answer: JSON.parse(res.body) as Answer };
  };

  test('shards: disjoint windows from one seed, each repeatable; one shard is the plain draw', async () => {
    const shards = await Promise.all([0, 1, 2].map(async (i) => (await json(`/random?length=1000&count=3000&seed=21&shard=${i}&shards=3`)).answer.sequences));
    const owner = new Map<string, number>();
    for (const [i, windows] of shards.entries()) {
      for (const w of windows) {
        const other = owner.get(key(w));
        assert.ok(other === undefined || other === i, `${key(w)} drawn by shards ${other} and ${i}`);
        owner.set(key(w), i);
        assert.equal(w.sequence, oracle.get(w.name)!.slice(w.start, w.end), `${key(w)}: bases`);
      }
      assert.ok(new Set(windows.map((w) => w.name)).size >= 5, `shard ${i} draws over many sequences`);
    }
    const again = (await json('/random?length=1000&count=3000&seed=21&shard=1&shards=3')).answer.sequences;
    assert.deepEqual(again, shards[1], 'a shard repeats with its seed');
    const plain = (await get('/random?length=100&count=50&seed=9')).body;
    assert.equal((await get('/random?length=100&count=50&seed=9&shard=0&shards=1')).body, plain, 'shards=1 draws what no shards drew');
    assert.match((await get('/random?length=10&shard=2&shards=2', 400)).body, /shard 2 is not below shards=2/);
  });

  /** Every window of one shard's epoch, following x-seqserve-next-offset from 0. */
  async function epoch(query: string, count: number): Promise<{ windows: Entry[]; total: number; batches: number }> {
    const windows: Entry[] = [];
    let offset: number | undefined = 0;
    let total = 0;
    let batches = 0;
    while (offset !== undefined) {
      const { res, answer } = await json(`/random?${query}&count=${count}&offset=${offset}`);
      total = Number(res.headers['x-seqserve-windows']);
      assert.equal(answer.windows, total, 'windows in the JSON answer');
      assert.ok(answer.sequences.length <= count, 'at most count windows');
      const next = res.headers['x-seqserve-next-offset'];
      assert.equal(answer.next_offset ?? undefined, next === undefined ? undefined : Number(next), 'next_offset in JSON and header');
      windows.push(...answer.sequences);
      offset = next === undefined ? undefined : Number(next);
      batches++;
    }
    return { windows, total, batches };
  }

  /** The grid the issue defines: starts 0, S, 2S, … with the whole window inside. */
  function grid(length: number, stride: number, keep = (_s: string) => true): string[] {
    const out: string[] = [];
    for (const [name, s] of oracle)
      for (let start = 0; start + length <= s.length; start += stride) if (keep(s.slice(start, start + length))) out.push(`${name}:${start}`);
    return out.sort();
  }

  test('an epoch over a window grid: two shards together visit every grid window once, in a shuffled order', async () => {
    const shardEpochs = [await epoch('length=500&stride=450&seed=11&shards=2&shard=0', 37), await epoch('length=500&stride=450&seed=11&shards=2&shard=1', 37)];
    const all = shardEpochs.flatMap((e) => e.windows);
    const expected = grid(500, 450);
    assert.equal(shardEpochs[0]!.total + shardEpochs[1]!.total, expected.length, 'x-seqserve-windows of the shards add up to the grid');
    assert.deepEqual(all.map(key).sort(), expected, 'every grid window exactly once');
    for (const w of all) assert.equal(w.sequence, oracle.get(w.name)!.slice(w.start, w.end), `${key(w)}: bases`);
    const order = shardEpochs[0]!.windows.map(key);
    assert.notDeepEqual(order, [...order].sort(), 'shuffled, not in grid order');
    const other = await epoch('length=500&stride=450&seed=12&shards=2&shard=0', 1000);
    assert.notDeepEqual(other.windows.map(key), order, 'another seed, another order');
    const whole = (await json('/random?length=500&stride=450&seed=11&shards=2&shard=0&count=111')).answer.sequences;
    assert.deepEqual(whole.map(key), order.slice(0, 111), 'an epoch does not depend on how it is cut into batches');
    const past = await get(`/random?length=500&stride=450&seed=11&shards=2&shard=0&offset=${shardEpochs[0]!.total}`, 416);
    assert.equal(past.headers['content-type'], 'application/problem+json');
    assert.match(past.body, /past the end of the epoch/);
    assert.match((await get('/random?length=500&offset=3', 400)).body, /offset goes with stride/);
  });

  test('an epoch with exclude=N passes over windows holding N and still visits every other one', async () => {
    const e = await epoch('length=300&stride=300&seed=4&exclude=N', 50);
    assert.deepEqual(
      e.windows.map(key).sort(),
      grid(300, 300, (s) => !/[Nn]/.test(s)),
      'the N-free grid windows, once each',
    );
    assert.ok(e.windows.length < e.total, 'the fixture has grid windows with N');
  });

  test('rc=random flips about half the windows by seed; the windows stay where they were drawn', async () => {
    const plain = (await json('/random?length=200&count=2000&seed=8')).answer.sequences;
    const flipped = (await json('/random?length=200&count=2000&seed=8&rc=random')).answer.sequences;
    assert.deepEqual(flipped.map(key), plain.map(key), 'same windows');
    const minus = flipped.filter((w) => w.strand === '-').length;
    assert.ok(minus > 900 && minus < 1100, `about half on the minus strand (${minus} of 2000)`);
    for (const w of flipped) assert.equal(w.sequence, windowBases(oracle.get(w.name)!, w.start, w.end, w.strand), `${key(w)} ${w.strand}: bases`);
    assert.deepEqual((await json('/random?length=200&count=2000&seed=8&rc=random')).answer.sequences, flipped, 'repeatable by seed');
  });

  test('shift=k moves each window by up to k bases, every move equally likely, kept inside its sequence', async () => {
    const post = async (query: string, regions: unknown[]) => {
      const res = await app.inject({ method: 'POST', url: `/batch?${query}`, payload: { regions } });
      assert.equal(res.statusCode, 200, res.body.slice(0, 200));
      return { res, answer: JSON.parse(res.body) as Answer };
    };
    const regions = Array.from({ length: 3000 }, () => ({ chrom: 'chr1', start: 10_000, end: 10_200 }));
    const { res, answer } = await post('shift=7&seed=3', regions);
    assert.equal(res.headers['x-seqserve-seed'], '3');
    const moves = new Map<number, number>();
    for (const w of answer.sequences) {
      moves.set(w.start - 10_000, (moves.get(w.start - 10_000) ?? 0) + 1);
      assert.equal(w.end - w.start, 200, 'length kept');
      assert.equal(w.sequence, oracle.get('chr1')!.slice(w.start, w.end), `${key(w)}: bases`);
    }
    assert.deepEqual(
      [...moves.keys()].sort((a, b) => a - b),
      [-7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7],
      'every move from -7 to 7',
    );
    for (const [move, n] of moves) assert.ok(n > 120 && n < 290, `move ${move}: ${n} of 3000 (200 expected)`);
    assert.deepEqual((await post('shift=7&seed=3', regions)).answer, answer, 'repeatable by seed');
    const edges = (
      await post('shift=50&seed=1&rc=random', [
        ...Array<object>(200).fill({ chrom: 'w1', start: 0, end: 100 }),
        ...Array<object>(200).fill({ chrom: 'w1', start: 2_400, end: 2_500 }),
      ])
    ).answer.sequences;
    for (const w of edges) {
      assert.ok(w.start >= 0 && w.end <= 2_500, `${key(w)} inside w1`);
      assert.equal(w.sequence, windowBases(oracle.get('w1')!, w.start, w.end, w.strand), `${key(w)} ${w.strand}: bases`);
    }
    const random = (await json('/random?length=400&count=2000&seed=5&shift=300')).answer.sequences;
    for (const w of random) assert.ok(w.start >= 0 && w.end <= oracle.get(w.name)!.length, `${key(w)} inside its sequence`);
  });

  test('a long npz is streamed whole (Content-Length, CRC); a slow reader of 800 MB is fed at its pace in flat memory', async () => {
    const res = await fetch(`${url}/random?length=2000&count=12000&seed=2&format=npz&encoding=codes&rc=random`, { headers: { 'accept-encoding': 'identity' } });
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(Number(res.headers.get('content-length')), body.length, 'content-length');
    const zip = readZip(body);
    const windows = readNpy(zip.get('windows.npy')!);
    const [names, starts, strands] = ['sequence', 'start', 'strand'].map((n) => column(readNpy(zip.get(`${n}.npy`)!)));
    for (let i = 0; i < 12_000; i += 7) {
      const bases = windowBases(oracle.get(names![i] as string)!, starts![i] as number, (starts![i] as number) + 2000, strands![i] as string);
      assert.ok(windows.data.subarray(i * 2000, (i + 1) * 2000).equals(encode(bases, 'codes')), `window ${i}`);
    }

    const before = rssAnonKiB();
    let served: Socket | undefined;
    app.server.once('connection', (s: Socket) => (served = s));
    const socket: Socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.write('GET /random?length=2000&count=100000&seed=1&format=npy&encoding=onehot HTTP/1.1\r\nHost: test\r\n\r\n');
    let read = 0;
    await new Promise<void>((resolve) =>
      socket.on('data', (d: Buffer) => {
        read += d.length;
        if (read > 20e6) {
          socket.pause();
          resolve();
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const written = served!.bytesWritten;
    assert.ok(written < read + 64e6, `${written} bytes written to a client that read ${read} and paused: backpressure`);
    const grown = rssAnonKiB() - before;
    socket.destroy();
    assert.ok(grown < 48 * 1024, `anonymous memory grew by ${grown} KiB while an 800 MB answer waited on a paused reader`);
    assert.equal((await get('/random?length=5&count=1&seed=1')).statusCode, 200, 'the server keeps answering');
  });
});
