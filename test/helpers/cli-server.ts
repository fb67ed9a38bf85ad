/**
 * The real CLI (through tsx) as a child process: started and waited for (startCli), run to
 * completion (runCli), asked on a fresh connection each time (getFresh), stopped. Shared by the
 * tests that need a process of its own: --workers, --preload, reload by signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const cli = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

export interface Served {
  child: ChildProcess;
  url: string;
  ready: Record<string, unknown>;
  exited: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first log line (parsed) that `match` accepts, from the start of the output. */
  waitFor: (match: (line: Record<string, unknown>) => boolean, ms?: number) => Promise<Record<string, unknown>>;
}

/** A port free now: with --workers, port 0 would let each worker pick its own. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts the real CLI (through tsx) and waits for its ready line; the caller kills it. */
export async function startCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--host', '127.0.0.1', ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const waitFor = (match: (line: Record<string, unknown>) => boolean, ms = 30_000) => {
    let from = 0;
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.stdout.off('data', check);
        reject(new Error(`log line not seen within ${ms} ms; stdout: ${stdout.slice(-3000)}; stderr: ${stderr.slice(-2000)}`));
      }, ms);
      const check = () => {
        const end = stdout.lastIndexOf('\n') + 1;
        for (const line of stdout.slice(from, end).split('\n')) {
          if (!line.startsWith('{')) continue;
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (match(parsed)) {
            clearTimeout(timer);
            child.stdout.off('data', check);
            return resolve(parsed);
          }
        }
        from = end;
      };
      child.stdout.on('data', check);
      check();
    });
  };
  const readyLine = waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('seqserve ready'), timeoutMs);
  const ready = await Promise.race([
    readyLine,
    exited.then((code) => {
      throw new Error(`exited with ${code} before ready: ${stderr}${stdout.slice(-2000)}`);
    }),
  ]);
  return { child, url: ready.url as string, ready, exited, stdout: () => stdout, stderr: () => stderr, waitFor };
}

/** GET on a connection of its own (no keep-alive), so that each request may reach another worker. */
export function getFresh(url: string): Promise<{ status: number; body: Buffer; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), res }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The fields of /readyz the tests read. */
interface Readyz {
  pid: number;
  preload: { state: string; bytes: number; total: number; ms: number };
  digests: { known: number; total: number };
  residency: {
    lock: { state: string; bytes: number; targets: string[]; assemblies: string[] };
    keeper: { state: string; passes: number; rereadBytes: number; busyMs: number; residentBytes: number; totalBytes: number };
    assemblies: { assembly: string; mappedBytes: number; residentBytes: number; percent: number; locked: boolean; keptWarm: boolean; preloaded: boolean }[];
  };
}

export async function readyz(url: string): Promise<Readyz> {
  const r = await getFresh(`${url}/readyz`);
  if (r.status !== 200) throw new Error(`/readyz answered ${r.status}: ${r.body.toString()}`);
  return JSON.parse(r.body.toString()) as Readyz;
}

/** Kills the process if it is still running and waits for it to be gone. */
export async function stop(served: Served | undefined): Promise<void> {
  if (!served) return;
  if (served.child.exitCode === null && served.child.signalCode === null) served.child.kill('SIGKILL');
  await served.exited;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (startup failures). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Starts reading `url` (one long streamed answer), sends the server `signal` once the first
 * bytes have arrived, then reads the rest: what a client in flight during a shutdown gets.
 */
export async function readThroughSignal(url: string, child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ received: number; tail: Buffer }> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => httpGet(url, { agent: false }, resolve).on('error', reject));
  const first = await new Promise<Buffer>((resolve) => res.once('data', resolve));
  res.pause();
  child.kill(signal);
  await new Promise((r) => setTimeout(r, 300));
  let received = first.length;
  let tail = first;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    received += chunk.length;
    tail = chunk;
  }
  return { received, tail };
}
