/** The results: the markdown table, the PASS/MISS/SKIP lines, and the JSON file. */
import { writeFileSync } from 'node:fs';
import type { Memory } from './processes.js';
import type { LoadResult } from './traffic.js';

export interface Row {
  /** 'one process', or 'N workers' (seqserve --workers N against nginx worker_processes N). */
  group: string;
  server: string;
  scenario: string;
  file: 'fasta' | 'raw' | 'prepared' | '2bit' | 'bgzf' | '-';
  connections: number;
  load: LoadResult;
  /** requests/s divided by the mean hello-world floor of this run. */
  ratio: number;
  /** The server's (primary process's) memory right after the scenario. */
  memory: Memory;
  /** Server CPU time per request, all its processes, warm-up included, in microseconds. */
  cpuUsPerRequest: number;
}

type Status = 'PASS' | 'MISS' | 'SKIP';

export interface Target {
  name: string;
  status: Status;
  /** The measured ratio (NaN when skipped). */
  ratio: number;
  detail: string;
  /** The scenario to profile seqserve under when missed. */
  profile?: string;
  /** What the target compares seqserve with: the floor's profile is then the one to set it against. */
  against?: 'floor' | 'nginx' | 'latency';
  /** For a MISS: what the CPU profile of that scenario shows (bench/profile.ts). */
  reason?: string;
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const thousands = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const ms = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(2));

export function markdownTable(rows: Row[]): string {
  const header = '| Group | Server | Scenario | File | Conns | req/s | × floor | server CPU µs/req | MB/s | p50 ms | p99 ms | non-2xx / errors | RSS MB |';
  const rule = '|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|';
  const lines = rows.map((r) => {
    const bad = r.load.non2xx + r.load.errors - r.load.timeouts > 0;
    const timeouts = r.load.timeouts > 0 ? ` (${r.load.timeouts} timed out)` : '';
    const failures = `${r.load.non2xx} / ${r.load.errors}${timeouts}${bad ? ' **!!**' : ''}`;
    return `| ${r.group} | ${r.server} | ${r.scenario} | ${r.file} | ${r.connections} | ${thousands(r.load.requestsPerSec)} | ${fixed(r.ratio, 2)} | ${fixed(r.cpuUsPerRequest, 1)} | ${fixed(r.load.bytesPerSec / 1e6, 1)} | ${ms(r.load.p50Ms)} | ${ms(r.load.p99Ms)} | ${failures} | ${fixed(r.memory.rssMb, 0)} |`;
  });
  return [header, rule, ...lines].join('\n');
}

export interface BatchLine {
  reader: string;
  regions: number;
  seconds: number;
  regionsPerSec: number;
}

export function batchTable(rows: BatchLine[]): string {
  return [
    '| Batch reader (100 bp regions, end to end) | Regions | Seconds | Regions/s |',
    '|---|--:|--:|--:|',
    ...rows.map((r) => `| ${r.reader} | ${thousands(r.regions)} | ${r.seconds.toFixed(2)} | ${thousands(r.regionsPerSec)} |`),
  ].join('\n');
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
  return targets.map((t) => `${t.status}  ${t.name}: ${t.detail}${t.reason ? `\n      ${t.reason}` : ''}`).join('\n');
}

export function writeJson(path: string, data: unknown): void {
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}
