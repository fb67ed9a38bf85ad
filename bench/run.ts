/**
 * npm run bench: seqserve against real peers, every figure a ratio within the same run.
 *
 * 1. build dist/, generate the bench genome (bench/.tmp/genome) if missing;
 * 2. one process: the Fastify hello-world floor (first and last), seqserve on the wrapped FASTA,
 *    the raw file and (if `seqserve prepare` exists) the prepared layout, nginx (1 worker) with
 *    Range requests on the raw file; paired single-base runs against the floor;
 *    then the formats group (bench/formats.ts): seqserve on FASTA, raw, .2bit and bgzipped FASTA,
 *    and bgzipped with an 8 MiB block cache (BENCH_FORMATS=0 skips it);
 * 3. latency: seqserve paced at half its measured peak (single base, 100 bp);
 * 4. workers: seqserve --workers N against nginx worker_processes N (skipped until --workers lands);
 * 5. batch: 100,000 × 100 bp regions via samtools faidx -r, @gmod/indexedfasta, POST /batch;
 * 6. for every MISS, seqserve under that load with node --cpu-prof, self time by function;
 * 7. markdown tables, PASS/MISS/SKIP, the chart (bench/chart.svg), bench/.tmp/results.json.
 *
 * Every server's answers are checked byte for byte before it is measured. Progress goes to
 * stderr; stdout holds only the results. BENCH_DURATION (s, default 5) per measured run;
 * BENCH_WORKERS (default max(2, server cores)); BENCH_TOOL=autocannon to force autocannon;
 * BENCH_FORMATS_DURATION (s, default 4) per formats row.
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { renderChart } from '../scripts/bench-chart.js';
import { runHttpBatch, runIndexedFasta, runSamtools, samtoolsVersion, writeRegions } from './batch.js';
import { resultsMarkdown, writeDoc } from './doc.js';
import { formatRows, formatsMarkdown, type FormatsResult } from './formats.js';
import { ensureFormatFiles } from './formats-files.js';
import { ensureGenome, type BenchGenome } from './genome.js';
import { loadGenerator, type LoadGenerator } from './loadgen.js';
import { describeMachine, machine, type Machine } from './machine.js';
import { nginxVersion } from './nginx.js';
import * as proc from './processes.js';
import { compareProfiles, formatProfile, profileLine, profileScenario, type ProfileSummary } from './profile.js';
import { batchTable, failedRows, formatTargets, markdownTable, timedOutRows, writeJson, type BatchLine, type Row, type Target } from './report.js';
import { cliFeatures, hasBatch, prepare, startHello, startSeqserve, type CliFeatures } from './servers.js';
import type { LoadJob } from './traffic.js';
import { helloFloor, jobFor, nginxRows, pacedRows, pairedSingleBase, scenario, seqserveRows, SCENARIOS, type Context } from './suite.js';
import { evaluate, type Measured } from './targets.js';
import { wrkVersion } from './wrk.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = join(root, 'bench', '.tmp');
const durationSec = Number(process.env.BENCH_DURATION ?? 5);
const formatsDurationSec = Number(process.env.BENCH_FORMATS_DURATION ?? 4);
const log = (message: string) => console.error(`bench: ${message}`);
const autocannon = (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version;

async function batchRows(ctx: Context, workers: number | undefined): Promise<{ rows: BatchLine[]; skipped?: string }> {
  const dir = join(scratch, 'batch');
  const files = writeRegions(dir, ctx.genome);
  const rows: BatchLine[] = [];
  if (samtoolsVersion()) {
    log(`batch: samtools faidx -r, ${files.spans.length} regions`);
    rows.push(await runSamtools(dir, ctx.genome, files));
  }
  log('batch: @gmod/indexedfasta');
  rows.push(await runIndexedFasta(files, ctx.genome));
  let skipped: string | undefined;
  for (const w of workers ? [undefined, workers] : [undefined]) {
    const { server, origin } = await startSeqserve(ctx.genome.dir, { workers: w });
    try {
      if (!(await hasBatch(origin))) {
        skipped = 'not available: seqserve has no POST /batch yet';
        break;
      }
      for (const body of ['text', 'json'] as const) {
        log(`batch: POST /batch, ${body} (${w ? `${w} workers` : 'one process'})`);
        try {
          rows.push(await runHttpBatch(origin, files, ctx.genome, w ? `seqserve --workers ${w}` : 'seqserve, one process', body));
        } catch (e) {
          // A wrong or failed answer invalidates the run, but the other figures are still printed.
          skipped = `POST /batch (${body}) FAILED: ${(e as Error).message}`;
          process.exitCode = 1;
        }
      }
    } finally {
      await proc.stop(server);
    }
  }
  return { rows, skipped };
}

/** The formats group, or why it is missing (a failure is noted and fails the run, the rest still prints). */
async function formatsGroup(ctx: Context, samtools: boolean, notes: string[]): Promise<FormatsResult | undefined> {
  if (process.env.BENCH_FORMATS === '0') {
    notes.push('formats: not measured (BENCH_FORMATS=0)');
    return undefined;
  }
  try {
    const files = await ensureFormatFiles(ctx.genome, join(scratch, 'formats'));
    log(files.written.length > 0 ? `formats: wrote ${files.written.join(', ')}` : `formats: reusing ${files.dir}`);
    return await formatRows(ctx, files, samtools, formatsDurationSec);
  } catch (e) {
    notes.push(`formats FAILED: ${(e as Error).message}`);
    process.exitCode = 1;
    return undefined;
  }
}

