/**
 * --preload through the real CLI: /readyz goes running → done with every byte counted, the
 * file's pages are resident afterwards (mincore on a fresh mapping), requests are answered
 * correctly meanwhile, and with workers the preload runs once.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mmap } from '../src/store/mmap-binding.js';
import { freePort, getFresh, readyz, startCli, stop, type Served } from './helpers/cli-server.js';

const MiB = 1 << 20;
const SIZE = 192 * MiB;

/** One MiB of pseudo-random bases, repeated: base i of the file is pattern[i % MiB]. */
function pattern(): Buffer {
  const b = Buffer.alloc(MiB);
  let s = 12345;
  for (let i = 0; i < MiB; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    b[i] = 'ACGT'.charCodeAt(s >>> 30);
  }
  return b;
}

/** Resident pages / all pages of a file, through a mapping of its own (the page cache is shared). */
function residency(file: string): { resident: number; pages: number } {
  const fd = openSync(file, 'r');
  try {
    const buf = mmap.map(SIZE, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0, mmap.MADV_RANDOM);
    const [unmapped, mapped] = mmap.incore(buf);
    return { resident: mapped, pages: mapped + unmapped };
  } finally {
    closeSync(fd);
  }
}

/** Drops the file's pages from the page cache (dd's nocache flag: posix_fadvise DONTNEED); true if it worked. */
function evict(file: string): boolean {
  spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' });
  return residency(file).resident === 0;
}

describe('--preload', () => {
  let dir: string;
  let file: string;
  let bases: Buffer;
  let served: Served | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-preload-'));
    file = join(dir, 'big.raw');
    bases = pattern();
    const fd = openSync(file, 'w');
    for (let at = 0; at < SIZE; at += MiB) writeSync(fd, bases, 0, MiB, at);
    // Dirty pages cannot be dropped: on disk first, so that evict() can make the cache cold.
    fsyncSync(fd);
    closeSync(fd);
  });
  after(async () => {
    await stop(served);
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes running → done, leaves the file resident, and serves correctly meanwhile', async (t) => {
    const cold = evict(file);
    served = await startCli(['--data', dir, '--port', String(await freePort()), '--workers', '1', '--preload', '--no-access-log']);
    const states: string[] = [];
    let last: Awaited<ReturnType<typeof readyz>> | undefined;
    let s = 99;
    const queries = Array.from({ length: 60 }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const start = s % (SIZE - 2000);
      return { start, end: start + 1 + (s % 1999) };
    });
    // The first look right after the ready line, before the 60 requests below queue ahead of it
    // (a cold 192 MB file preloaded in 195 ms once, while they were being answered).
    last = await readyz(served.url);
    states.push(last.preload.state);
    const answers = Promise.all(queries.map((q) => getFresh(`${served!.url}/chrom/big/range?start=${q.start}&end=${q.end}`)));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      last = await readyz(served.url);
      if (states[states.length - 1] !== last.preload.state) states.push(last.preload.state);
      if (last.preload.state === 'done') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    t.diagnostic(`cold cache at start: ${cold}; states seen: ${states.join(' → ')}; ${JSON.stringify(last?.preload)}`);
    assert.equal(last?.preload.state, 'done', `preload done within a minute: ${JSON.stringify(last)}`);
    assert.deepEqual(
      states.filter((x) => x !== 'running' && x !== 'done'),
      [],
      `only running and done: ${states.join(' → ')}`,
    );
    if (cold) assert.equal(states[0], 'running', `a cold 192 MB file is seen preloading first: ${states.join(' → ')}`);
    assert.equal(last.preload.total, SIZE, 'total: the mapped bytes');
    assert.equal(last.preload.bytes, last.preload.total, 'every byte preloaded');
    assert.ok(last.preload.ms >= 0, `ms: ${last.preload.ms}`);
    const { resident, pages } = residency(file);
    assert.equal(resident, pages, `every page resident afterwards (${resident}/${pages})`);
    (await answers).forEach((a, i) => {
      const q = queries[i]!;
      assert.equal(a.status, 200, `[${q.start}, ${q.end}) status`);
      const expected = Buffer.alloc(q.end - q.start);
      for (let k = 0; k < expected.length; k++) expected[k] = bases[(q.start + k) % MiB]!;
      assert.ok(a.body.equals(expected), `[${q.start}, ${q.end}) bases`);
    });
    // The log line may reach this end of the pipe just after /readyz said done.
    for (let i = 0; i < 100 && !served.stdout().includes('"msg":"preload done'); i++) await new Promise((r) => setTimeout(r, 50));
    const log = served.stdout();
    assert.match(log, /"msg":"preloading 1 file\(s\), 192 MB/, 'the start is logged');
    assert.match(log, /"msg":"preload done: 192 MB in the page cache in [\d.]+ s"/, 'the end is logged');
    served.child.kill('SIGTERM');
    assert.equal(await served.exited, 0, 'exits 0');
    served = undefined;
  });

  it('with --workers 2 runs once, and every worker reports it done', async () => {
    evict(file);
    served = await startCli(['--data', dir, '--port', String(await freePort()), '--workers', '2', '--no-access-log'], { SEQSERVE_PRELOAD: '1' });
    await served.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('preload done'), 60_000);
    await new Promise((r) => setTimeout(r, 200));
    const seen = new Map<number, Awaited<ReturnType<typeof readyz>>['preload']>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const r = await readyz(served.url);
      seen.set(r.pid, r.preload);
    }
    assert.equal(seen.size, 2, 'both workers asked');
    for (const [pid, p] of seen) {
      assert.equal(p.state, 'done', `worker ${pid}: ${JSON.stringify(p)}`);
      assert.equal(p.bytes, SIZE, `worker ${pid} counts every byte`);
    }
    const starts = served
      .stdout()
      .split('\n')
      .filter((l) => l.includes('"msg":"preloading'));
    assert.equal(starts.length, 1, `one preload: ${starts.join('\n')}`);
  });

  it('is off unless asked', async () => {
    await stop(served);
    served = await startCli(['--data', dir, '--port', String(await freePort()), '--workers', '1', '--no-access-log']);
    const r = await readyz(served.url);
    assert.deepEqual(r.preload, { state: 'off', bytes: 0, total: 0, ms: 0 }, 'off');
    assert.equal(r.pid, served.child.pid, 'one process serves');
  });
});
