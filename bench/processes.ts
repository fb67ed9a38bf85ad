/**
 * Child processes for the bench: CPU pinning, readiness, memory readings, and making sure no
 * server outlives the bench (normal end, thrown error, Ctrl-C, SIGTERM).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';

/**
 * The load generator gets the last core, the servers (all their workers) every other core, so
 * the two never fight for one core. On 2 cores that is core 0 for servers and core 1 for load.
 */
const cores = availableParallelism();
export const LOAD_CORE = String(Math.max(cores - 1, 0));
export const SERVER_CORES = cores > 2 ? `0-${cores - 2}` : '0';

const hasTaskset = cores > 1 && spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;

export function pinningDescription(): string {
  return hasTaskset
    ? `taskset: servers on core(s) ${SERVER_CORES}, load generator on core ${LOAD_CORE}`
    : 'no taskset (or 1 core): processes not pinned (server and load generator share the cores; results are noisier)';
}

const children = new Set<ChildProcess>();

/**
 * Starts `command args` pinned to `core` when taskset exists (taskset execs, so the pid is the
 * command's). The child's stdout is piped to us, or sent to our stderr so that our stdout holds
 * only the results.
 */
export function spawnPinned(core: number | string, command: string, args: string[], stdout: 'pipe' | 'stderr' = 'stderr'): ChildProcess {
  const [cmd, argv] = hasTaskset ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', stdout === 'pipe' ? 'pipe' : 2, 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Stops a child with SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stop(child: ChildProcess, graceMs = 3000): Promise<void> {
  // Workers (seqserve's cluster, nginx's worker processes) must go too, even if their parent dies.
  const family = descendantsOf(child.pid);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (const pid of family) killQuietly(pid, 'SIGKILL');
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Every live process whose parent chain leads to `pid` (from /proc; empty elsewhere). */
export function descendantsOf(pid: number | undefined): number[] {
  if (pid === undefined || !existsSync('/proc')) return [];
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = [...parentOf].filter(([, parent]) => frontier.includes(parent)).map(([child]) => child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/**
 * Last-resort cleanup: on any way out, SIGKILL whatever is still running. Synchronous because
 * 'exit' handlers cannot wait.
 */
export function killChildrenOnExit(): void {
  const killAll = () => {
    for (const child of children) {
      for (const pid of descendantsOf(child.pid)) killQuietly(pid, 'SIGKILL');
      child.kill('SIGKILL');
    }
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}, stopping the servers`);
      killAll();
      process.exit(130);
    });
  }
}

/** Polls `url` until it answers 200; fails early if the child dies (e.g. a startup error). */
export async function waitForOk(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before ${url} answered`);
    }
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Memory {
  /** Resident set in MB: heap plus the touched pages of the mappings. */
  rssMb: number;
  /** Anonymous resident memory in MB: the heap and buffers, not the file pages. */
  anonMb: number;
}

/** VmRSS and RssAnon from /proc (Linux only; NaN elsewhere). */
export function memoryOf(pid: number | undefined): Memory {
  const path = `/proc/${pid}/status`;
  if (pid === undefined || !existsSync(path)) return { rssMb: NaN, anonMb: NaN };
  const status = readFileSync(path, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, anonMb: kb('RssAnon') / 1024 };
}

/** CPU time (user + system) a process and its workers have used so far, in milliseconds; NaN if unknown. */
export function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  let total = 0;
  for (const p of [pid, ...descendantsOf(pid)]) {
    const path = `/proc/${p}/stat`;
    if (!existsSync(path)) return NaN;
    // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  }
  return total;
}

/** `npm run build`, so dist/ is what src/ says now; throws with the compiler's output on failure. */
export function build(cwd: string): void {
  const result = spawnSync('npm', ['run', 'build'], { cwd, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status}); fix the build before benchmarking`);
}
