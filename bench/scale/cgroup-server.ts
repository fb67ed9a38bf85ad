/**
 * The server (the snapshot build, memory-limit-build.ts) started inside a memory cgroup, pinned
 * to the server cores, its log lines kept with their times; and the genome file read inside the
 * same cgroup to warm the page cache as far as the limit lets it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as proc from '../processes.js';
import type { MemoryCgroup } from './memory-cgroup.js';
import { cli, genomeDir, sleep } from './memory-limit-settings.js';

/** The servers started and not exited yet, for the exit handlers. */
const servers = new Set<ChildProcess>();

/** Synchronous last resort for exit handlers: every server still running, and its workers, killed. */
export function killServersNow(): void {
  for (const child of servers) {
    for (const pid of proc.descendantsOf(child.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    child.kill('SIGKILL');
  }
}

export interface Server {
  child: ChildProcess;
  origin: string;
  /** [ms since spawn, message] of every log line. */
  messages: Array<[number, string]>;
  t0: number;
  firstAnswerMs: number;
}

export async function startIn(cg: MemoryCgroup, args: string[]): Promise<Server> {
  const port = await proc.freePort();
  const origin = `http://127.0.0.1:${port}`;
  const serverArgs = [cli, 'serve', '--data', genomeDir, '--port', String(port), '--host', '127.0.0.1', '--no-access-log', '--log-level', 'info', ...args];
  const [cmd, argv] = cg.wrap('taskset', ['-c', proc.SERVER_CORES, process.execPath, ...serverArgs]);
  const t0 = performance.now();
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SEQSERVE_PROGRESS_INTERVAL: '1000' } });
  servers.add(child);
  child.once('exit', () => servers.delete(child));
  const messages: Array<[number, string]> = [];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const at = performance.now() - t0;
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        messages.push([at, (JSON.parse(line) as { msg?: string }).msg ?? '']);
      } catch {
        messages.push([at, line]);
      }
    }
  });
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}); log:\n${messages.map((m) => m[1]).join('\n')}`);
    if (performance.now() - t0 > 120_000) throw new Error('server did not answer within 120 s');
    try {
      const res = await fetch(`${origin}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  return { child, origin, messages, t0, firstAnswerMs: performance.now() - t0 };
}

export async function stopServer(s: Server): Promise<void> {
  await proc.stop(s.child);
}

/**
 * `cat FILE > /dev/null` (or `head -c BYTES FILE` for a hot set at the start of the file) inside
 * the cgroup: the page cache as warm as the limit allows; seconds.
 */
export async function warmIn(cg: MemoryCgroup, file: string, bytes?: number): Promise<number> {
  const t0 = performance.now();
  const [cmd, argv] =
    bytes === undefined
      ? cg.wrap('sh', ['-c', 'exec cat "$1" > /dev/null', 'sh', file])
      : cg.wrap('sh', ['-c', 'exec head -c "$2" "$1" > /dev/null', 'sh', file, String(bytes)]);
  const child = spawn(cmd, argv, { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`cat ${file} in ${cg.path} exited ${code}`);
  return (performance.now() - t0) / 1000;
}
