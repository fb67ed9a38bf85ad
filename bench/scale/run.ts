/**
 * npm run bench:genome: whole-genome figures on an hg38-sized genome (issue 5).
 *
 * 1. build dist/; generate the 3.1 Gbp genome (scripts/make-genome.ts, into the git-ignored
 *    bench/.tmp/scale/genome/, once) and the 64 Mbp bench genome (bench/genome.ts) as the
 *    baseline, each with its .fai and refget sidecar (`seqserve index`, once), so that no
 *    digest worker runs during the measurements;
 * 2. index build without a .fai: seqserve (server start on a symlink, its "built index" log
 *    line) vs `samtools faidx` (on another symlink), same warm file, same core;
 * 3. startup with the .fai: spawn → "ready" log line and spawn → first HTTP 200, median of N;
 * 4. RSS / RssAnon after startup and after 1 M random single-base lookups (wrk), 3.1 Gbp vs
 *    64 Mbp;
 * 5. random single bases with a cold page cache, then warm (after reading the file once), then
 *    with --preload if the CLI has it;
 * 6. `seqserve prepare` if the CLI has it: 10 kbp and 1 Mbp ranges, wrapped FASTA vs prepared;
 * 7. markdown on stdout (progress on stderr), JSON in bench/.tmp/scale-results.json.
 *
 * Environment: SCALE_SIZE (bases, default 3.1e9), SCALE_DURATION (seconds per throughput run,
 * default 10), SCALE_LOOKUPS (default 1000000), SCALE_STARTS (default 5).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureScaleGenome } from '../../scripts/make-genome.js';
import { ensureGenome } from '../genome.js';
import * as proc from '../processes.js';
import { evict, readThrough, residentFraction } from './cache.js';
import { sequencesOf, startServer, treeMemoryOf, type Started, type TreeMemory } from './server.js';
import { errorCount, hasWrk, runWrk, type Sequence, type WrkResult } from './wrk.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scaleDir = join(root, 'bench', '.tmp', 'scale');
const genomeDir = join(scaleDir, 'genome');
const smallDir = join(scaleDir, 'small');
const resultsPath = join(root, 'bench', '.tmp', 'scale-results.json');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

const size = Number(process.env.SCALE_SIZE ?? 3.1e9);
const durationSec = Number(process.env.SCALE_DURATION ?? 10);
const lookups = Number(process.env.SCALE_LOOKUPS ?? 1_000_000);
const starts = Number(process.env.SCALE_STARTS ?? 5);
const STARTUP_TARGET_MS = 500;
const ANON_TARGET_MIB = 64;
/** "Independent of genome size": the big genome's anonymous memory within 25% of the small one's. */
const ANON_INDEPENDENCE = 1.25;

const log = (message: string) => console.error(`scale: ${message}`);
const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fixed = (n: number | undefined, digits = 0) => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const thousands = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const pct = (f: number) => (Number.isFinite(f) ? `${(f * 100).toFixed(f < 0.1 ? 1 : 0)}%` : 'n/a');

interface Help {
  preload: boolean;
  prepare: boolean;
  workers: boolean;
  text: string;
}

/** A way to run the server: one process, or a --workers cluster. */
interface Mode {
  label: string;
  args: string[];
}

function cliHelp(): Help {
  const r = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  const text = `${r.stdout}${r.stderr}`;
  return { preload: /--preload\b/.test(text), prepare: /^\s*(seqserve\s+)?prepare\b/m.test(text), workers: /--workers\b/.test(text), text };
}

