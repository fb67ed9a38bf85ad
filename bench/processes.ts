/**
 * Child processes for the bench: CPU pinning, readiness, memory readings, and making sure no
 * server outlives the bench (normal end, thrown error, Ctrl-C, SIGTERM).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Servers get core 0, the load generator core 1, so the two never fight for one core. */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

const hasTaskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;

export function pinningDescription(): string {
  return hasTaskset
    ? `taskset: servers on core ${SERVER_CORE}, load generator on core ${LOAD_CORE}`
    : 'no taskset: processes not pinned (server and load generator share the cores; results are noisier)';
}

const children = new Set<ChildProcess>();

/**
 * Starts `command args` pinned to `core` when taskset exists (taskset execs, so the pid is the
 * command's). The child's stdout is piped to us, or sent to our stderr so that our stdout holds
 * only the results.
 */
export function spawnPinned(core: number, command: string, args: string[], stdout: 'pipe' | 'stderr' = 'stderr'): ChildProcess {
  const [cmd, argv] = hasTaskset ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', stdout === 'pipe' ? 'pipe' : 2, 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Stops a child with SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stop(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Last-resort cleanup: on any way out, SIGKILL whatever is still running. Synchronous because
 * 'exit' handlers cannot wait.
 */
export function killChildrenOnExit(): void {
  const killAll = () => {
    for (const child of children) child.kill('SIGKILL');
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

/** CPU time (user + system) a process has used so far, in milliseconds; NaN if unknown. */
export function cpuMsOf(pid: number | undefined): number {
  const path = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(path)) return NaN;
  // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
  const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

/** `npm run build`, so dist/ is what src/ says now; throws with the compiler's output on failure. */
export function build(cwd: string): void {
  const result = spawnSync('npm', ['run', 'build'], { cwd, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status}); fix the build before benchmarking`);
}
