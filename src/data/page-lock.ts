/**
 * --lock: the chosen spans of the mapped files locked in memory (mlock), so the kernel never
 * evicts them. Refused at startup, in one line, when the process may not lock that much.
 */
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { DataError } from '../core/errors.js';
import { cgroupMemory } from './cgroup-memory.js';
import { mmap } from '../store/mmap-binding.js';
import { type ResidencySpan, spanBytes } from './residency-targets.js';

export interface LockStatus {
  state: 'off' | 'locked';
  /** Bytes locked by this server (held by the primary with --workers). */
  bytes: number;
  /** What --lock named, and the assemblies that touches. */
  targets: string[];
  assemblies: string[];
  /** How long locking took at startup (the reads of pages not yet resident). */
  ms: number;
}

export const lockOff: LockStatus = Object.freeze({ state: 'off', bytes: 0, targets: [], assemblies: [], ms: 0 });

/** What this process may lock: CAP_IPC_LOCK lifts RLIMIT_MEMLOCK; pages already locked count against it. */
export interface LockAllowance {
  capability: boolean;
  /** RLIMIT_MEMLOCK's soft limit in bytes, -1 for unlimited. */
  limit: number;
  lockedAlready: number;
}

export interface LockLog {
  info(msg: string): void;
}

const MiB = 1024 * 1024;
/** Locked a step at a time, each step's reads started first (mlock alone reads a page per fault under MADV_RANDOM). */
const lockStep = 32 * MiB;
const adviseStep = 128 * 1024;

export class PageLock {
  private spans: ResidencySpan[] = [];
  private assemblies: string[] = [];
  private bytes = 0;
  private ms = 0;

  private constructor(
    private readonly targets: string[],
    private readonly log: LockLog,
  ) {}

  /** Locks `spans` now (synchronously: startup waits for the reads), or throws DataError in one line. */
  static acquire(spans: ResidencySpan[], targets: string[], log: LockLog, allowance: LockAllowance = lockAllowance()): PageLock {
    const lock = new PageLock(targets, log);
    lock.lockSpans(spans, allowance);
    return lock;
  }

  get status(): LockStatus {
    return { state: 'locked', bytes: this.bytes, targets: this.targets, assemblies: this.assemblies, ms: this.ms };
  }

  /** After a reload: the old mappings unlocked, the new spans locked (the same checks). */
  relock(spans: ResidencySpan[]): void {
    this.release();
    this.lockSpans(spans, lockAllowance());
  }

  release(): void {
    for (const file of new Set(this.spans.map((s) => s.file))) file.unlockAll();
    this.spans = [];
    this.bytes = 0;
  }

  private lockSpans(all: ResidencySpan[], allowance: LockAllowance): void {
    // One mapping per file is locked, however many assemblies name it.
    const spans = uniqueByFile(all);
    this.assemblies = [...new Set(all.map((s) => s.assembly))];
    const asked = spanBytes(spans);
    const { capability, limit, lockedAlready } = allowance;
    const what = `--lock ${this.targets.join(',')}`;
    if (!capability && limit >= 0 && asked > limit - lockedAlready) throw new DataError(refusal(what, asked, allowance));
    checkCgroupRoom(what, spans, asked);
    const started = performance.now();
    this.log.info(`locking ${mb(asked)} MiB of ${new Set(spans.map((s) => s.file)).size} file(s) in memory (${what})`);
    for (const span of spans) {
      for (let at = span.start; at < span.end; at += lockStep) {
        const end = Math.min(span.end, at + lockStep);
        for (let a = at; a < end; a += adviseStep) span.file.adviseWillNeed(a, Math.min(end, a + adviseStep));
        const errno = span.file.lock(at, end);
        if (errno !== 0) {
          this.spans.push(span);
          this.release();
          throw new DataError(
            `${refusal(what, asked, allowance)} (mlock of ${span.file.path} failed with ${errnoName(errno)} after ${mb(this.locked(spans, span, at))} MiB)`,
          );
        }
      }
      this.spans.push(span);
    }
    this.bytes = asked;
    this.ms = Math.round(performance.now() - started);
    this.log.info(`locked ${mb(asked)} MiB in memory in ${(this.ms / 1000).toFixed(1)} s`);
  }

