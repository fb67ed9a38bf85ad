/** The results: a markdown table for the README, the PASS/MISS targets, and the JSON file. */
import { writeFileSync } from 'node:fs';
import type { LoadResult } from './load.js';
import type { Memory } from './processes.js';

export interface Row {
  scenario: string;
  file: 'fasta' | 'raw' | '-';
  connections: number;
  load: LoadResult;
  /** requests/s divided by the hello-world floor. */
  ratio: number;
  /** The server's memory right after the scenario. */
  memory: Memory;
  /** Server CPU time per request (warm-up included), in microseconds. */
  cpuUsPerRequest: number;
  /** The floor's CPU per request divided by this row's: 1 means as cheap as hello-world. */
  cpuRatio: number;
}

export interface Target {
  name: string;
  pass: boolean;
  detail: string;
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

export function markdownTable(rows: Row[]): string {
  const header = '| Scenario | File | Conns | req/s | × floor | server CPU µs/req | CPU × floor | MB/s | p50 ms | p99 ms | non-2xx / errors | RSS MB | RssAnon MB |';
  const rule = '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|';
  const lines = rows.map((r) => {
    const bad = r.load.non2xx + r.load.errors - r.load.timeouts > 0;
    const timeouts = r.load.timeouts > 0 ? ` (${r.load.timeouts} timed out)` : '';
    const failures = `${r.load.non2xx} / ${r.load.errors}${timeouts}${bad ? ' **!!**' : ''}`;
    return `| ${r.scenario} | ${r.file} | ${r.connections} | ${thousands(r.load.requestsPerSec)} | ${fixed(r.ratio, 2)} | ${fixed(r.cpuUsPerRequest, 1)} | ${fixed(r.cpuRatio, 2)} | ${fixed(r.load.bytesPerSec / 1e6, 1)} | ${r.load.p50Ms} | ${r.load.p99Ms} | ${failures} | ${fixed(r.memory.rssMb, 0)} | ${fixed(r.memory.anonMb, 0)} |`;
  });
  return [header, rule, ...lines].join('\n');
}

/**
 * Rows whose requests failed: any of them makes the whole run suspect. Timeouts (no answer in
 * 10 s) are listed apart: a handful per run also hit the plain hello-world server on these
 * machines, so they are the loopback/VM's, not an answer seqserve got wrong.
 */
export function failedRows(rows: Row[]): Row[] {
  return rows.filter((r) => r.load.non2xx > 0 || r.load.errors - r.load.timeouts > 0);
}

export function timedOutRows(rows: Row[]): Row[] {
  return rows.filter((r) => r.load.timeouts > 0);
}

export function formatTargets(targets: Target[]): string {
  return targets.map((t) => `${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.detail}`).join('\n');
}

export function writeJson(path: string, data: unknown): void {
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}