interface Run {
  lg: LoadGenerator;
  features: CliFeatures;
  m: Machine;
  /** The load generators and pinning, in a line. */
  setup: string;
  loadAtStart: number;
  genome: BenchGenome;
  ctx: Context;
  /** What was not measured, and failures that do not stop the run: printed after the tables. */
  notes: string[];
}

/** The build, the load generator, the machine and the bench genome. */
async function setUp(): Promise<Run> {
  proc.killChildrenOnExit();
  log('npm run build');
  proc.build(root);
  const lg = await loadGenerator();
  const features = cliFeatures();
  const m = machine({ nginx: nginxVersion(), wrk: await wrkVersion(), samtools: samtoolsVersion(), autocannon });
  const setup = `load: ${lg.description}; paced: ${lg.pacedDescription}; ${proc.pinningDescription()}`;
  log(describeMachine(m));
  log(setup);
  const loadAtStart = loadavg()[0]!;
  const genome = ensureGenome(join(scratch, 'genome'));
  log(`${genome.generated ? 'generated' : 'reusing'} ${genome.length.toLocaleString('en-US')} bp genome in ${genome.dir}`);
  const ctx: Context = { lg, genome, scratch, durationSec, warmupSec: 1, log };
  return { lg, features, m, setup, loadAtStart, genome, ctx, notes: [] };
}

/** seqserve (one process) on the layout `seqserve prepare` writes, if the CLI has it. */
async function preparedRows({ ctx, features, genome, notes }: Run): Promise<Row[]> {
  if (!features.prepare) {
    notes.push('prepared layout: not available (no `seqserve prepare` in this build)');
    return [];
  }
  try {
    const outDir = join(scratch, 'prepared');
    log('seqserve prepare');
    rmSync(outDir, { recursive: true, force: true }); // prepare never overwrites
    prepare(join(genome.dir, 'bench.fa'), outDir);
    return await seqserveRows(
      ctx,
      outDir,
      'one process',
      [['prepared', genome.fastaName]],
      [scenario('single base'), scenario('100 bp range'), scenario('1 Mbp range')],
    );
  } catch (e) {
    notes.push(`prepared layout: not measured: ${(e as Error).message}`);
    return [];
  }
}

/** nginx with one worker, if installed. */
async function nginxOneRows({ ctx, m, notes }: Run): Promise<Row[]> {
  if (!m.nginx) {
    notes.push('nginx: not installed (apt-get install -y nginx): no nginx rows, worker targets skipped');
    return [];
  }
  try {
    return await nginxRows(ctx, 'one process', 1);
  } catch (e) {
    // A wrong answer or a failed start invalidates the run, but the other figures are still printed.
    notes.push(`nginx FAILED: ${(e as Error).message}`);
    process.exitCode = 1;
    return [];
  }
}

/** Latency at half the measured peak of the same scenario (raw file, one process). */
async function pacedLatency(ctx: Context, one: Row[]): Promise<{ rows: Row[]; paced: Measured['paced'] }> {
  const peak = (s: string) => one.find((r) => r.scenario === s && r.file === 'raw')!.load.requestsPerSec;
  const pacedScenarios = [scenario('single base'), scenario('100 bp range')];
  const rows = await pacedRows(
    ctx,
    pacedScenarios.map((s) => [s, peak(s.scenario) / 2]),
  );
  const paced = rows.map((row, i) => ({ row, rate: peak(pacedScenarios[i]!.scenario) / 2, scenario: pacedScenarios[i]!.scenario }));
  return { rows, paced };
}