/** `seqserve index DIR` when a .fai or refget sidecar is missing: no digest worker during the bench. */
function ensureIndexed(dir: string, files: string[]): number | undefined {
  const isFasta = (f: string) => /\.(fa|fasta|fna)$/i.test(f);
  const missing = files.some((f) => (isFasta(f) && !existsSync(join(dir, `${f}.fai`))) || !existsSync(join(dir, `${f}.refget.tsv`)));
  if (!missing) return undefined;
  log(`seqserve index ${dir} (once: .fai and refget digests)`);
  const started = performance.now();
  const r = spawnSync(process.execPath, [cli, 'index', dir], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error(`seqserve index ${dir} failed (exit ${r.status})`);
  return (performance.now() - started) / 1000;
}

async function withServer<T>(dataDir: string, extraArgs: string[], body: (s: Started) => Promise<T>): Promise<T> {
  const s = await startServer(cli, dataDir, extraArgs);
  try {
    return await body(s);
  } finally {
    await proc.stop(s.child);
  }
}

function wrkScript(name: string): string {
  return join(scaleDir, `wrk-${name}.lua`);
}

function describe(r: WrkResult): string {
  return `${thousands(r.requests)} requests in ${r.seconds.toFixed(1)} s: ${thousands(r.requestsPerSec)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${errorCount(r)} errors/non-2xx`;
}

// ---------------------------------------------------------------------------------------------

interface IndexBuild {
  seqserveBuildMs: number | undefined;
  seqserveReadyMs: number;
  samtoolsMs: number;
  identical: boolean;
  residentBefore: number;
}

async function indexBuild(fasta: string, mode: Mode): Promise<IndexBuild> {
  const ours = join(scaleDir, 'index-seqserve');
  const theirs = join(scaleDir, 'index-samtools');
  for (const dir of [ours, theirs]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    symlinkSync(fasta, join(dir, 'genome.fa'));
  }
  // The sidecar is stamped with the target's size and mtime, so it is valid beside the symlink too.
  copyFileSync(`${fasta}.refget.tsv`, join(ours, 'genome.fa.refget.tsv'));
  log('reading the FASTA once so that both index builds start from a warm page cache');
  readThrough(fasta);
  const residentBefore = residentFraction(fasta);
  log('index build: seqserve (server start without a .fai)');
  const s = await withServer(ours, mode.args, async (s) => s);
  log(`  built in ${s.builtIndexMs} ms, ready ${Math.round(s.readyMs)} ms after spawn`);
  log('index build: samtools faidx');
  const started = performance.now();
  const r = spawnSync('taskset', ['-c', String(proc.SERVER_CORE), 'samtools', 'faidx', join(theirs, 'genome.fa')], { stdio: ['ignore', 2, 2] });
  const samtoolsMs = r.status === 0 ? performance.now() - started : NaN;
  log(`  samtools faidx: ${Math.round(samtoolsMs)} ms`);
  const a = join(ours, 'genome.fa.fai');
  const b = join(theirs, 'genome.fa.fai');
  const identical = existsSync(a) && existsSync(b) && readFileSync(a).equals(readFileSync(b));
  return { seqserveBuildMs: s.builtIndexMs, seqserveReadyMs: s.readyMs, samtoolsMs, identical, residentBefore };
}

/** The floor for startup: Node's own http hello-world, spawned and polled the same way. */
async function floorStartup(): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < starts; i++) {
    const port = await proc.freePort();
    const t0 = performance.now();
    const child = proc.spawnPinned(proc.SERVER_CORE, process.execPath, [
      '-e',
      `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`,
    ]);
    try {
      for (;;) {
        if (performance.now() - t0 > 30_000) throw new Error('node hello-world did not answer within 30 s');
        try {
          const res = await fetch(`http://127.0.0.1:${port}/`);
          await res.arrayBuffer();
          if (res.status === 200) break;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
      out.push(performance.now() - t0);
    } finally {
      await proc.stop(child);
    }
  }
  log(`  node http hello-world: first answer ${out.map(Math.round).join(', ')} ms`);
  return out;
}

interface Startup {
  readyMs: number[];
  firstAnswerMs: number[];
  selfReportedMs: number[];
}

/**
 * `starts` starts of each folder, alternating (big, small, big, ...) so that both see the same
 * spells of noise from the rest of the machine.
 */
async function startup(dirs: readonly string[], mode: Mode): Promise<Startup[]> {
  const outs: Startup[] = dirs.map(() => ({ readyMs: [], firstAnswerMs: [], selfReportedMs: [] }));
  for (let i = 0; i < starts; i++) {
    for (const [k, dir] of dirs.entries()) {
      const s = await withServer(dir, mode.args, async (s) => s);
      if (s.builtIndexMs !== undefined) throw new Error(`${dir}: the server built an index during a startup measurement`);
      outs[k]!.readyMs.push(s.readyMs);
      outs[k]!.firstAnswerMs.push(s.firstAnswerMs);
      outs[k]!.selfReportedMs.push(s.selfReportedMs);
    }
  }
  for (const [k, dir] of dirs.entries()) {
    log(
      `  ${dir} (${mode.label}): ready ${outs[k]!.readyMs.map(Math.round).join(', ')} ms; first answer ${outs[k]!.firstAnswerMs.map(Math.round).join(', ')} ms`,
    );
  }
  return outs;
}

interface MemoryRun {
  label: string;
  mode: string;
  sequences: number;
  bases: number;
  afterStart: TreeMemory;
  afterLookups: TreeMemory;
  lookups: WrkResult;
}

async function memoryRun(label: string, dir: string, mode: Mode): Promise<MemoryRun> {
  return withServer(dir, mode.args, async (s) => {
    const seqs = await sequencesOf(s.origin);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const afterStart = treeMemoryOf(s.child.pid);
    log(`${label}, ${mode.label}: ${thousands(lookups)} random single-base lookups`);
    const r = await runWrk({
      origin: s.origin,
      sequences: seqs,
      span: 1,
      connections: 50,
      durationSec: 600,
      limit: lookups,
      seed: 1,
      scriptPath: wrkScript('memory'),
    });
    log(`  ${describe(r)}`);
    const afterLookups = treeMemoryOf(s.child.pid);
    return { label, mode: mode.label, sequences: seqs.length, bases: seqs.reduce((n, q) => n + q.length, 0), afterStart, afterLookups, lookups: r };
  });
}

interface CacheRow {
  mode: string;
  state: string;
  residentAtStart: number;
  result: WrkResult | undefined;
  residentAfter: number;
  note: string;
}

interface ColdWarm {
  mode: string;
  evictedWith: string | undefined;
  rows: CacheRow[];
  readThroughSec: number;
  preload: { available: boolean; firstAnswerMs?: number; residentAtReady?: number; fullyResidentMs?: number; doneMessage?: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Cold (evicted before the server starts), then warm (the file read once) on the same server; then --preload on a new one. */
async function coldWarm(fasta: string, help: Help, mode: Mode): Promise<ColdWarm> {
  const rows: CacheRow[] = [];
  const evictedWith = evict(fasta);
  log(`${mode.label}: evicted ${fasta} from the page cache with: ${evictedWith ?? 'nothing worked'} (resident ${pct(residentFraction(fasta))})`);
  let readThroughSec = NaN;
  await withServer(genomeDir, mode.args, async (s) => {
    const seqs = await sequencesOf(s.origin);
    const residentAtStart = residentFraction(fasta);
    log(`${mode.label}, cold: random single bases for ${durationSec} s (resident at start ${pct(residentAtStart)})`);
    const cold = await runWrk({ origin: s.origin, sequences: seqs, span: 1, connections: 50, durationSec, seed: 2, scriptPath: wrkScript('cold') });
    log(`  ${describe(cold)}`);
    rows.push({
      mode: mode.label,
      state: evictedWith ? 'cold (evicted before start)' : 'cold? (eviction failed)',
      residentAtStart,
      result: cold,
      residentAfter: residentFraction(fasta),
      note: '',
    });
    readThroughSec = readThrough(fasta);
    const residentWarm = residentFraction(fasta);
    log(`${mode.label}, warm: random single bases for ${durationSec} s (read the file in ${readThroughSec.toFixed(1)} s; resident ${pct(residentWarm)})`);
    const warm = await runWrk({ origin: s.origin, sequences: seqs, span: 1, connections: 50, durationSec, seed: 3, scriptPath: wrkScript('warm') });
    log(`  ${describe(warm)}`);
    rows.push({
      mode: mode.label,
      state: 'warm (file read once, same server)',
      residentAtStart: residentWarm,
      result: warm,
      residentAfter: residentFraction(fasta),
      note: `reading the file (as cat does) took ${readThroughSec.toFixed(1)} s`,
    });
  });
  const preload: ColdWarm['preload'] = { available: help.preload };
  if (!help.preload) {
    rows.push({
      mode: mode.label,
      state: '--preload',
      residentAtStart: NaN,
      result: undefined,
      residentAfter: NaN,
      note: 'not available: `seqserve --help` has no --preload yet',
    });
    return { mode: mode.label, evictedWith, rows, readThroughSec, preload };
  }
  const again = evict(fasta);
  log(`${mode.label}, --preload: evicted with ${again ?? 'nothing'} (resident ${pct(residentFraction(fasta))})`);
  await withServer(genomeDir, [...mode.args, '--preload'], async (s) => {
    preload.firstAnswerMs = s.firstAnswerMs;
    preload.residentAtReady = residentFraction(fasta);
    // The preload runs in the background once listening: wait for its "preload done" line or full residency (≤ 180 s).
    const t0 = performance.now();
    let residentSince = NaN;
    while (performance.now() - t0 < 180_000) {
      const done = s.messages.find((m) => /^preload (done|stopped)/.test(m));
      if (done) {
        preload.doneMessage = done;
        break;
      }
      // No "done" line 3 s after the file is all in the page cache: stop waiting for one.
      if (Number.isNaN(residentSince) && residentFraction(fasta) >= 0.999) residentSince = performance.now();
      if (performance.now() - residentSince > 3000) break;
      await sleep(100);
    }
    preload.fullyResidentMs = residentFraction(fasta) >= 0.99 ? s.firstAnswerMs + (performance.now() - t0) : NaN;
    log(
      `  first answer ${Math.round(s.firstAnswerMs)} ms after spawn (resident ${pct(preload.residentAtReady)}); ${preload.doneMessage ?? 'no "preload done" line'}; resident ${fixed(preload.fullyResidentMs)} ms after spawn`,
    );
    const seqs = await sequencesOf(s.origin);
    const r = await runWrk({ origin: s.origin, sequences: seqs, span: 1, connections: 50, durationSec, seed: 4, scriptPath: wrkScript('preload') });
    log(`  ${describe(r)}`);
    rows.push({
      mode: mode.label,
      state: '--preload (evicted before start; measured once preloaded)',
      residentAtStart: residentFraction(fasta),
      result: r,
      residentAfter: residentFraction(fasta),
      note: `first answer ${fixed(s.firstAnswerMs)} ms after spawn (${pct(preload.residentAtReady)} resident); all resident ${fixed((preload.fullyResidentMs ?? NaN) / 1000, 1)} s after spawn${preload.doneMessage ? ` (log: "${preload.doneMessage}")` : ''}`,
    });
  });
  return { mode: mode.label, evictedWith, rows, readThroughSec, preload };
}

interface PrepareRow {
  span: number;
  connections: number;
  fasta: WrkResult;
  prepared: WrkResult;
}

interface Prepare {
  available: boolean;
  seconds?: number;
  outputBytes?: number;
  rows: PrepareRow[];
  note: string;
}

async function prepare(fasta: string, help: Help, mode: Mode): Promise<Prepare> {
  if (!help.prepare) return { available: false, rows: [], note: 'not available: `seqserve --help` has no prepare command yet' };
  const out = join(scaleDir, 'prepared');
  rmSync(out, { recursive: true, force: true });
  log(`seqserve prepare ${fasta} ${out}`);
  const started = performance.now();
  const r = spawnSync('taskset', ['-c', String(proc.SERVER_CORE), process.execPath, cli, 'prepare', fasta, out], { stdio: ['ignore', 2, 2] });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) return { available: true, seconds, rows: [], note: `seqserve prepare failed (exit ${r.status})` };
  const outputBytes = readdirSync(out).reduce((n, f) => n + statSync(join(out, f)).size, 0);
  // Digests for the prepared files too (not timed as part of prepare), so no digest worker reads them during the runs.
  const sequenceFiles = readdirSync(out).filter((f) => /\.(raw|smalla|fa|fasta|fna)$/i.test(f));
  ensureIndexed(out, sequenceFiles);
  log(`  ${seconds.toFixed(1)} s, ${(outputBytes / 2 ** 30).toFixed(2)} GiB written; reading it once (warm, as the FASTA is)`);
  for (const f of readdirSync(out)) if (statSync(join(out, f)).isFile()) readThrough(join(out, f));
  readThrough(fasta);
  const specs = [
    { span: 10_000, connections: 50 },
    { span: 1_000_000, connections: 8 },
  ];
  const measure = async (dir: string, label: string): Promise<WrkResult[]> =>
    withServer(dir, mode.args, async (s) => {
      const seqs: Sequence[] = await sequencesOf(s.origin);
      const results: WrkResult[] = [];
      for (const [i, spec] of specs.entries()) {
        log(`${label}: random ${spec.span.toLocaleString('en-US')} bp ranges for ${durationSec} s`);
        const res = await runWrk({
          origin: s.origin,
          sequences: seqs,
          span: spec.span,
          connections: spec.connections,
          durationSec,
          seed: 10 + i,
          scriptPath: wrkScript(`range-${label}`),
        });
        log(`  ${describe(res)}`);
        results.push(res);
      }
      return results;
    });
  const wrapped = await measure(genomeDir, 'fasta');
  const prepared = await measure(out, 'prepared');
  // 3 GB of scratch, rewritten at every run: not kept.
  rmSync(out, { recursive: true, force: true });
  return { available: true, seconds, outputBytes, rows: specs.map((s, i) => ({ ...s, fasta: wrapped[i]!, prepared: prepared[i]! })), note: '' };
}

// ---------------------------------------------------------------------------------------------

interface Goal {
  name: string;
  pass: boolean | undefined;
  detail: string;
}

async function main(): Promise<void> {
  proc.killChildrenOnExit();
  const startedAt = performance.now();
  const loadAtStart = loadavg()[0]!;
  if (!hasWrk) throw new Error('wrk is not installed (apt-get install wrk): it is the load generator of this bench');
  log('npm run build');
  proc.build(root);
  const help = cliHelp();
  log(
    `CLI: --workers ${help.workers ? 'available' : 'not available'}, --preload ${help.preload ? 'available' : 'not available'}, prepare ${help.prepare ? 'available' : 'not available'}`,
  );
  // One process is the figure the targets speak of; a 2-worker cluster (all on the server core) is the default's shape.
  const single: Mode = help.workers ? { label: '--workers 1', args: ['--workers', '1'] } : { label: 'one process', args: [] };
  const cluster: Mode | undefined = help.workers ? { label: '--workers 2', args: ['--workers', '2'] } : undefined;
  const modes = cluster ? [single, cluster] : [single];

  const genome = ensureScaleGenome(genomeDir, size, false, log);
  const fasta = genome.path;
  const indexSec = ensureIndexed(genomeDir, ['genome.fa']);
  const small = ensureGenome(smallDir);
  ensureIndexed(smallDir, ['bench.fa']);
  const fileBytes = statSync(fasta).size;
  log(
    `genome: ${genome.stamp.sequences} sequences, ${genome.stamp.bases.toLocaleString('en-US')} bases, ${(fileBytes / 2 ** 30).toFixed(2)} GiB in one file${genome.generated ? `, generated in ${genome.seconds.toFixed(1)} s` : ''}`,
  );

  const index = await indexBuild(fasta, single);

  log(`startup with an existing .fai, ${starts} starts each`);
  const floorStart = await floorStartup();
  const startups: Array<{ label: string; genome: string; s: Startup }> = [];
  for (const mode of modes) {
    const [big, base] = await startup([genomeDir, smallDir], mode);
    startups.push({ label: mode.label, genome: 'big', s: big! }, { label: mode.label, genome: 'small', s: base! });
  }

  // Warm for the memory runs: the page cache is not what they measure.
  readThrough(fasta);
  const smallMem = await memoryRun('64 Mbp genome', smallDir, single);
  const bigMem = await memoryRun(`${(genome.stamp.bases / 1e9).toFixed(1)} Gbp genome`, genomeDir, single);
  const clusterMem = cluster ? await memoryRun(`${(genome.stamp.bases / 1e9).toFixed(1)} Gbp genome`, genomeDir, cluster) : undefined;
  const pageCacheMiB = (residentFraction(fasta) * fileBytes) / 2 ** 20;

  const caches: ColdWarm[] = [];
  for (const mode of modes) caches.push(await coldWarm(fasta, help, mode));
  const prep = await prepare(fasta, help, single);

  // ------------------------------------------------------------------------------- report
  const md: string[] = [];
  const gbp = (genome.stamp.bases / 1e9).toFixed(2);
  md.push(`## Whole-genome bench (\`npm run bench:genome\`)`, '');
  md.push(
    `${new Date().toISOString()}; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end; ${proc.pinningDescription()}; load generator: wrk, 1 thread, 50 connections unless said, a new random position per request, uniform over the genome's bases (Lua, seeded).`,
    '',
  );
  md.push(
    `Genome: ${genome.stamp.sequences} sequences (24 chromosomes + chrM + ${genome.stamp.sequences - 25} small contigs), ${genome.stamp.bases.toLocaleString('en-US')} bases, one 60-column FASTA of ${(fileBytes / 2 ** 30).toFixed(2)} GiB (scripts/make-genome.ts${genome.generated ? `, generated in ${genome.seconds.toFixed(1)} s this run` : ', already there'}${indexSec !== undefined ? `; \`seqserve index\` ${indexSec.toFixed(1)} s` : ''}). Baseline: the 64 Mbp bench genome (bench/genome.ts: ${smallMem.sequences} sequences, ${small.length.toLocaleString('en-US')} bases as FASTA and as raw), same run.`,
    '',
  );

  md.push('### Index build without a .fai (page cache warm)', '');
  md.push('| tool | time | × samtools |', '|---|--:|--:|');
  md.push(`| samtools faidx | ${fixed(index.samtoolsMs / 1000, 2)} s | 1.00 |`);
  md.push(
    `| seqserve index build (its log line) | ${fixed((index.seqserveBuildMs ?? NaN) / 1000, 2)} s | ${fixed((index.seqserveBuildMs ?? NaN) / index.samtoolsMs, 2)} |`,
  );
  md.push(
    `| seqserve spawn → ready, build included (${single.label}) | ${fixed(index.seqserveReadyMs / 1000, 2)} s | ${fixed(index.seqserveReadyMs / index.samtoolsMs, 2)} |`,
  );
  md.push(
    '',
    `The two .fai files are ${index.identical ? 'byte-identical' : '**different**'}. File ${pct(index.residentBefore)} resident before the builds; both pinned to core ${proc.SERVER_CORE}.`,
    '',
  );

  md.push(`### Startup with an existing .fai (median of ${starts})`, '');
  md.push('| server | genome | spawn → "ready" log line | spawn → first HTTP 200 | server\'s own "started in" |', '|---|---|--:|--:|--:|');
  for (const mode of modes) {
    const big = startups.find((x) => x.label === mode.label && x.genome === 'big')!.s;
    const base = startups.find((x) => x.label === mode.label && x.genome === 'small')!.s;
    md.push(
      `| ${mode.label} | ${gbp} Gbp, ${bigMem.sequences} sequences | ${fixed(median(big.readyMs))} ms | ${fixed(median(big.firstAnswerMs))} ms | ${fixed(median(big.selfReportedMs))} ms |`,
    );
    md.push(
      `| ${mode.label} | 64 Mbp baseline | ${fixed(median(base.readyMs))} ms | ${fixed(median(base.firstAnswerMs))} ms | ${fixed(median(base.selfReportedMs))} ms |`,
    );
    md.push(
      `| ${mode.label} | ratio | ${fixed(median(big.readyMs) / median(base.readyMs), 2)} × | ${fixed(median(big.firstAnswerMs) / median(base.firstAnswerMs), 2)} × | ${fixed(median(big.selfReportedMs) / median(base.selfReportedMs), 2)} × |`,
    );
  }
  md.push(`| floor | \`node -e\` http hello-world, same core | | ${fixed(median(floorStart))} ms | |`);
  md.push(
    '',
    `Spawn times include starting Node itself: the floor row is a bare Node http server spawned and polled the same way (the ${gbp} Gbp single-process start is ${fixed(median(startups.find((x) => x.label === single.label && x.genome === 'big')!.s.firstAnswerMs) / median(floorStart), 2)} × the floor).`,
    '',
  );

  md.push(`### Memory (MiB, /proc/PID/status), after startup and after ${thousands(lookups)} random single-base lookups`, '');
  md.push(
    '| server | genome | processes | RSS start | RssAnon start | RSS after | RssAnon after | RssFile after | lookups: count, req/s, p99 |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  );
  const memRow = (m: MemoryRun, label: string) =>
    `| ${m.mode} | ${label} | ${m.afterLookups.processes} | ${fixed(m.afterStart.total.rssMiB)} | ${fixed(m.afterStart.total.anonMiB)} | ${fixed(m.afterLookups.total.rssMiB)} | ${fixed(m.afterLookups.total.anonMiB)} | ${fixed(m.afterLookups.total.fileMiB)} | ${thousands(m.lookups.requests)}, ${thousands(m.lookups.requestsPerSec)}/s, ${m.lookups.p99Ms.toFixed(1)} ms${errorCount(m.lookups) ? ` (${errorCount(m.lookups)} errors)` : ''} |`;
  md.push(memRow(bigMem, `${gbp} Gbp`), memRow(smallMem, '64 Mbp baseline'));
  const anonRatio = bigMem.afterLookups.total.anonMiB / smallMem.afterLookups.total.anonMiB;
  const r = (a: number, b: number) => `${fixed(a / b, 2)} ×`;
  md.push(
    `| ${single.label} | ratio | | ${r(bigMem.afterStart.total.rssMiB, smallMem.afterStart.total.rssMiB)} | ${r(bigMem.afterStart.total.anonMiB, smallMem.afterStart.total.anonMiB)} | ${r(bigMem.afterLookups.total.rssMiB, smallMem.afterLookups.total.rssMiB)} | ${r(bigMem.afterLookups.total.anonMiB, smallMem.afterLookups.total.anonMiB)} | ${r(bigMem.afterLookups.total.fileMiB, smallMem.afterLookups.total.fileMiB)} | |`,
  );
  if (clusterMem) {
    md.push(memRow(clusterMem, `${gbp} Gbp (sum of all processes)`));
    md.push(
      `| ${clusterMem.mode} | ${gbp} Gbp, each process | | ${clusterMem.afterStart.each.map((m) => fixed(m.rssMiB)).join(' / ')} | ${clusterMem.afterStart.each.map((m) => fixed(m.anonMiB)).join(' / ')} | ${clusterMem.afterLookups.each.map((m) => fixed(m.rssMiB)).join(' / ')} | ${clusterMem.afterLookups.each.map((m) => fixed(m.anonMiB)).join(' / ')} | ${clusterMem.afterLookups.each.map((m) => fixed(m.fileMiB)).join(' / ')} | |`,
    );
  }
  md.push(
    '',
    `RssFile counts the genome pages a process has mapped and touched: they are the kernel's page cache, shared between processes (the genome file had ${fixed(pageCacheMiB)} MiB in the page cache after these runs, per fincore), not memory of the server's own.`,
    '',
  );

  md.push('### Random single bases: cold vs warm page cache', '');
  md.push(
    `Eviction: ${caches[0]?.evictedWith ?? '**no method got the file out of the page cache**'}; residency from fincore. ${durationSec} s per row; the cold and warm rows are one server, started after the eviction.`,
    '',
  );
  md.push(
    '| server | page cache | resident at start | req/s | p50 ms | p99 ms | errors | resident after | × cold req/s | note |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|---|',
  );
  for (const c of caches) {
    const coldRps = c.rows[0]?.result?.requestsPerSec ?? NaN;
    for (const row of c.rows) {
      const x = row.result;
      md.push(
        `| ${row.mode} | ${row.state} | ${pct(row.residentAtStart)} | ${thousands(x?.requestsPerSec)} | ${fixed(x?.p50Ms, 2)} | ${fixed(x?.p99Ms, 1)} | ${x ? errorCount(x) : 'n/a'} | ${pct(row.residentAfter)} | ${fixed((x?.requestsPerSec ?? NaN) / coldRps, 2)} | ${row.note} |`,
      );
    }
  }
  md.push('');

  md.push(`### \`seqserve prepare\`: wrapped FASTA vs prepared files (warm, ${single.label})`, '');
  if (!prep.available || prep.rows.length === 0) {
    md.push(`${prep.seconds !== undefined ? `prepare took ${prep.seconds.toFixed(1)} s; ` : ''}${prep.note}`, '');
  } else {
    md.push(`prepare: ${prep.seconds!.toFixed(1)} s, ${(prep.outputBytes! / 2 ** 30).toFixed(2)} GiB written. ${durationSec} s per cell.`, '');
    md.push('| range | conns | FASTA req/s | prepared req/s | × FASTA | FASTA p99 ms | prepared p99 ms |', '|---|--:|--:|--:|--:|--:|--:|');
    for (const row of prep.rows) {
      md.push(
        `| ${row.span.toLocaleString('en-US')} bp | ${row.connections} | ${thousands(row.fasta.requestsPerSec)} | ${thousands(row.prepared.requestsPerSec)} | ${fixed(row.prepared.requestsPerSec / row.fasta.requestsPerSec, 2)} | ${fixed(row.fasta.p99Ms, 1)} | ${fixed(row.prepared.p99Ms, 1)} |`,
      );
    }
    md.push('');
  }

  const bigSingle = startups.find((x) => x.label === single.label && x.genome === 'big')!.s;
  const allRuns = [
    smallMem.lookups,
    bigMem.lookups,
    clusterMem?.lookups,
    ...caches.flatMap((c) => c.rows.map((row) => row.result)),
    ...prep.rows.flatMap((row) => [row.fasta, row.prepared]),
  ];
  const goals: Goal[] = [
    {
      name: `startup with an existing .fai ≤ ${STARTUP_TARGET_MS} ms (${single.label}, spawn → first HTTP 200, median)`,
      pass: median(bigSingle.firstAnswerMs) <= STARTUP_TARGET_MS,
      detail: `${fixed(median(bigSingle.firstAnswerMs))} ms (ready line ${fixed(median(bigSingle.readyMs))} ms; server's own ${fixed(median(bigSingle.selfReportedMs))} ms)`,
    },
  ];
  if (cluster) {
    const c = startups.find((x) => x.label === cluster.label && x.genome === 'big')!.s;
    goals.push({
      name: `startup with an existing .fai ≤ ${STARTUP_TARGET_MS} ms (${cluster.label}, spawn → first HTTP 200, median)`,
      pass: median(c.firstAnswerMs) <= STARTUP_TARGET_MS,
      detail: `${fixed(median(c.firstAnswerMs))} ms`,
    });
  }
  goals.push(
    {
      name: `RssAnon ≤ ${ANON_TARGET_MIB} MiB after ${thousands(lookups)} lookups on ${gbp} Gbp (${single.label})`,
      pass: bigMem.afterLookups.total.anonMiB <= ANON_TARGET_MIB,
      detail: `${fixed(bigMem.afterLookups.total.anonMiB, 1)} MiB`,
    },
    {
      name: `RssAnon independent of genome size (${gbp} Gbp ≤ ${ANON_INDEPENDENCE} × 64 Mbp after the lookups)`,
      pass: anonRatio <= ANON_INDEPENDENCE,
      detail: `${fixed(bigMem.afterLookups.total.anonMiB, 1)} vs ${fixed(smallMem.afterLookups.total.anonMiB, 1)} MiB: ${fixed(anonRatio, 2)} ×`,
    },
  );
  if (clusterMem) {
    goals.push({
      name: `RssAnon ≤ ${ANON_TARGET_MIB} MiB per process (${clusterMem.mode}, after the lookups)`,
      pass: clusterMem.afterLookups.largest.anonMiB <= ANON_TARGET_MIB,
      detail: `largest ${fixed(clusterMem.afterLookups.largest.anonMiB, 1)} MiB, all ${fixed(clusterMem.afterLookups.total.anonMiB, 1)} MiB in ${clusterMem.afterLookups.processes} processes`,
    });
  }
  goals.push(
    { name: 'no errors or non-2xx in any load run', pass: allRuns.every((x) => x === undefined || errorCount(x) === 0), detail: '' },
    { name: 'seqserve .fai byte-identical to samtools faidx', pass: index.identical, detail: '' },
  );
  md.push('### Targets', '');
  for (const g of goals) md.push(`- ${g.pass === undefined ? 'N/A' : g.pass ? 'PASS' : 'MISS'}: ${g.name}${g.detail ? ` — ${g.detail}` : ''}`);
  const notMeasured = [
    ...(help.workers ? [] : ['--workers (not in the CLI yet)']),
    ...(help.preload ? [] : ['--preload (not in the CLI yet)']),
    ...(help.prepare ? [] : ['`seqserve prepare` and its speed-up over wrapped FASTA for 10 kbp / 1 Mbp ranges (no prepare command in the CLI yet)']),
    ...(caches.every((c) => c.evictedWith) ? [] : ['a really cold page cache (eviction failed)']),
  ];
  if (notMeasured.length) md.push('', `Not measured this run: ${notMeasured.join('; ')}.`);
  md.push(
    '',
    `Total bench time ${((performance.now() - startedAt) / 1000).toFixed(0)} s. Figures on a shared machine are noisy: compare the ratios within one run.`,
  );
  console.log(md.join('\n'));

  writeFileSync(
    resultsPath,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: {
          cores: cpus().length,
          memGiB: totalmem() / 2 ** 30,
          loadAverage: { start: loadAtStart, end: loadavg()[0] },
          pinning: proc.pinningDescription(),
        },
        settings: { size, durationSec, lookups, starts },
        cli: { workers: help.workers, preload: help.preload, prepare: help.prepare },
        genome: { ...genome.stamp, fileBytes, generatedSeconds: genome.generated ? genome.seconds : null, indexSeconds: indexSec ?? null },
        indexBuild: index,
        startup: { floorFirstAnswerMs: floorStart, runs: startups },
        memory: { single: bigMem, baseline: smallMem, cluster: clusterMem ?? null, anonRatio, pageCacheMiB },
        cache: caches,
        prepare: prep,
        targets: goals,
      },
      null,
      2,
    )}\n`,
  );
  log(`results in ${resultsPath}`);
  // Leftovers would falsify the next run. tsx's esbuild service is ours and ends with us.
  const leftovers = proc.descendantsOf(process.pid).filter((pid) => {
    try {
      return !readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('esbuild');
    } catch {
      return false;
    }
  });
  if (leftovers.length) log(`WARNING: child processes still running: ${leftovers.join(', ')}`);
  else log('no server or load generator left running');
}

main().catch((e: unknown) => {
  console.error(`scale: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
