/** The residency group's figures (bench/residency.ts): what one mode measured, its tables, and this machine's page-out scheme. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult } from './traffic.js';

const MiB = 2 ** 20;

/** Server CPU time and the keeper's counters over a stretch of time, and the residency at its end (percent). */
export interface Stretch {
  seconds: number;
  cpuS: number;
  rereadBytes: number;
  busyMs: number;
  passes: number;
  percentAtEnd: number;
}

/** A load phase, and the CPU time other processes took on the server's core(s) during it. */
export type Phase = LoadResult & { othersS: number };

export interface Measured {
  mode: string;
  /** Why the mode has no figures (the server did not start, ...). */
  error?: string;
  /** fincore's resident fraction of the file right before the server was spawned. */
  residentAtSpawn: number;
  readyS: number;
  warmS: number;
  lock: { state: string; bytes: number; ms: number };
  /** fincore's figure when the idle began. */
  percentAtIdleStart: number;
  idle: Stretch;
  /** fincore's figure right after the forced page-out, then the stretch that followed it. */
  percentAfterPageOut: number;
  refill: Stretch;
  base: Phase;
  range: Phase;
  percentAfterLoad: number;
}

/** This machine's DAMON pageout scheme, if any (what makes idle pages leave the page cache here). */
export function damon(): string {
  const ctx = '/sys/kernel/mm/damon/admin/kdamonds/0/contexts/0';
  const read = (p: string) => (existsSync(join(ctx, p)) ? readFileSync(join(ctx, p), 'utf8').trim() : '');
  if (read('schemes/0/action') !== 'pageout') return 'no DAMON pageout scheme found';
  const aggrS = Number(read('monitoring_attrs/intervals/aggr_us')) / 1e6;
  const minAge = Number(read('schemes/0/access_pattern/age/min'));
  const filters = Array.from({ length: Number(read('schemes/0/ops_filters/nr_filters') || 0) }, (_, i) => {
    const f = `schemes/0/ops_filters/${i}`;
    return `${read(`${f}/type`)}${read(`${f}/matching`) === 'Y' ? '' : ' (not)'}: ${read(`${f}/allow`) === 'Y' ? 'allow' : 'reject'}`;
  });
  const quota = Number(read('schemes/0/quotas/bytes')) / MiB;
  return `DAMON (${read('operations')}) pageout of regions unaccessed for ≥ ${minAge * aggrS} s (age ≥ ${minAge} × ${aggrS} s), quota ${quota} MiB per ${read('schemes/0/quotas/reset_interval_ms')} ms, filters ${filters.join(', ') || 'none'}`;
}

const fixed = (n: number | undefined, digits: number) => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const pct = (n: number) => `${fixed(n, 1)}%`;

/** Re-read MiB (MiB per minute), busy ms, CPU s of a stretch. */
const cost = (s: Stretch) => [`${fixed(s.rereadBytes / MiB, 1)} (${fixed((s.rereadBytes / MiB / s.seconds) * 60, 1)})`, fixed(s.busyMs, 0), fixed(s.cpuS, 2)];

/** One table, a row per mode (a failed mode says why). */
function modeTable(results: Measured[], header: string[], cells: (m: Measured) => string[]): string {
  const lines = [`| mode | ${header.join(' | ')} |`, `| --- |${' ---: |'.repeat(header.length)}`];
  for (const m of results) lines.push(`| ${m.mode} | ${m.error ? `FAILED: ${m.error}` : cells(m).join(' | ')} |`);
  return lines.join('\n');
}

const costHeader = (when: string) => [`keeper re-read MiB (per min), ${when}`, `keeper busy ms, ${when}`, `server CPU s, ${when}`];

export function idleTable(results: Measured[], idleSec: number): string {
  return modeTable(
    results,
    ['ready / warm after spawn s', 'locked MiB (s)', 'resident at idle start', `after ${idleSec} s idle`, ...costHeader('idle')],
    (m) => [
      `${fixed(m.readyS, 2)} / ${fixed(m.warmS, 2)}`,
      `${fixed(m.lock.bytes / MiB, 1)} (${fixed(m.lock.ms / 1000, 2)})`,
      pct(m.percentAtIdleStart),
      pct(m.idle.percentAtEnd),
      ...cost(m.idle),
    ],
  );
}

export function pageOutTable(results: Measured[], refillSec: number): string {
  return modeTable(results, ['resident right after the page-out', `${refillSec} s later`, ...costHeader(`those ${refillSec} s`), 'after the load'], (m) => [
    pct(m.percentAfterPageOut),
    pct(m.refill.percentAtEnd),
    ...cost(m.refill),
    pct(m.percentAfterLoad),
  ]);
}

export function loadTable(results: Measured[], floors: LoadResult[], first: number): string {
  const floorRps = floors.reduce((sum, f) => sum + f.requestsPerSec, 0) / floors.length;
  const lines = [
    `| mode | request | req/s | × floor | p50 ms | p99 ms | first ${first.toLocaleString('en-US')} answers s | checked / wrong | non-2xx / errors | others' CPU s on the server core |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const row = (mode: string, what: string, r: LoadResult & { othersS?: number }) =>
    `| ${mode} | ${what} | ${Math.round(r.requestsPerSec).toLocaleString('en-US')} | ${fixed(r.requestsPerSec / floorRps, 2)} | ${fixed(r.p50Ms, 2)} | ${fixed(r.p99Ms, 2)} | ${fixed(r.firstAnswersMs === undefined ? undefined : r.firstAnswersMs / 1000, 2)} | ${r.checked ?? 0} / ${r.wrong ?? 0} | ${r.non2xx} / ${r.errors} | ${fixed(r.othersS, 2)} |`;
  floors.forEach((f, i) => lines.push(row('hello-world floor', i === 0 ? 'GET / (first)' : 'GET / (last)', f)));
  for (const m of results.filter((r) => !r.error)) {
    lines.push(row(m.mode, 'single base (first half)', m.base), row(m.mode, '1 kbp range (second half)', m.range));
  }
  return lines.join('\n');
}
