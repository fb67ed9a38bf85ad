/**
 * What each layout costs: seqserve (one process) over the same 64 Mbp genome as wrapped FASTA,
 * raw, .2bit and bgzipped FASTA, every scenario, the four layouts one after the other on one
 * server. The bgzipped rows run with a warm block cache (64 MiB, the default, holds the whole
 * inflated text); one more server with --bgzf-cache-mib 8 shows random access over a genome
 * larger than its cache. Every figure is also given as a ratio to the raw row of its scenario.
 */
import type { ChildProcess } from 'node:child_process';
import { checkBgzfIndexes, gziBlocks, mib, type FormatFiles } from './formats-files.js';
import type { Row } from './report.js';
import { startSeqserve } from './servers.js';
import { jobFor, measure, scenario, SCENARIOS, withServer, type Context, type Scenario } from './suite.js';
import { verifyAnswers } from './verify.js';

export interface FormatsResult {
  rows: Row[];
  /** Seconds per measured format row (after the warm-up). */
  durationSec: number;
  /** What the block cache holds in each configuration measured. */
  cache: string[];
  /** The block cache's own counters (GET /metrics) over each bgzipped row, warm-up included. */
  cacheUse: CacheUse[];
  notes: string[];
}

const FORMATS_GROUP = 'formats';
const DEFAULT_CACHE_MIB = 64;
const SMALL_CACHE_MIB = 8;
const smallCacheGroup = `formats, --bgzf-cache-mib ${SMALL_CACHE_MIB}`;
const smallCacheScenarios = [scenario('single base'), scenario('1 Mbp range')];

interface CacheUse {
  group: string;
  scenario: string;
  hits: number;
  misses: number;
  /** Bytes of inflated blocks held after the row. */
  bytes: number;
}

type Layout = [Row['file'], string];

/** seqserve's block cache counters from its /metrics; NaN where a metric is missing. */
async function cacheCounters(origin: string): Promise<Omit<CacheUse, 'group' | 'scenario'>> {
  const res = await fetch(`${origin}/metrics`);
  const text = res.ok ? await res.text() : '';
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { hits: value('seqserve_bgzf_cache_hits_total'), misses: value('seqserve_bgzf_cache_misses_total'), bytes: value('seqserve_bgzf_cache_bytes') };
}

const layouts = (f: FormatFiles): Layout[] => [
  ['fasta', f.names.fasta],
  ['raw', f.names.raw],
  ['2bit', f.names.twoBit],
  ['bgzf', f.names.bgzf],
];

/** Fetches the whole sequence in one answer and compares it with the generated bases: a full check, and for bgzf the pass that fills the cache. */
async function wholeSequence(ctx: Context, origin: string, name: string): Promise<void> {
  const res = await fetch(`${origin}/chrom/${name}/range?start=0&end=${ctx.genome.length}`);
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200 || !body.equals(ctx.genome.bases))
    throw new Error(`check failed: the whole of ${name} (${res.status}, ${body.length} bytes) differs from the generated bases`);
}

/** What a cache of `cacheMib` holds of the bgzipped text, once a pass over it has filled it. */
function cacheHolds(files: FormatFiles, cacheMib: number): string {
  const text = files.bgzfTextBytes;
  const share = Math.min(1, (cacheMib * 2 ** 20) / text);
  const blocks = gziBlocks(files);
  const held =
    share === 1
      ? `all ${blocks} blocks (${mib(text)} MiB inflated): every request after the warm pass is a hit`
      : `${(share * 100).toFixed(1)}% of the ${blocks} blocks (${cacheMib} of ${mib(text)} MiB): a random position misses ${((1 - share) * 100).toFixed(0)}% of the time and inflates its 64 KiB block`;
  return `--bgzf-cache-mib ${cacheMib}: holds ${held}`;
}

async function measureLayouts(
  ctx: Context,
  origin: string,
  server: ChildProcess,
  group: string,
  which: Layout[],
  scenarios: Scenario[],
  durationSec: number,
  cacheUse: CacheUse[],
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const s of scenarios) {
    for (const [file, name] of which) {
      const job = { ...jobFor(ctx, origin, { kind: 'seqserve', name }, s), durationSec };
      const before = file === 'bgzf' ? await cacheCounters(origin) : undefined;
      rows.push(await measure(ctx, { group, server: 'seqserve', scenario: s.scenario, file }, job, server));
      if (before) {
        const after = await cacheCounters(origin);
        cacheUse.push({ group, scenario: s.scenario, hits: after.hits - before.hits, misses: after.misses - before.misses, bytes: after.bytes });
      }
    }
  }
  return rows;
}

