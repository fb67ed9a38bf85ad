/**
 * The memory-limit bench's report: markdown for stdout (one row per limit and request size,
 * medians over the rounds; memory after start; the --preload run) and everything as JSON in
 * bench/.tmp/memory-limit-results.json.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import * as proc from '../processes.js';
import type { PreloadResult } from './memory-limit-preload.js';
import type { RunResult, Timed } from './memory-limit-runs.js';
import { CONNECTIONS, DURATION, gib, GiB, log, mib, PRELOAD_LIMIT, resultsPath, ROUNDS, RUNS, SPAN, thousands } from './memory-limit-settings.js';
import { errorCount } from './wrk.js';

interface Report {
  /** The cgroup version and where its hierarchy is mounted. */
  cgroup: { version: 1 | 2; root: string };
  /** Every round's runs, in RUNS order. */
  rounds: RunResult[][];
  preload: PreloadResult | undefined;
  /** performance.now() at the start of the bench. */
  started: number;
  loadAtStart: number;
  /** What the server was built from (memory-limit-build.ts). */
  builtFrom: string;
  fileBytes: number;
}

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};
const range = (xs: number[]) => (xs.length > 1 ? ` (${thousands(Math.min(...xs))}–${thousands(Math.max(...xs))})` : '');
const lastRound = (r: Report) => r.rounds[r.rounds.length - 1]!;

function header(r: Report): string[] {
  const runs = lastRound(r);
  return [
    `### Memory limit (cgroup v${r.cgroup.version}) vs random lookups (bench/scale/memory-limit.ts)`,
    '',
    `${new Date().toISOString()}; ${cpus().length} cores, ${(totalmem() / GiB).toFixed(0)} GiB RAM, load average ${r.loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end (shared machine: compare within the run); ${proc.pinningDescription()}; server built from ${r.builtFrom}; wrk 1 thread, ${CONNECTIONS} connections, ${DURATION} s per row, a new random position per request. Genome: ${gib(r.fileBytes)} GiB FASTA (3.1 Gbp). Each limit: genome evicted, a new cgroup, the server started in it, then before each row \`cat genome.fa > /dev/null\` inside the cgroup (\`head -c\` of the hot set for hot-set rows). Resident = seqserve_page_cache_resident_bytes after the row (seqserve_mapped_bytes ${gib(runs[0]?.timed[0]?.metrics.mapped ?? NaN)} GiB); cgroup figures after the row; faults during the row.`,
    '',
    ROUNDS > 1
      ? `${ROUNDS} rounds; req/s, p50, p99, faults and disk reads are medians over the rounds (req/s range in brackets), memory figures from the last round.`
      : 'One round.',
    '',
  ];
}

/** One table row: run `i` of the last round, its timed row `k`, with medians over the same row of every round. */
function tableRow(r: Report, i: number, k: number, statuses: string[]): string {
  const runs = lastRound(r);
  const run = runs[i]!;
  const t = run.timed[k]!;
  /** The same row of every round. */
  const across = (ri: number): Timed[] => r.rounds.map((rs) => rs[ri]!.timed[k]!);
  const all = across(i);
  const rps = all.map((x) => x.wrk.requestsPerSec);
  const b = runs.findIndex((x) => x.limit === undefined && x.workers === run.workers && x.hotBytes === undefined);
  const ratio = b >= 0 ? (median(rps) / median(across(b).map((x) => x.wrk.requestsPerSec))).toFixed(2) : 'n/a';
  const over = run.hotBytes === undefined ? 'whole genome' : `first ${run.hotSequences} seqs, ${gib(run.hotBytes)} GiB`;
  const errors = all.reduce((n, x) => n + errorCount(x.wrk), 0);
  for (const x of all) if (Object.keys(x.metrics.non2xx).length) statuses.push(`${run.label}, span ${t.span}: ${JSON.stringify(x.metrics.non2xx)}`);
  return `| ${run.limit === undefined ? 'none' : gib(run.limit) + ' GiB'} | ${run.workers} | ${over} | ${t.span === 1 ? 'base' : `${t.span} bp`} | ${thousands(median(rps))}${range(rps)} | ${ratio} | ${median(all.map((x) => x.wrk.p50Ms)).toFixed(2)} | ${median(all.map((x) => x.wrk.p99Ms)).toFixed(1)} | ${errors} | ${gib(t.metrics.resident)} | ${gib(t.cgroup.usage)} | ${gib(t.cgroup.file)} | ${mib(t.cgroup.anon)} | ${thousands(median(all.map((x) => x.majfaultsDuring / x.wrk.seconds)))} | ${mib(median(all.map((x) => x.readDuring / x.wrk.seconds)))} | ${t.memory.total.anonMiB.toFixed(0)} |`;
}

