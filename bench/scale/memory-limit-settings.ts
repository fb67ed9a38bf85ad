/**
 * The memory-limit bench's paths, settings (MEMLIMIT_* from the environment), units, and its
 * progress log (stderr: stdout holds only the report). See memory-limit.ts for what each setting
 * does.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const genomeDir = join(root, 'bench', '.tmp', 'scale', 'genome');
export const workDir = join(root, 'bench', '.tmp', 'memlimit');
export const snapDir = join(workDir, 'snapshot');
export const distDir = join(snapDir, 'dist');
export const cli = join(distDir, 'src', 'cli', 'main.js');
/** What to build the server from: "HEAD" (default; any commit) as `git archive` gives it, or "worktree" for src/ as it is now. */
export const SOURCE = process.env.MEMLIMIT_SOURCE ?? 'HEAD';
export const resultsPath = join(root, 'bench', '.tmp', 'memory-limit-results.json');

export const RUNS = (process.env.MEMLIMIT_RUNS ?? '1G,2G,3.25G,4G,none,4G/w2,2G/hot1.5G')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
export const DURATION = Number(process.env.MEMLIMIT_DURATION ?? 15);
export const SPAN = Number(process.env.MEMLIMIT_SPAN ?? 100);
export const PRELOAD_LIMIT = process.env.MEMLIMIT_PRELOAD ?? '1G';
export const ROUNDS = Number(process.env.MEMLIMIT_ROUNDS ?? 1);
export const TIMEOUT_SEC = Number(process.env.MEMLIMIT_TIMEOUT ?? 900 * ROUNDS);
export const CONNECTIONS = 50;

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
export const log = (m: string) => console.error(`memlimit: ${m}`);
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const gib = (b: number) => (Number.isFinite(b) ? (b / GiB).toFixed(2) : 'n/a');
export const mib = (b: number) => (Number.isFinite(b) ? (b / MiB).toFixed(0) : 'n/a');
export const thousands = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

/** "1G", "3.25G", "512M", "none" → bytes (undefined: no limit). */
export function parseLimit(s: string): number | undefined {
  if (s === 'none' || s === 'max') return undefined;
  const m = /^(\d+(?:\.\d+)?)([KMG]?)i?B?$/i.exec(s);
  if (!m) throw new Error(`bad limit ${s} (want e.g. 1G, 512M, none)`);
  const unit = { '': 1, K: 1024, M: MiB, G: GiB }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Math.round(Number(m[1]) * unit);
}
