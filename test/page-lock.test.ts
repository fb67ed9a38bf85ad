/**
 * The lock below the CLI: MappedFile.lock across mapping windows (each byte locked once, as the
 * kernel counts it) and unlockAll; PageLock's answer when mlock itself refuses (a
 * child process without CAP_IPC_LOCK that was told it may lock anything).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MappedFile } from '../src/store/mapped-file.js';
import { mmap } from '../src/store/mmap-binding.js';
import { MiB, evict, hasIpcLock, lockedBytesOf, randomBases, residentBytes, restricted, writeSynced } from './helpers/residency.js';

describe('MappedFile.lock and PageLock', () => {
  let dir: string;
  let path: string;
  const size = 10 * MiB + 12_345;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-pagelock-'));
    path = join(dir, 'x.raw');
    writeSynced(path, randomBases(size, 3));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('locks each byte once across overlapping windows, reads it in, and unlocks', { skip: !hasIpcLock() && 'needs CAP_IPC_LOCK' }, () => {
    evict(path);
    const before = lockedBytesOf(process.pid);
    // Windows every 2 MiB, each mapping 1 MiB more: six windows that overlap.
    const file = MappedFile.open(path, { windowStride: 2 * MiB, windowOverlap: MiB });
    try {
      assert.equal(file.lock(0, size), 0);
      const pages = Math.ceil(size / mmap.PAGESIZE) * mmap.PAGESIZE;
      assert.equal(lockedBytesOf(process.pid) - before, pages, 'VmLck grew by the file, not by the windows and their overlaps');
      assert.equal(residentBytes(path), size, 'locking read every page in');
      file.unlockAll();
      assert.equal(lockedBytesOf(process.pid), before, 'unlocked');
      assert.equal(file.lock(4 * MiB, 6 * MiB), 0);
      assert.equal(lockedBytesOf(process.pid) - before, 2 * MiB, 'a span inside one window');
    } finally {
      file.close();
    }
    assert.equal(lockedBytesOf(process.pid), before, 'close() unlocks');
  });

  it('says the errno and how far it got when mlock refuses after the check let it through', () => {
    // The child claims CAP_IPC_LOCK to PageLock (so the pre-check passes) but runs without it, under a 1 MiB limit.
    const code = `
      import { openAssemblies } from './src/data/assemblies.ts';
      import { PageLock } from './src/data/page-lock.ts';
      import { selectSpans } from './src/data/residency-targets.ts';
      const assemblies = openAssemblies(${JSON.stringify(dir)}, { info() {}, warn() {} });
      try {
        PageLock.acquire(selectSpans(assemblies, ['all'], '--lock'), ['all'], { info() {} }, { capability: true, limit: -1, lockedAlready: 0 });
        console.log('locked');
      } catch (e) {
        console.log(e.name + ': ' + e.message);
      }
      console.log(/VmLck:\\s*(\\d+)/.exec(await import('node:fs').then((fs) => fs.readFileSync('/proc/self/status', 'utf8')))[1]);`;
    const [command, ...prefix] = restricted(MiB);
    const r = spawnSync(command!, [...prefix, process.execPath, '--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: join(import.meta.dirname, '..'),
    });
    const [line, vmLck] = r.stdout.toString().trim().split('\n');
    assert.match(
      line!,
      /^DataError: --lock all asks to lock 10 MiB but this process may lock no limit: .*\(mlock of .*x\.raw failed with (ENOMEM|EPERM|EAGAIN) after 0\.0 MiB\)$/,
      r.stderr.toString(),
    );
    assert.equal(vmLck, '0', 'what was locked before the refusal is unlocked again');
  });
});
