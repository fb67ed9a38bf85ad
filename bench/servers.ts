/**
 * The servers under test, each started pinned to the server cores on a free loopback port and
 * waited for: the Fastify hello-world floor and seqserve's real CLI (one process, or
 * `--workers N`, optionally under `node --cpu-prof`). What the CLI offers is read from its
 * --help, so rows for features not merged yet are skipped with a note instead of failing.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as proc from './processes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

export interface Running {
  server: ChildProcess;
  origin: string;
}

export interface CliFeatures {
  workers: boolean;
  prepare: boolean;
}

let features: CliFeatures | undefined;

/** Reads `seqserve --help` (once, after the build): `--workers` and `prepare` are announced there when they exist. */
export function cliFeatures(): CliFeatures {
  if (features) return features;
  const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  const text = `${help.stdout}${help.stderr}`;
  features = { workers: /--workers\b/.test(text), prepare: /seqserve prepare\b|^\s*prepare\s/m.test(text) };
  return features;
}

/** `node`: the Node binary to run it under (default this one; bench/node-versions.ts compares two). */
export async function startHello(cpuProfDir?: string, node = process.execPath): Promise<Running> {
  const port = await proc.freePort();
  const nodeFlags = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const server = proc.spawnPinned(proc.SERVER_CORES, node, [...nodeFlags, '--import', 'tsx', join(root, 'bench', 'hello.ts'), String(port)]);
  const origin = `http://127.0.0.1:${port}`;
  await proc.waitForOk(`${origin}/`, server);
  return { server, origin };
}

export interface SeqserveOptions {
  workers?: number;
  /** Folder for `node --cpu-prof` profiles (written when the server exits). */
  cpuProfDir?: string;
  /** More `serve` options, e.g. ['--bgzf-cache-mib', '8']. */
  extraArgs?: string[];
  /** The Node binary to run it under (default this one). */
  node?: string;
}

export async function startSeqserve(dataDir: string, options: SeqserveOptions = {}): Promise<Running> {
  const port = await proc.freePort();
  const nodeFlags = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
  const args = [
    ...nodeFlags,
    cli,
    'serve',
    '--data',
    dataDir,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--no-access-log',
    '--log-level',
    'warn',
    ...(options.extraArgs ?? []),
  ];
  // --workers defaults to the number of cores: "one process" must say 1 explicitly.
  if (cliFeatures().workers) args.push('--workers', String(options.workers ?? 1));
  else if (options.workers) throw new Error('this seqserve has no --workers');
  const server = proc.spawnPinned(proc.SERVER_CORES, options.node ?? process.execPath, args);
  const origin = `http://127.0.0.1:${port}`;
  try {
    // The first start after generating builds the .fai and digests, hence the generous wait.
    await proc.waitForOk(`${origin}/readyz`, server, 120_000);
  } catch (e) {
    await proc.stop(server);
    throw e;
  }
  return { server, origin };
}

/** `seqserve prepare INPUT OUTDIR`; throws with its output on failure. */
export function prepare(input: string, outDir: string): void {
  const r = spawnSync(process.execPath, [cli, 'prepare', input, outDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`seqserve prepare failed (${r.status}): ${r.stderr.slice(-500)}`);
}

/** Does the server answer POST /batch (anything but 404/405 to an empty region list)? */
export async function hasBatch(origin: string): Promise<boolean> {
  const res = await fetch(`${origin}/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"regions":[]}' });
  await res.arrayBuffer();
  return res.status !== 404 && res.status !== 405;
}
