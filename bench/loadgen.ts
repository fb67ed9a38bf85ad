/**
 * One entry point for load: wrk when installed (BENCH_TOOL=autocannon forces autocannon),
 * autocannon otherwise; both pinned to the load core. Request lists go through a file, not argv.
 */
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as proc from './processes.js';
import type { LoadJob, LoadResult } from './traffic.js';
import { runWrk, wrkVersion } from './wrk.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const scratch = join(benchDir, '.tmp', 'load');
const autocannonVersion = (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version;

export interface LoadGenerator {
  /** What measured the throughput runs, e.g. "wrk 4.1.0 (1 thread, Lua request table)". */
  description: string;
  /** What measured the paced latency runs. */
  pacedDescription: string;
  run(job: LoadJob, label: string): Promise<LoadResult>;
}

export async function loadGenerator(): Promise<LoadGenerator> {
  const wrk = process.env.BENCH_TOOL === 'autocannon' ? undefined : await wrkVersion();
  const cannonText = `autocannon ${autocannonVersion} (API in its own process, pipelining 1)`;
  return {
    description: wrk
      ? `wrk ${wrk} (1 thread, Lua table of pre-formatted requests)`
      : `${cannonText}: wrk not installed, figures above ~50k req/s are autocannon's own limit`,
    pacedDescription: wrk
      ? `wrk ${wrk} paced by a Lua delay() send schedule (wrk2 is not available: latency counts from the actual send; the rate reached is reported)`
      : `${cannonText} with overallRate (wrk not installed)`,
    run: (job, label) => (wrk ? runWrk(job, scratch, label) : runAutocannon(job, label)),
  };
}

async function runAutocannon(job: LoadJob, label: string): Promise<LoadResult> {
  mkdirSync(scratch, { recursive: true });
  const file = join(scratch, `${label.replace(/[^a-z0-9]+/gi, '-')}.json`);
  writeFileSync(file, JSON.stringify(job));
  const child = proc.spawnPinned(proc.LOAD_CORE, process.execPath, ['--import', 'tsx', join(benchDir, 'load.ts'), file], 'pipe');
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`autocannon exited with ${code}`);
  return JSON.parse(out) as LoadResult;
}