/** Workers: seqserve --workers N against nginx with the same N. */
async function workerGroup({ ctx, features, m, genome, notes }: Run): Promise<{ workers: number | string; rows: Row[] }> {
  const n = Number(process.env.BENCH_WORKERS ?? Math.max(2, m.nproc - 1));
  const workerScenarios = [scenario('single base'), scenario('100 bp range'), scenario('1 Mbp range')];
  let workers: number | string = 'not available: seqserve serve has no --workers yet';
  const rows: Row[] = [];
  if (features.workers && m.nginx) {
    workers = n;
    rows.push(...(await seqserveRows(ctx, genome.dir, `${n} workers`, [['raw', genome.rawName]], workerScenarios, n)));
    rows.push(...(await nginxRows(ctx, `${n} workers`, n, workerScenarios)));
  } else if (!m.nginx) workers = 'not available: nginx not installed';
  if (typeof workers === 'string') notes.push(`workers: ${workers}`);
  return { workers, rows };
}

/** The measured reason for each MISS: seqserve (one process) profiled under that scenario's load. */
async function profileMisses({ ctx, lg, genome }: Run, targets: Target[]): Promise<ProfileSummary[]> {
  const profiles: ProfileSummary[] = [];
  const missed = new Set(targets.filter((t) => t.status === 'MISS' && t.profile).map((t) => t.profile!));
  let helloProfile: ProfileSummary | undefined;
  if (targets.some((t) => t.status === 'MISS' && t.against === 'floor')) {
    log('profiling the hello-world floor (node --cpu-prof), to compare with seqserve');
    const job = (origin: string): LoadJob => ({ origin, requests: [{ path: '/' }], connections: 50, durationSec: 3, warmupSec: 1 });
    helloProfile = await profileScenario((dir) => startHello(dir), scratch, 'hello-world floor', job, lg);
    profiles.push(helloProfile);
  }
  for (const name of missed) {
    const s = SCENARIOS.find((x) => x.scenario === name);
    if (!s) continue;
    log(`profiling seqserve under "${name}" (node --cpu-prof)`);
    const job = (origin: string): LoadJob => ({ ...jobFor(ctx, origin, { kind: 'seqserve', name: genome.rawName }, s), durationSec: 3 });
    const p = await profileScenario((dir) => startSeqserve(genome.dir, { cpuProfDir: dir }), scratch, `seqserve, ${name}`, job, lg);
    profiles.push(p);
    for (const t of targets) {
      if (t.status === 'MISS' && t.profile === name) t.reason = t.against === 'floor' && helloProfile ? compareProfiles(p, helloProfile) : profileLine(p);
    }
  }
  return profiles;
}

/** What the run measured and judged, for the tables and results.json. */
interface Outcome {
  first: Row;
  last: Row;
  /** Mean req/s of the two hello-world floors. */
  floor: number;
  /** How far apart the two floors are, as a fraction of their mean. */
  spread: number;
  loadAtEnd: number;
  rows: Row[];
  formats: FormatsResult | undefined;
  formatRowsMeasured: Row[];
  paired: Measured['paired'];
  batch: { rows: BatchLine[]; skipped?: string };
  targets: Target[];
  profiles: ProfileSummary[];
}

/** The tables on stdout (rows without valid numbers fail the run); returns the formats markdown. */
function printResults({ m, setup, loadAtStart, notes }: Run, o: Outcome): string | undefined {
  const { first, last, floor, spread, loadAtEnd, rows, formats, formatRowsMeasured } = o;
  console.log(
    `\n${describeMachine(m)}\n${setup}\nload average at start ${loadAtStart.toFixed(2)}, at end ${loadAtEnd.toFixed(2)}; ${durationSec} s per run after 1 s warm-up\n`,
  );
  console.log(
    `hello-world floor: first ${Math.round(first.load.requestsPerSec)} req/s, last ${Math.round(last.load.requestsPerSec)} req/s, mean ${Math.round(floor)} (spread ${(spread * 100).toFixed(1)}%${spread > 0.1 ? ': noisy machine, compare ratios with care' : ''})\n`,
  );
  console.log(markdownTable(rows));
  const runLine = `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (\`npm run bench\`); hello-world floor mean ${Math.round(floor)} req/s (first/last spread ${(spread * 100).toFixed(1)}%); load average ${loadAtStart.toFixed(2)} at start, ${loadAtEnd.toFixed(2)} at end.`;
  const formatsText = formats ? formatsMarkdown(formats, runLine) : undefined;
  if (formatsText) console.log(`\nLayouts (seqserve, one process):\n\n${formatsText}`);
  console.log(`\n${batchTable(o.batch.rows)}\n`);
  for (const note of notes) console.log(`note: ${note}`);
  console.log(`\n${formatTargets(o.targets)}`);
  for (const p of o.profiles) console.log(`\n${formatProfile(p)}`);
  const failed = failedRows([...rows, ...formatRowsMeasured]);
  if (failed.length > 0) {
    console.log(`\n!!!!!!!! ${failed.length} scenario(s) had non-2xx responses or errors: their numbers are NOT valid !!!!!!!!`);
    for (const r of failed)
      console.log(`!!! ${r.group} ${r.server} ${r.scenario} (${r.file}): ${r.load.non2xx} non-2xx, ${r.load.errors} errors, ${r.load.timeouts} timeouts`);
    process.exitCode = 1;
  }
  for (const r of timedOutRows([...rows, ...formatRowsMeasured]))
    console.log(`note: ${r.server} ${r.scenario} (${r.file}): ${r.load.timeouts} of ${r.load.total} requests timed out (10 s)`);
  return formatsText;
}

