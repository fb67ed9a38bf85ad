/**
 * --workers N, driven through the real CLI: a cluster serving one port, every answer checked
 * against the naive oracle, a killed worker replaced, a graceful SIGTERM, and startup failures
 * said once.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, getFresh, readThroughSignal, readyz, runCli, startCli, stop, type Run, type Served } from './helpers/cli-server.js';
import { readFasta } from './helpers/naive-fasta.js';

function assertOneLine(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit code 1; stderr: ${r.stderr}`);
  assert.match(r.stderr, pattern, 'the line says what is wrong');
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line, got: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack');
}

/** Deterministic bases, mixed case and N, in lines of `width`. */
function fastaRecord(name: string, length: number, seed: number, width: number): string {
  let s = seed >>> 0;
  const letters = 'ACGTacgtN';
  let seq = '';
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    seq += letters[s % letters.length];
  }
  const lines = seq.match(new RegExp(`.{1,${width}}`, 'g')) ?? [];
  return `>${name} test\n${lines.join('\n')}\n`;
}

const LONG = 64_000_000;

describe('--workers 2', () => {
  let dir: string;
  let oracle: Map<string, string>;
  let served: Served | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-workers-'));
    writeFileSync(join(dir, 'g.fa'), fastaRecord('chr1', 200_000, 1, 60) + fastaRecord('chr2', 50_001, 2, 70) + fastaRecord('MT', 16_569, 3, 80));
    // Holes ending in a marker: long enough to be in flight when SIGTERM arrives.
    const fd = openSync(join(dir, 'long.raw'), 'w');
    ftruncateSync(fd, LONG);
    writeSync(fd, 'END', LONG - 3, 'latin1');
    closeSync(fd);
    oracle = readFasta(join(dir, 'g.fa'));
    const port = await freePort();
    served = await startCli(['--data', dir, '--port', String(port), '--workers', '2']);
  });
  after(async () => {
    await stop(served);
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs one ready line naming the workers, after the startup work done once', () => {
    const out = served!.stdout();
    assert.equal(served!.ready.workers, 2, `ready line: ${JSON.stringify(served!.ready)}`);
    assert.equal(served!.ready.sequences, 4, 'sequences counted in the ready line');
    assert.equal(out.split('\n').filter((l) => l.includes('"msg":"seqserve ready')).length, 1, `one ready line: ${out}`);
    assert.equal(out.split('\n').filter((l) => l.includes('built index')).length, 1, `the .fai is built once: ${out}`);
    assert.ok(served!.url.endsWith(`:${new URL(served!.url).port}`), `a URL: ${served!.url}`);
  });

  it('answers many concurrent requests correctly, from more than one process', async () => {
    const names = [...oracle.keys()];
    let s = 7;
    const rnd = (n: number) => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n;
    const queries = Array.from({ length: 300 }, () => {
      const name = names[rnd(names.length)]!;
      const len = oracle.get(name)!.length;
      const start = rnd(len);
      const end = Math.min(len, start + 1 + rnd(5000));
      return { name, start, end };
    });
    const answers = await Promise.all(queries.map((q) => getFresh(`${served!.url}/chrom/${q.name}/range?start=${q.start}&end=${q.end}`)));
    answers.forEach((a, i) => {
      const q = queries[i]!;
      assert.equal(a.status, 200, `${q.name}:${q.start}-${q.end} status`);
      assert.equal(a.body.toString('latin1'), oracle.get(q.name)!.slice(q.start, q.end), `${q.name}:${q.start}-${q.end} bases`);
    });
    const pids = new Set<number>();
    for (let i = 0; i < 40 && pids.size < 2; i++) pids.add((await readyz(served!.url)).pid);
    assert.equal(pids.size, 2, `two processes answered /readyz: ${[...pids].join(', ')}`);
    assert.ok(!pids.has(served!.child.pid!), 'the primary does not serve');
  });

  it('knows every digest in every worker, computed once', async () => {
    const deadline = Date.now() + 20_000;
    const seen = new Map<number, { known: number; total: number }>();
    while (Date.now() < deadline) {
      const r = await readyz(served!.url);
      seen.set(r.pid, r.digests);
      if (seen.size === 2 && [...seen.values()].every((d) => d.known === d.total)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(seen.size, 2, 'both workers asked');
    for (const [pid, d] of seen) assert.equal(d.known, d.total, `worker ${pid} knows every digest`);
    const computed = served!
      .stdout()
      .split('\n')
      .filter((l) => l.includes('computed refget digests for'));
    assert.equal(computed.filter((l) => l.includes('g.fa')).length, 1, `g.fa hashed once: ${computed.join('\n')}`);
  });

  it('replaces a worker killed with SIGKILL, and keeps serving', async () => {
    const pids = new Set<number>();
    for (let i = 0; i < 40 && pids.size < 2; i++) pids.add((await readyz(served!.url)).pid);
    const victim = [...pids][0]!;
    const replaced = served!.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('(replacement)'), 20_000);
    process.kill(victim, 'SIGKILL');
    const died = await served!.waitFor((l) => l.workerPid === victim && typeof l.msg === 'string' && l.msg.includes('died'), 10_000);
    assert.equal(died.signal, 'SIGKILL', 'the death is logged with its signal');
    await replaced;
    // Round-robin alternates connections: two requests per loop would always reach the same one.
    for (let i = 0; i < 10; i++) {
      const r = await getFresh(`${served!.url}/chrom/MT/range?start=100&end=200`);
      assert.equal(r.status, 200, 'served after the death');
      assert.equal(r.body.toString('latin1'), oracle.get('MT')!.slice(100, 200), 'correct after the death');
    }
    const now = new Set<number>();
    for (let i = 0; i < 40 && now.size < 2; i++) now.add((await readyz(served!.url)).pid);
    assert.equal(now.size, 2, `two workers again: ${[...now].join(', ')}`);
    assert.ok(!now.has(victim), 'the dead one is gone');
  });

  it('on SIGTERM finishes an in-flight streamed response, then exits 0', async () => {
    const { received, tail } = await readThroughSignal(`${served!.url}/chrom/long/range`, served!.child);
    assert.equal(received, LONG, 'every byte arrived');
    assert.equal(tail.subarray(-3).toString('latin1'), 'END', 'the end arrived');
    assert.equal(await served!.exited, 0, `exit code 0: ${served!.stderr()}`);
    served = undefined;
  });
});

