/**
 * The page cache of one file: how much of it is resident (fincore, else vmtouch), evicting it
 * (posix_fadvise DONTNEED, which touches only this file's clean pages, else vmtouch -e, else
 * dd iflag=nocache, else drop_caches for the whole machine), and reading it in.
 *
 * Eviction cannot drop pages that a process has mapped and touched: evict before starting the
 * server, and check the resident figure afterwards (the bench reports it).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';

const has = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).error === undefined;
const hasFincore = has('fincore');
const hasVmtouch = has('vmtouch', '-h');
const hasPython = has('python3');

/** Bytes of `path` in the page cache; NaN when neither fincore nor vmtouch is installed. */
export function residentBytes(path: string): number {
  if (hasFincore) {
    const r = spawnSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' });
    if (r.status === 0) return Number(r.stdout.trim());
  }
  if (hasVmtouch) {
    const r = spawnSync('vmtouch', [path], { encoding: 'utf8' });
    const m = /Resident Pages:\s+(\d+)\//.exec(r.stdout);
    if (m) return Number(m[1]) * 4096;
  }
  return NaN;
}

export function residentFraction(path: string): number {
  return residentBytes(path) / statSync(path).size;
}

/**
 * Drops `path` from the page cache; returns the method that got it below 1% resident, or
 * undefined when none did.
 */
export function evict(path: string): string | undefined {
  const methods: Array<[string, () => boolean]> = [
    [
      'posix_fadvise(POSIX_FADV_DONTNEED) via python3',
      () =>
        hasPython &&
        spawnSync('python3', ['-c', 'import os,sys\nfd=os.open(sys.argv[1],os.O_RDONLY)\nos.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)', path]).status === 0,
    ],
    ['vmtouch -e', () => hasVmtouch && spawnSync('vmtouch', ['-e', path], { stdio: 'ignore' }).status === 0],
    ['dd iflag=nocache count=0', () => spawnSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' }).status === 0],
    [
      'echo 1 > /proc/sys/vm/drop_caches (whole machine)',
      () => {
        try {
          spawnSync('sync');
          writeFileSync('/proc/sys/vm/drop_caches', '1\n');
          return true;
        } catch {
          return false;
        }
      },
    ],
  ];
  for (const [name, run] of methods) {
    if (run() && residentFraction(path) < 0.01) return name;
  }
  return undefined;
}

/** Reads the whole file once (as `cat FILE > /dev/null` or `vmtouch -t` would); returns seconds. */
export function readThrough(path: string): number {
  const started = performance.now();
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(16 << 20);
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
  return (performance.now() - started) / 1000;
}
