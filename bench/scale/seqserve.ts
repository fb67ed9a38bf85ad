/**
 * The built CLI (dist/) as the whole-genome bench uses it: what its --help offers, `seqserve
 * index` on a folder, a server for the length of a callback, and the modes to run it in.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as proc from '../processes.js';
import { startServer, type Started } from './server.js';
import { cli, log, scaleDir } from './settings.js';

export interface Help {
  preload: boolean;
  prepare: boolean;
  workers: boolean;
  text: string;
}

/** A way to run the server: one process, or a --workers cluster. */
export interface Mode {
  label: string;
  args: string[];
}

export function cliHelp(): Help {
  const r = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  const text = `${r.stdout}${r.stderr}`;
  return { preload: /--preload\b/.test(text), prepare: /^\s*(seqserve\s+)?prepare\b/m.test(text), workers: /--workers\b/.test(text), text };
}

/** `seqserve index DIR` when a .fai or refget sidecar is missing: no digest worker during the bench. */
export function ensureIndexed(dir: string, files: string[]): number | undefined {
  const isFasta = (f: string) => /\.(fa|fasta|fna)$/i.test(f);
  const missing = files.some((f) => (isFasta(f) && !existsSync(join(dir, `${f}.fai`))) || !existsSync(join(dir, `${f}.refget.tsv`)));
  if (!missing) return undefined;
  log(`seqserve index ${dir} (once: .fai and refget digests)`);
  const started = performance.now();
  const r = spawnSync(process.execPath, [cli, 'index', dir], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error(`seqserve index ${dir} failed (exit ${r.status})`);
  return (performance.now() - started) / 1000;
}

export async function withServer<T>(dataDir: string, extraArgs: string[], body: (s: Started) => Promise<T>): Promise<T> {
  const s = await startServer(cli, dataDir, extraArgs);
  try {
    return await body(s);
  } finally {
    await proc.stop(s.child);
  }
}

export function wrkScript(name: string): string {
  return join(scaleDir, `wrk-${name}.lua`);
}