export async function formatRows(ctx: Context, files: FormatFiles, samtools: boolean, durationSec: number): Promise<FormatsResult> {
  const notes: string[] = [];
  const cache: string[] = [];
  const cacheUse: CacheUse[] = [];
  const all = layouts(files);
  const rows = await withServer(startSeqserve(files.dir, { extraArgs: ['--bgzf-cache-mib', String(DEFAULT_CACHE_MIB)] }), async ({ server, origin }) => {
    // After the start: on the first one seqserve has just written the .gzi these read.
    notes.push(checkBgzfIndexes(files, samtools));
    cache.push(cacheHolds(files, DEFAULT_CACHE_MIB), cacheHolds(files, SMALL_CACHE_MIB));
    const probes = await verifyAnswers(
      origin,
      ctx.genome,
      all.map(([, name]) => name),
    );
    for (const [, name] of all.slice(2)) await wholeSequence(ctx, origin, name);
    ctx.log(`seqserve (formats) answered ${probes} sample requests and the whole .2bit and .fa.gz sequences with exactly the generated bytes`);
    return measureLayouts(ctx, origin, server, FORMATS_GROUP, all, SCENARIOS, durationSec, cacheUse);
  });
  const bgzf = all.filter(([file]) => file === 'bgzf');
  const small = await withServer(startSeqserve(files.dir, { extraArgs: ['--bgzf-cache-mib', String(SMALL_CACHE_MIB)] }), async ({ server, origin }) => {
    await wholeSequence(ctx, origin, files.names.bgzf);
    return measureLayouts(ctx, origin, server, smallCacheGroup, bgzf, smallCacheScenarios, durationSec, cacheUse);
  });
  return { rows: [...rows, ...small], durationSec, cache, cacheUse, notes };
}

const fixed = (n: number | undefined, digits = 2) => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/** req/s of this row over the formats group's raw row of the same scenario. */
function timesRaw(rows: Row[], r: Row): number {
  const raw = rows.find((x) => x.group === FORMATS_GROUP && x.file === 'raw' && x.scenario === r.scenario);
  return raw ? r.load.requestsPerSec / raw.load.requestsPerSec : NaN;
}

function formatsTable(rows: Row[]): string {
  const header = '| Group | Scenario | Layout | Conns | req/s | × floor | × raw | server CPU µs/req | MB/s | p50 ms | p99 ms | non-2xx / errors | RSS MB |';
  const rule = '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|';
  const lines = rows.map(
    (r) =>
      `| ${r.group} | ${r.scenario} | ${r.file} | ${r.connections} | ${thousands(r.load.requestsPerSec)} | ${fixed(r.ratio)} | ${fixed(timesRaw(rows, r))} | ${fixed(r.cpuUsPerRequest, 1)} | ${fixed(r.load.bytesPerSec / 1e6, 1)} | ${fixed(r.load.p50Ms)} | ${fixed(r.load.p99Ms)} | ${r.load.non2xx} / ${r.load.errors} | ${fixed(r.memory.rssMb, 0)} |`,
  );
  return [header, rule, ...lines].join('\n');
}

/** One line per layout, × raw per scenario: the summary the README's Formats table is made of. */
function formatsSummary(rows: Row[]): string {
  const groups: [string, string][] = [
    [FORMATS_GROUP, ''],
    [smallCacheGroup, `, ${SMALL_CACHE_MIB} MiB cache`],
  ];
  const lines: string[] = [];
  for (const [group, suffix] of groups) {
    for (const file of ['fasta', 'raw', '2bit', 'bgzf'] as const) {
      const mine = rows.filter((r) => r.group === group && r.file === file);
      if (mine.length === 0) continue;
      const cells = SCENARIOS.map((s) => {
        const r = mine.find((x) => x.scenario === s.scenario);
        return r ? `${fixed(timesRaw(rows, r))} × (${fixed(r.ratio)} × floor)` : '–';
      });
      lines.push(`| ${file}${suffix} | ${cells.join(' | ')} |`);
    }
  }
  return [`| Layout | ${SCENARIOS.map((s) => s.scenario).join(' | ')} |`, `|---|${SCENARIOS.map(() => '--:').join('|')}|`, ...lines].join('\n');
}

function cacheTable(uses: CacheUse[]): string {
  const lines = uses.map(
    (u) =>
      `| ${u.group} | ${u.scenario} | ${thousands(u.hits)} | ${thousands(u.misses)} | ${fixed((100 * u.hits) / (u.hits + u.misses), 1)}% | ${mib(u.bytes)} |`,
  );
  return ['| Group (bgzf rows) | Scenario | block hits | blocks inflated | hit rate | MiB held after |', '|---|---|--:|--:|--:|--:|', ...lines].join('\n');
}

/** `run` says which run (date, floor, load) the figures are from. */
export function formatsMarkdown(f: FormatsResult, run: string): string {
  return [
    `${run} ${f.durationSec} s per row after 1 s warm-up; × raw is against the raw row of the same scenario on the same server.`,
    '',
    ...[...f.cache, ...f.notes].map((n) => `- ${n}`),
    '',
    formatsTable(f.rows),
    '',
    "The block cache during the bgzipped rows, from seqserve's own counters (`/metrics`; warm-up included):",
    '',
    cacheTable(f.cacheUse),
    '',
    'req/s as a multiple of raw (and of the hello-world floor):',
    '',
    formatsSummary(f.rows),
  ].join('\n');
}
