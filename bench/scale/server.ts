/**
 * One seqserve process for the whole-genome bench (the real CLI from dist/, pinned to the
 * server core): when it logged "ready", when it first answered over HTTP, what its log said
 * about building an index, and its memory from /proc.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as proc from '../processes.js';
import type { Sequence } from './wrk.js';

export interface Started {
  child: ChildProcess;
  origin: string;
  /** From just before spawn to the "seqserve ready" log line. */
  readyMs: number;
  /** From just before spawn to the first 200 from /readyz (polled every 2 ms). */
  firstAnswerMs: number;
  /** The server's own figure in its ready line (from its start of serve() to listening). */
  selfReportedMs: number;
  /** "built index ... (N ms)" when the server built a .fai, else undefined. */
  builtIndexMs: number | undefined;
  /** Every log line's msg, for the report when something fails. */
  messages: string[];
  /** Resolves with the first log message matching `re` (or rejects after `timeoutMs`). */
  waitForMessage(re: RegExp, timeoutMs: number): Promise<string>;
}

interface Memory {
  rssMiB: number;
  anonMiB: number;
  fileMiB: number;
}

/** VmRSS, RssAnon and RssFile from /proc/PID/status (NaN when unknown). */
function memoryOf(pid: number | undefined): Memory {
  const path = `/proc/${pid}/status`;
  if (pid === undefined || !existsSync(path)) return { rssMiB: NaN, anonMiB: NaN, fileMiB: NaN };
  const status = readFileSync(path, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kb('VmRSS') / 1024, anonMiB: kb('RssAnon') / 1024, fileMiB: kb('RssFile') / 1024 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The memory of a process and all its descendants (a --workers N cluster: the primary and its workers). */
export interface TreeMemory {
  processes: number;
  total: Memory;
  /** The largest single process, by RssAnon. */
  largest: Memory;
  each: Memory[];
}

export function treeMemoryOf(pid: number | undefined): TreeMemory {
  const each = [pid, ...proc.descendantsOf(pid)].map(memoryOf).filter((m) => Number.isFinite(m.rssMiB));
  const sum = (k: keyof Memory) => each.reduce((n, m) => n + m[k], 0);
  const largest = each.reduce((a, b) => (b.anonMiB > a.anonMiB ? b : a), each[0] ?? { rssMiB: NaN, anonMiB: NaN, fileMiB: NaN });
  return { processes: each.length, total: { rssMiB: sum('rssMiB'), anonMiB: sum('anonMiB'), fileMiB: sum('fileMiB') }, largest, each };
}

export async function startServer(cli: string, dataDir: string, extraArgs: string[] = [], timeoutMs = 300_000): Promise<Started> {
  const port = await proc.freePort();
  const origin = `http://127.0.0.1:${port}`;
  const args = [cli, 'serve', '--data', dataDir, '--port', String(port), '--host', '127.0.0.1', '--no-access-log', '--log-level', 'info', ...extraArgs];
  const t0 = performance.now();
  const child = proc.spawnPinned(proc.SERVER_CORES, process.execPath, args, 'pipe');
  const messages: string[] = [];
  let readyMs = NaN;
  let selfReportedMs = NaN;
  let builtIndexMs: number | undefined;
  let pending = '';
  // Keep reading stdout always: a full pipe would block the server's logger.
  child.stdout!.on('data', (chunk: Buffer) => {
    const now = performance.now();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      let entry: { msg?: string; ms?: number; level?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        messages.push(line);
        continue;
      }
      const msg = entry.msg ?? '';
      messages.push(msg);
      if (msg.startsWith('seqserve ready')) {
        readyMs = now - t0;
        selfReportedMs = entry.ms ?? NaN;
      }
      const built = /^built index .*?(\d+) ms\)$/.exec(msg);
      if (built) builtIndexMs = Number(built[1]);
      if ((entry.level ?? 0) >= 40) console.error(`scale: server says: ${msg}`);
    }
  });
  let firstAnswerMs = NaN;
  const deadline = t0 + timeoutMs;
  while (Number.isNaN(firstAnswerMs)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server on ${dataDir} exited (${child.exitCode ?? child.signalCode}) before answering; log:\n${messages.join('\n')}`);
    }
    if (performance.now() > deadline) {
      await proc.stop(child);
      throw new Error(`server on ${dataDir} did not answer within ${timeoutMs / 1000} s`);
    }
    try {
      const res = await fetch(`${origin}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) firstAnswerMs = performance.now() - t0;
    } catch {
      await sleep(2);
    }
  }
  // The ready line is written just after listen; give the pipe a moment to deliver it.
  for (let i = 0; i < 500 && Number.isNaN(readyMs); i++) await sleep(2);
  const waitForMessage = async (re: RegExp, ms: number): Promise<string> => {
    const until = performance.now() + ms;
    for (;;) {
      const found = messages.find((m) => re.test(m));
      if (found !== undefined) return found;
      if (performance.now() > until) throw new Error(`no log message matching ${re} within ${ms / 1000} s`);
      await sleep(20);
    }
  };
  return { child, origin, readyMs, firstAnswerMs, selfReportedMs, builtIndexMs, messages, waitForMessage };
}

export async function sequencesOf(origin: string): Promise<Sequence[]> {
  const res = await fetch(`${origin}/chrom`);
  if (res.status !== 200) throw new Error(`GET /chrom answered ${res.status}`);
  return ((await res.json()) as Array<{ name: string; length: number }>).map(({ name, length }) => ({ name, length }));
}