function table(r: Report): string[] {
  const md = [
    '| limit | workers | lookups over | request | req/s | × no limit | p50 ms | p99 ms | errors | resident GiB | cgroup usage GiB | file GiB | anon MiB | major faults/s | disk read MiB/s | RssAnon MiB |',
    '|---|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  const statuses: string[] = [];
  for (const [i, run] of lastRound(r).entries()) {
    for (const k of run.timed.keys()) md.push(tableRow(r, i, k, statuses));
  }
  if (statuses.length) md.push('', `Non-2xx answers (from /metrics of the worker that answered): ${statuses.join('; ')}.`);
  md.push('', 'After start (before any lookup):', '');
  for (const run of lastRound(r))
    md.push(
      `- ${run.label}: cgroup usage ${mib(run.afterStart.cgroup.usage)} MiB (anon ${mib(run.afterStart.cgroup.anon)} MiB), RssAnon ${run.afterStart.memory.total.anonMiB.toFixed(0)} MiB in ${run.afterStart.memory.processes} process(es)`,
    );
  return md;
}

function preloadSection(preload: PreloadResult): string[] {
  const t = preload.after;
  const md = ['', `#### --preload under a ${gib(preload.limit)} GiB limit (--workers 1, evicted before start)`, ''];
  md.push(`First answer ${Math.round(preload.firstAnswerMs)} ms after spawn. Log:`, '');
  for (const [ms, m] of preload.lines) md.push(`- ${(ms / 1000).toFixed(1)} s: ${m}`);
  md.push(
    '',
    `Resident at the end ${gib(preload.residentEnd)} GiB (fincore); by tenth of the file: ${preload.byTenthEnd.map((f) => `${Math.round(f * 100)}%`).join(' ')}. cgroup: usage ${gib(preload.cgroupEnd.usage)} GiB, peak ${gib(preload.cgroupEnd.peak)} GiB, ${thousands(preload.cgroupEnd.limitHits)} limit hits; the server read ${gib(preload.readBytes)} GiB from disk for it.`,
    `Then random single bases, no warm-up: ${thousands(t.wrk.requestsPerSec)} req/s, p99 ${t.wrk.p99Ms.toFixed(1)} ms, resident after ${gib(t.metrics.resident)} GiB, ${thousands(t.majfaultsDuring)} major faults.`,
  );
  return md;
}

/** The whole markdown report, one line an element. */
export function reportMarkdown(r: Report): string[] {
  return [...header(r), ...table(r), ...(r.preload ? preloadSection(r.preload) : []), '', `Total ${((performance.now() - r.started) / 1000).toFixed(0)} s.`];
}

export function writeResults(r: Report): void {
  const { rounds, preload, fileBytes } = r;
  writeFileSync(
    resultsPath,
    `${JSON.stringify({ date: new Date().toISOString(), cgroup: r.cgroup, machine: { cores: cpus().length, memGiB: totalmem() / GiB, loadAverage: { start: r.loadAtStart, end: loadavg()[0] } }, settings: { RUNS, ROUNDS, DURATION, SPAN, PRELOAD_LIMIT, CONNECTIONS }, fileBytes, rounds, preload }, null, 2)}\n`,
  );
  log(`results in ${resultsPath}`);
}