  private locked(spans: ResidencySpan[], failed: ResidencySpan, at: number): number {
    return spanBytes(spans.slice(0, spans.indexOf(failed))) + (at - failed.start);
  }
}

/**
 * The one line: how much was asked and allowed, and the ways to grant it. A capability added to a
 * container reaches only a root process (no ambient capabilities): measured with Docker, the
 * image's user `node` with --cap-add IPC_LOCK alone is refused; the memlock ulimit is what counts.
 */
function refusal(what: string, asked: number, { capability, limit, lockedAlready }: LockAllowance): string {
  const allowed =
    limit < 0 || capability
      ? 'no limit'
      : `${mb(Math.max(0, limit - lockedAlready))} MiB (RLIMIT_MEMLOCK ${limit / 1024} KiB${lockedAlready > 0 ? `, ${mb(lockedAlready)} MiB already locked` : ''}, no CAP_IPC_LOCK)`;
  return (
    `${what} asks to lock ${mb(asked)} MiB but this process may lock ${allowed}: ` +
    `raise the limit (ulimit -l unlimited; Docker: --cap-add IPC_LOCK --ulimit memlock=-1, where the ulimit is what lets a non-root user lock), ` +
    `or give a root process CAP_IPC_LOCK (Kubernetes: securityContext.capabilities.add: ["IPC_LOCK"], which reaches only a container running as root), ` +
    `or lock less, or use --keep-warm, which needs no privilege`
  );
}

/**
 * Pages not yet in the page cache are charged to this process's memory cgroup as they are read
 * and locked; past its limit the kernel kills the process, so a set that cannot fit is refused
 * here (pages already cached are charged to whoever read them: BENCHMARKS.md#page-cache-residency).
 */
function checkCgroupRoom(what: string, spans: ResidencySpan[], asked: number): void {
  const cgroup = cgroupMemory();
  if (!cgroup) return;
  const missing = spans.reduce((sum, s) => sum + (s.end - s.start) - s.file.residentBytes(s.start, s.end), 0);
  const room = cgroup.limit - cgroup.usage;
  if (missing <= room) return;
  throw new DataError(
    `${what} asks to lock ${mb(asked)} MiB, of which ${mb(missing)} MiB are not in the page cache and would be charged to this process's memory cgroup, ` +
      `which has ${mb(Math.max(0, room))} MiB left under its limit of ${mb(cgroup.limit)} MiB (locked pages cannot be reclaimed: the kernel would kill the server): ` +
      `raise the memory limit (docker --memory, Kubernetes resources.limits.memory) to hold the locked set plus anonymous memory and ~10%, or lock less, or use --keep-warm`,
  );
}

/** Read from /proc/self/status (CapEff, VmLck) and getrlimit. */
function lockAllowance(): LockAllowance {
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    // Not Linux: mlock's own answer decides.
  }
  const capEff = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
  const vmLck = /^VmLck:\s*(\d+) kB/m.exec(status)?.[1];
  const CAP_IPC_LOCK = 14n;
  return {
    capability: capEff === undefined || ((BigInt(`0x${capEff}`) >> CAP_IPC_LOCK) & 1n) === 1n,
    limit: mmap.memlockLimit(),
    lockedAlready: Number(vmLck ?? 0) * 1024,
  };
}

function uniqueByFile(spans: ResidencySpan[]): ResidencySpan[] {
  const seen = new Map<string, ResidencySpan[]>();
  const out: ResidencySpan[] = [];
  for (const s of spans) {
    const same = seen.get(s.file.path) ?? [];
    if (same.some((o) => o.start === s.start && o.end === s.end)) continue;
    seen.set(s.file.path, [...same, s]);
    out.push(s);
  }
  return out.filter((s) => s.end > s.start);
}

function errnoName(errno: number): string {
  return Object.entries(constants.errno).find(([, n]) => n === errno)?.[0] ?? `errno ${errno}`;
}

function mb(bytes: number): string {
  return (bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0);
}