describe('--workers on a folder that cannot be written', () => {
  it('workers learn the digests from the primary (no sidecar to read), and warn once', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'seqserve-workers-ro-'));
    writeFileSync(join(dir, 'g.fa'), fastaRecord('chr1', 30_000, 4, 60) + fastaRecord('chr2', 20_000, 5, 60));
    // Root ignores permission bits; the immutable attribute stops even root from writing.
    if (spawnSync('chattr', ['+i', dir]).status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      return t.skip('chattr +i is not available here');
    }
    let served: Served | undefined;
    try {
      served = await startCli(['--data', dir, '--port', String(await freePort()), '--workers', '2']);
      const deadline = Date.now() + 20_000;
      const seen = new Map<number, { known: number; total: number }>();
      while (Date.now() < deadline) {
        const r = await readyz(served.url);
        seen.set(r.pid, r.digests);
        if (seen.size === 2 && [...seen.values()].every((d) => d.known === d.total)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(seen.size, 2, 'both workers asked');
      for (const [pid, d] of seen) assert.deepEqual(d, { known: 2, total: 2 }, `worker ${pid} knows every digest`);
      const oracle = readFasta(join(dir, 'g.fa'));
      assert.match(served.stdout(), /could not save \S+g\.fa\.refget\.tsv/, 'no sidecar was saved: the workers had the digests by message');
      const warnings = served
        .stdout()
        .split('\n')
        .filter((l) => l.includes('"level":40'));
      assert.equal(warnings.filter((l) => l.includes('g.fa.fai')).length, 1, `the unsaved .fai is warned about once: ${warnings.join('\n')}`);
      const r = await getFresh(`${served.url}/chrom/chr2/range?start=5&end=65`);
      assert.equal(r.body.toString('latin1'), oracle.get('chr2')!.slice(5, 65), 'serves from the in-memory .fai');
    } finally {
      await stop(served);
      spawnSync('chattr', ['-i', dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--workers: startup failures are said once', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-workers-bad-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('bad data: one line, exit 1, no worker started', async () => {
    const d = join(dir, 'dup');
    mkdirSync(d);
    writeFileSync(join(d, 'a.fa'), '>chr1\nACGT\n');
    writeFileSync(join(d, 'chr1.raw'), 'ACGT');
    const r = await runCli(['serve', '--data', d, '--workers', '2', '--port', String(await freePort())]);
    assertOneLine(r, /"chr1".*a\.fa.*chr1\.raw/);
    assert.doesNotMatch(r.stdout, /listening/, 'no worker listened');
  });

  it('a port in use: one line from the workers, exit 1', async () => {
    const d = join(dir, 'ok');
    mkdirSync(d);
    writeFileSync(join(d, 'a.raw'), 'ACGT');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as { port: number };
      const r = await runCli(['serve', '--data', d, '--host', '127.0.0.1', '--workers', '2', '--port', String(port)]);
      assertOneLine(r, /EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });

  it('bad --workers / SEQSERVE_WORKERS and SEQSERVE_PRELOAD values are named', async () => {
    const d = join(dir, 'ok');
    assertOneLine(await runCli(['serve', '--data', d, '--workers', '0']), /--workers.*"0"/);
    assertOneLine(await runCli(['serve', '--data', d], { SEQSERVE_WORKERS: 'many' }), /SEQSERVE_WORKERS.*many/);
    assertOneLine(await runCli(['serve', '--data', d], { SEQSERVE_PRELOAD: 'maybe' }), /SEQSERVE_PRELOAD.*maybe/);
  });
});
