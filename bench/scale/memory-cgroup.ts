/**
 * A memory cgroup (v2: memory.max, v1: memory.limit_in_bytes) of the memory-limit bench: made
 * with a limit, its usage and fault counters read, a command run inside it, and removed with
 * whatever is left inside (our own processes only).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log, sleep } from './memory-limit-settings.js';

/** The cgroups made and not removed yet, for the exit handlers. */
const active = new Set<MemoryCgroup>();

export interface CgStats {
  /** memory.current (v2) / memory.usage_in_bytes (v1). */
  usage: number;
  /** memory.peak (v2, kernels ≥ 5.19) / memory.max_usage_in_bytes (v1). */
  peak: number;
  /** Page cache charged to the cgroup: stat file (v2) / cache (v1). */
  file: number;
  /** stat anon (v2) / rss (v1). */
  anon: number;
  /** Page cache mapped by its processes: file_mapped (v2) / mapped_file (v1). */
  fileMapped: number;
  pgmajfault: number;
  refaultFile: number;
  /** Times the limit was hit: memory.events max (v2) / memory.failcnt (v1). */
  limitHits: number;
}

export class MemoryCgroup {
  private constructor(
    readonly path: string,
    readonly version: 1 | 2,
  ) {}

  /** Where the memory controller is mounted: cgroup2 with memory in cgroup.controllers, else v1 "memory". */
  static hierarchy(): { root: string; version: 1 | 2 } {
    const mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '));
    for (const [, dir, type] of mounts) {
      if (
        type === 'cgroup2' &&
        dir &&
        existsSync(join(dir, 'cgroup.controllers')) &&
        /\bmemory\b/.test(readFileSync(join(dir, 'cgroup.controllers'), 'utf8'))
      ) {
        return { root: dir, version: 2 };
      }
    }
    for (const [, dir, type, options] of mounts) {
      if (type === 'cgroup' && dir && (options ?? '').split(',').includes('memory')) return { root: dir, version: 1 };
    }
    throw new Error('no memory cgroup controller mounted (neither cgroup2 with memory nor cgroup v1 memory)');
  }

  static create(name: string, limit: number | undefined): MemoryCgroup {
    const { root: base, version } = MemoryCgroup.hierarchy();
    if (version === 2) {
      const subtree = readFileSync(join(base, 'cgroup.subtree_control'), 'utf8');
      if (!/\bmemory\b/.test(subtree)) writeFileSync(join(base, 'cgroup.subtree_control'), '+memory');
    }
    const path = join(base, name);
    mkdirSync(path);
    const cg = new MemoryCgroup(path, version);
    active.add(cg);
    if (version === 2) writeFileSync(join(path, 'memory.max'), limit === undefined ? 'max' : String(limit));
    else writeFileSync(join(path, 'memory.limit_in_bytes'), limit === undefined ? '-1' : String(limit));
    return cg;
  }

  limit(): number | undefined {
    const raw = readFileSync(join(this.path, this.version === 2 ? 'memory.max' : 'memory.limit_in_bytes'), 'utf8').trim();
    const n = Number(raw);
    return raw === 'max' || n >= 2 ** 62 ? undefined : n;
  }

  pids(): number[] {
    return readFileSync(join(this.path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  }

  stats(): CgStats {
    const read = (f: string) => (existsSync(join(this.path, f)) ? readFileSync(join(this.path, f), 'utf8') : '');
    const num = (f: string) => Number(read(f).trim() || NaN);
    const kv = (text: string) =>
      new Map(
        text
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(/\s+/) as [string, string])
          .map(([k, v]) => [k, Number(v)]),
      );
    const stat = kv(read('memory.stat'));
    if (this.version === 2) {
      return {
        usage: num('memory.current'),
        peak: num('memory.peak'),
        file: stat.get('file') ?? NaN,
        anon: stat.get('anon') ?? NaN,
        fileMapped: stat.get('file_mapped') ?? NaN,
        pgmajfault: stat.get('pgmajfault') ?? NaN,
        refaultFile: stat.get('workingset_refault_file') ?? NaN,
        limitHits: kv(read('memory.events')).get('max') ?? NaN,
      };
    }
    return {
      usage: num('memory.usage_in_bytes'),
      peak: num('memory.max_usage_in_bytes'),
      file: stat.get('cache') ?? NaN,
      anon: stat.get('rss') ?? NaN,
      fileMapped: stat.get('mapped_file') ?? NaN,
      pgmajfault: stat.get('pgmajfault') ?? NaN,
      refaultFile: stat.get('workingset_refault_file') ?? NaN,
      limitHits: num('memory.failcnt'),
    };
  }

  /** argv that runs `command args` inside this cgroup (the shell joins, then execs). */
  wrap(command: string, args: string[]): [string, string[]] {
    return ['sh', ['-c', `echo $$ > '${join(this.path, 'cgroup.procs')}' && exec "$@"`, 'sh', command, ...args]];
  }

  /** Kills what is left inside (our own processes only: nothing else is ever put here), then removes it. */
  async remove(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      let left: number[];
      try {
        left = this.pids();
      } catch {
        active.delete(this);
        return; // already gone
      }
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      try {
        rmdirSync(this.path);
        active.delete(this);
        return;
      } catch {
        await sleep(100);
      }
    }
    log(`WARNING: could not remove ${this.path}`);
  }

  /** Synchronous last resort for exit handlers. */
  removeNow(): void {
    try {
      for (const pid of this.pids()) process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
    for (let i = 0; i < 20; i++) {
      try {
        rmdirSync(this.path);
        return;
      } catch {
        spawnSync('sleep', ['0.05']);
      }
    }
  }
}

/** Synchronous last resort for exit handlers: every cgroup made here and not removed yet, emptied and removed. */
export function removeCgroupsNow(): void {
  for (const cg of active) cg.removeNow();
}
