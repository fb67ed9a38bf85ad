/**
 * --lock through the real CLI: the named pages are resident when the server says ready and stay
 * so when evicted; with --workers only the primary holds the lock; a process that may not lock
 * that much is refused in one line that says how to grant it; a reload locks the new file.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, freePort, getFresh, readyz, startCli, stop, type Run, type Served } from './helpers/cli-server.js';
import { parse } from './helpers/prometheus-text.js';
import {
  MiB,
  childrenOf,
  evict,
  lockedBytesOf,
  mayLock,
  memoryCgroup,
  randomBases,
  residentBytes,
  restricted,
  until,
  writeSynced,
} from './helpers/residency.js';

const SIZE = 16 * MiB;
/** The tests of a lock that succeeds need a process that may lock the whole data folder (root here, and in CI). */
const skipLock = !mayLock(SIZE + 8 * MiB) && 'this process has neither CAP_IPC_LOCK nor a memlock limit of 24 MiB';

/** The CLI under a command prefix (a child without CAP_IPC_LOCK), run to completion. */
function runUnder(prefix: string[], args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(prefix[0]!, [...prefix.slice(1), process.execPath, '--import', 'tsx', cli, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function bases(url: string, name: string, at: number[]): Promise<string> {
  let out = '';
  for (const i of at) out += (await getFresh(`${url}/assemblies/a/chrom/${name}/base/${i}`)).body.toString();
  return out;
}

describe('--lock', () => {
  let dir: string;
  let big: Buffer;
  const bigFile = () => join(dir, 'a', 'big.raw');
  let served: Served | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-lock-'));
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    big = randomBases(SIZE, 7);
    writeSynced(bigFile(), big);
    // Assembly b: a FASTA with a small sequence between two others, for locking one sequence.
    const line = (s: Buffer) =>
      s
        .toString()
        .replace(/(.{60})/g, '$1\n')
        .replace(/\n?$/, '\n');
    const [one, small, three] = [randomBases(3 * MiB, 1), randomBases(300_000, 2), randomBases(3 * MiB, 3)];
    writeSynced(join(dir, 'b', 'b.fa'), Buffer.from(`>one\n${line(one)}>small\n${line(small)}>three\n${line(three)}`));
  });
  after(async () => {
    await stop(served);
    rmSync(dir, { recursive: true, force: true });
  });

  it('locks assembly a at startup: resident when ready, still resident after an eviction, counted once', { skip: skipLock }, async () => {
    assert.ok(evict(bigFile()) < SIZE / 4, 'the file is cold before the start');
    served = await startCli(['--data', dir, '--port', String(await freePort()), '--workers', '1', '--lock', 'a', '--no-access-log']);
    const ready = await readyz(served.url);
    assert.equal(ready.residency.lock.state, 'locked');
    assert.deepEqual(ready.residency.lock.assemblies, ['a']);
    assert.equal(ready.residency.lock.bytes, SIZE);
    const a = ready.residency.assemblies.find((x) => x.assembly === 'a')!;
    assert.deepEqual([a.residentBytes, a.percent, a.locked], [SIZE, 100, true], JSON.stringify(a));
    assert.equal(ready.residency.assemblies.find((x) => x.assembly === 'b')?.locked, false);
    assert.equal(residentBytes(bigFile()), SIZE, 'mincore through a mapping of the test: every page resident');
    const locked = lockedBytesOf(served.child.pid!);
    assert.ok(locked >= SIZE && locked < SIZE + MiB, `VmLck ${locked}: the file once (the windows' overlap not twice)`);
    assert.equal(evict(bigFile()), SIZE, 'an eviction cannot drop locked pages');
    const at = [0, 1, SIZE / 2, SIZE - 1];
    assert.equal(await bases(served.url, 'big', at), at.map((i) => String.fromCharCode(big[i]!)).join(''));
    const metrics = parse((await getFresh(`${served.url}/metrics`)).body.toString());
    assert.equal(metrics.get('seqserve_locked_bytes{}'), SIZE);
    assert.equal(metrics.get('seqserve_assembly_resident_bytes{assembly="a"}'), SIZE);
    assert.equal(metrics.get('seqserve_assembly_mapped_bytes{assembly="a"}'), SIZE);
  });

  it('a reload locks the new file and unlocks the old one', { skip: skipLock }, async () => {
    assert.ok(served, 'the server of the test before');
    const next = randomBases(SIZE / 2, 8);
    writeSynced(`${bigFile()}.new`, next);
    renameSync(`${bigFile()}.new`, bigFile());
    evict(bigFile());
    served.child.kill('SIGHUP');
    assert.ok(await until(async () => (await readyz(served!.url)).residency.lock.bytes === SIZE / 2, 10_000), 'the lock follows the reload');
    assert.equal(residentBytes(bigFile()), SIZE / 2, 'the new file is resident');
    const locked = lockedBytesOf(served.child.pid!);
    assert.ok(locked >= SIZE / 2 && locked < SIZE / 2 + MiB, `VmLck ${locked}: the old mapping unlocked`);
    assert.equal(await bases(served.url, 'big', [0, SIZE / 2 - 1]), String.fromCharCode(next[0]!, next[SIZE / 2 - 1]!));
    await stop(served);
    served = undefined;
    writeSynced(bigFile(), big);
  });

  it('with --workers 2 the primary locks once; the workers lock nothing and report its lock', { skip: skipLock }, async () => {
    evict(bigFile());
    served = await startCli(['--data', dir, '--port', String(await freePort()), '--workers', '2', '--lock', 'all', '--no-access-log']);
    const primary = served.child.pid!;
    const workers = childrenOf(primary);
    assert.equal(workers.length, 2, `two workers: ${workers.join(' ')}`);
    const all = SIZE + 6 * MiB;
    const lockedByPrimary = lockedBytesOf(primary);
    assert.ok(lockedByPrimary >= all && lockedByPrimary < all + 2 * MiB, `the primary holds ${lockedByPrimary}`);
    for (const w of workers) assert.equal(lockedBytesOf(w), 0, `worker ${w} locks nothing`);
    assert.ok(await until(async () => (await readyz(served!.url)).residency.lock.bytes >= all, 5000), 'a worker reports the lock');
    const metrics = parse((await getFresh(`${served.url}/metrics`)).body.toString());
    const reported = metrics.get('seqserve_locked_bytes{}')!;
    assert.ok(reported >= all && reported < all + 2 * MiB, `locked bytes counted once in the aggregated scrape: ${reported}`);
    await stop(served);
    served = undefined;
  });

  it('is refused in one line, naming what was asked and allowed and how to grant it, without CAP_IPC_LOCK', async () => {
    const r = await runUnder(restricted(MiB), ['serve', '--data', dir, '--port', String(await freePort()), '--workers', '1', '--lock', 'a']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.match(lines[0]!, /--lock a asks to lock 16 MiB but this process may lock 1\.0 MiB \(RLIMIT_MEMLOCK 1024 KiB, no CAP_IPC_LOCK\)/);
    assert.match(lines[0]!, /ulimit -l unlimited.*--cap-add IPC_LOCK --ulimit memlock=-1.*capabilities\.add: \["IPC_LOCK"\]/);
    assert.doesNotMatch(r.stdout, /seqserve ready/);
  });

  it('locks one sequence of a FASTA within the same small limit, and no more', async () => {
    const port = await freePort();
    const [command, ...prefix] = restricted(MiB);
    const args = ['serve', '--host', '127.0.0.1', '--data', dir, '--port', String(port), '--workers', '1', '--lock', 'b:small', '--no-access-log'];
    const child = spawn(command!, [...prefix, process.execPath, '--import', 'tsx', cli, ...args]);
    try {
      let ready: Awaited<ReturnType<typeof readyz>> | undefined;
      await until(async () => (ready = await readyz(`http://127.0.0.1:${port}`).catch(() => undefined)) !== undefined, 20_000, 200);
      assert.ok(ready, 'started under the limit');
      const bytes = ready.residency.lock.bytes;
      // 300,000 bases in lines of 60 + newline, widened to whole pages at the start.
      assert.ok(bytes >= 305_000 && bytes < 305_000 + 8192, `the sequence's span only: ${bytes}`);
      assert.deepEqual(ready.residency.lock.assemblies, ['b']);
      const locked = lockedBytesOf(child.pid!);
      assert.ok(locked >= 300_000 && locked <= MiB, `VmLck ${locked}`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('is refused in one line when its memory cgroup cannot hold what is not yet in the page cache', { skip: skipLock }, async (t) => {
    const huge = join(dir, 'c', 'huge.raw');
    mkdirSync(join(dir, 'c'));
    writeSynced(huge, randomBases(256 * MiB, 9));
    evict(huge);
    const cgroup = memoryCgroup(`seqserve-lock-test-${process.pid}`, 192 * MiB);
    if (!cgroup) return t.skip('no memory cgroup can be made here');
    try {
      const r = await runUnder(cgroup.prefix, ['serve', '--data', join(dir, 'c'), '--port', String(await freePort()), '--workers', '1', '--lock', 'all']);
      assert.equal(r.code, 1, `exit 1, not killed: ${r.code} ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(
        lines[0]!,
        /^seqserve: --lock all asks to lock 256 MiB, of which 2\d\d MiB are not in the page cache and would be charged to this process's memory cgroup, which has \d+ MiB left under its limit of 192 MiB/,
      );
      assert.match(lines[0]!, /raise the memory limit \(docker --memory, Kubernetes resources\.limits\.memory\)/);
    } finally {
      cgroup.remove();
      rmSync(join(dir, 'c'), { recursive: true, force: true });
    }
  });

  it('says an unknown name in one line', async () => {
    const r = await runUnder(['env'], ['serve', '--data', dir, '--port', '0', '--lock', 'a,nope']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'seqserve: --lock: no assembly or sequence is named "nope"; name all, an assembly (a, b), ASSEMBLY:SEQUENCE, or a sequence of the default assembly (a)',
    );
  });
});
