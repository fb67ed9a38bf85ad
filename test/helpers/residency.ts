/**
 * Page-cache residency for tests: test-owned files of known bases, evicted with dd's nocache
 * flag (posix_fadvise DONTNEED), measured with mincore through a mapping of the test's own, and
 * the kernel's own account of locked memory (VmLck) per process.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MappedFile } from '../../src/store/mapped-file.js';
import { mmap } from '../../src/store/mmap-binding.js';

export const MiB = 1 << 20;

/** `size` pseudo-random bases from a seed; base i of the file is the byte at i. */
export function randomBases(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    b[i] = 'ACGT'.charCodeAt(s >>> 30);
  }
  return b;
}

/** Writes and syncs (dirty pages cannot be dropped, so evict() needs them on disk). */
export function writeSynced(path: string, bytes: Buffer): void {
  const fd = openSync(path, 'w');
  writeSync(fd, bytes);
  fsyncSync(fd);
  closeSync(fd);
}

/** Resident bytes of the file now (whole pages, capped at the size). */
export function residentBytes(path: string): number {
  const file = MappedFile.open(path);
  try {
    return file.residentBytes();
  } finally {
    file.close();
  }
}

/** Drops the file's pages that no process has mapped in (dd iflag=nocache count=0); returns what stayed resident. */
export function evict(path: string): number {
  const r = spawnSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
  if (r.status !== 0) throw new Error(`dd could not evict ${path}: ${r.stderr.toString()}`);
  return residentBytes(path);
}

/** VmLck of a process: the bytes it holds locked, as the kernel counts them. */
export function lockedBytesOf(pid: number): number {
  const m = /^VmLck:\s*(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmLck for process ${pid}`);
  return Number(m[1]) * 1024;
}

/** The processes whose parent is `pid` (a cluster primary's workers). */
export function childrenOf(pid: number): number[] {
  const out = spawnSync('pgrep', ['-P', String(pid)])
    .stdout.toString()
    .trim();
  return out === '' ? [] : out.split('\n').map(Number);
}

/** Whether this process may lock without limit (CAP_IPC_LOCK in its effective set). */
export function hasIpcLock(): boolean {
  const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  return ((BigInt(`0x${hex}`) >> 14n) & 1n) === 1n;
}

/** Whether this process (and the children it starts) may lock `bytes`: the tests of a successful lock need it. */
export function mayLock(bytes: number): boolean {
  const limit = mmap.memlockLimit();
  return hasIpcLock() || limit < 0 || limit >= bytes;
}

/**
 * The command prefix that runs a program without CAP_IPC_LOCK and with RLIMIT_MEMLOCK at
 * `limitBytes`: setpriv drops the capability from the bounding set (so the exec'd program lacks
 * it even as root), prlimit lowers the limit.
 */
export function restricted(limitBytes: number): string[] {
  const prlimit = ['prlimit', `--memlock=${limitBytes}:${limitBytes}`];
  return hasIpcLock() ? ['setpriv', '--inh-caps=-ipc_lock', '--bounding-set=-ipc_lock', '--', ...prlimit] : prlimit;
}

/** Polls until `check` holds or `ms` pass; returns whether it held. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, everyMs = 50): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return check();
}

/**
 * A new memory cgroup with a limit (v2 or v1, whichever has the memory controller), for a child
 * started through `prefix` (a shell that joins it, then execs); undefined where none can be made.
 */
export function memoryCgroup(name: string, limitBytes: number): { prefix: string[]; remove: () => void } | undefined {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '));
  const v2 = mounts.find(([, dir, type]) => type === 'cgroup2' && dir && /\bmemory\b/.test(readIfExists(join(dir, 'cgroup.subtree_control'))))?.[1];
  const v1 = mounts.find(([, , type, options]) => type === 'cgroup' && (options ?? '').split(',').includes('memory'))?.[1];
  const base = v2 ?? v1;
  if (!base) return undefined;
  const path = join(base, name);
  try {
    mkdirSync(path);
    writeFileSync(join(path, v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(limitBytes));
  } catch {
    return undefined;
  }
  return {
    prefix: ['sh', '-c', `echo $$ > '${join(path, 'cgroup.procs')}' && exec "$@"`, 'sh'],
    remove: () => rmdirSync(path),
  };
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