/** bench/.tmp/results.json and results.md, the chart, and (BENCH_WRITE_DOC=1) the figures in BENCHMARKS.md. */
function saveResults({ m, setup, loadAtStart, notes }: Run, o: Outcome, formatsText: string | undefined): void {
  const results = {
    date: new Date().toISOString(),
    machine: m,
    setup,
    loadAverage: { start: loadAtStart, end: o.loadAtEnd },
    durationSec,
    warmupSec: 1,
    floor: o.floor,
    floorSpread: o.spread,
    rows: o.rows,
    paired: o.paired,
    batch: o.batch.rows,
    notes,
    targets: o.targets,
    profiles: o.profiles,
    formats: o.formats,
  };
  const resultsPath = join(scratch, 'results.json');
  writeJson(resultsPath, results);
  const chart = renderChart(results, join(root, 'bench', 'chart.svg'));
  const doc = writeDoc(resultsMarkdown(results), join(scratch, 'results.md'), join(root, 'BENCHMARKS.md'), formatsText);
  log(
    `results written to ${resultsPath} and ${join(scratch, 'results.md')}, chart to ${chart}${doc ? `, figures into ${doc}` : ' (BENCH_WRITE_DOC=1 also updates BENCHMARKS.md)'}`,
  );
}

async function main(): Promise<void> {
  const run = await setUp();
  const { ctx, genome, notes } = run;
  const first = await helloFloor(ctx, 'floor (first)');
  const one = await seqserveRows(ctx, genome.dir, 'one process', [
    ['fasta', genome.fastaName],
    ['raw', genome.rawName],
  ]);
  one.push(...(await preparedRows(run)));
  const nginxOne = await nginxOneRows(run);
  const formats = await formatsGroup(ctx, Boolean(run.m.samtools), notes);
  const last = await helloFloor(ctx, 'floor (last)');
  const paired = await pairedSingleBase(ctx);
  const paced = await pacedLatency(ctx, one);
  const workerRun = await workerGroup(run);
  const { workers } = workerRun;
  const batch = await batchRows(ctx, typeof workers === 'number' ? workers : undefined);
  if (batch.skipped) notes.push(`batch: ${batch.skipped}`);

  const floor = (first.load.requestsPerSec + last.load.requestsPerSec) / 2;
  const rows = [first, ...one, ...nginxOne, last, ...paced.rows, ...workerRun.rows];
  const formatRowsMeasured = formats?.rows ?? [];
  for (const r of [...rows, ...formatRowsMeasured]) r.ratio = r.load.requestsPerSec / floor;
  const pacedTool = run.lg.pacedDescription.split(' (')[0]!;
  const measured: Measured = { rows, paired, workers, batch: batch.rows, batchSkipped: batch.skipped, paced: paced.paced, pacedTool };
  const targets = evaluate(measured);
  const profiles = await profileMisses(run, targets);

  const loadAtEnd = loadavg()[0]!;
  const spread = Math.abs(first.load.requestsPerSec - last.load.requestsPerSec) / floor;
  const outcome: Outcome = { first, last, floor, spread, loadAtEnd, rows, formats, formatRowsMeasured, paired, batch, targets, profiles };
  const formatsText = printResults(run, outcome);
  saveResults(run, outcome, formatsText);
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? (e.stack ?? String(e)) : String(e)}`);
  process.exit(1);
});
