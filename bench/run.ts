/**
 * npm run bench: seqserve against the Fastify hello-world floor, in one run on one machine.
 *
 * 1. build dist/, generate the bench genome (bench/.tmp) if missing;
 * 2. hello-world floor (bench/hello.ts), first;
 * 3. seqserve's real CLI: check its answers byte for byte, then single bases and 100 bp /
 *    10 kbp / 1 Mbp ranges at random positions, on the wrapped FASTA and on the raw file;
 * 4. hello-world floor again, last (the mean of both is the floor; their spread shows the noise);
 * 5. markdown table + PASS/MISS targets on stdout, everything in bench/.tmp/results.json.
 *
 * Progress goes to stderr, so stdout is only the results. BENCH_DURATION (seconds, default 6)
 * sets the length of each measured run.
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGenome, type BenchGenome } from './genome.js';
import type { LoadResult, LoadSpec, Target } from './load.js';
import * as proc from './processes.js';
import { failedRows, formatTargets, timedOutRows, markdownTable, writeJson, type Row, type Target as Goal } from './report.js';
import { verifyAnswers } from './verify.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, 'bench', '.tmp');
const durationSec = Number(process.env.BENCH_DURATION ?? 6);
const warmupSec = 1;
const autocannonVersion = (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version;
const log = (message: string) => console.error(`bench: ${message}`);

interface Scenario {
  scenario: string;
  span: number; // 1 = single-base route
  connections: number;
}

/** Few connections for 1 Mbp: 8 × 1 MB in flight already saturates the server, more only queues. */
const scenarios: Scenario[] = [
  { scenario: 'single base', span: 1, connections: 50 },
  { scenario: '100 bp range', span: 100, connections: 50 },
  { scenario: '10 kbp range', span: 10_000, connections: 50 },
  { scenario: '1 Mbp range', span: 1_000_000, connections: 8 },
];

/** Runs the pinned load generator once and returns its result. */
async function load(origin: string, target: Target, seed: number, connections: number, seconds = durationSec): Promise<LoadResult> {
  const spec: LoadSpec = { origin, target, seed, connections, durationSec: seconds, warmupSec };
  const child = proc.spawnPinned(proc.LOAD_CORE, process.execPath, ['--import', 'tsx', join(root, 'bench', 'load.ts'), JSON.stringify(spec)], 'pipe');
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return JSON.parse(out) as LoadResult;
}

/** A row without its ratio (known only once both floor runs are done). */
async function measure(label: string, file: Row['file'], origin: string, target: Target, seed: number, connections: number, server: ChildProcess): Promise<Row> {
  log(`${label} (${file}), ${connections} connections, ${warmupSec} s warm-up + ${durationSec} s`);
  const cpuBefore = proc.cpuMsOf(server.pid);
  const result = await load(origin, target, seed, connections);
  const cpuUsPerRequest = ((proc.cpuMsOf(server.pid) - cpuBefore) * 1000) / (result.total + result.warmupTotal);
  const row: Row = { scenario: label, file, connections, load: result, ratio: NaN, memory: proc.memoryOf(server.pid), cpuUsPerRequest, cpuRatio: NaN };
  log(`  ${Math.round(result.requestsPerSec)} req/s, p99 ${result.p99Ms} ms, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.distinctPaths} distinct paths cycled`);
  return row;
}

async function helloFloor(label: string): Promise<Row> {
  const port = await proc.freePort();
  const server = proc.spawnPinned(proc.SERVER_CORE, process.execPath, ['--import', 'tsx', join(root, 'bench', 'hello.ts'), String(port)]);
  const origin = `http://127.0.0.1:${port}`;
  try {
    await proc.waitForOk(`${origin}/`, server);
    return await measure(label, '-', origin, { kind: 'fixed', path: '/' }, 1, 50, server);
  } finally {
    await proc.stop(server);
  }
}

async function startSeqserve(genome: BenchGenome): Promise<{ server: ChildProcess; origin: string }> {
  const port = await proc.freePort();
  const args = [join(root, 'dist', 'src', 'cli.js'), 'serve', '--data', genome.dir, '--port', String(port), '--host', '127.0.0.1', '--no-access-log', '--log-level', 'warn'];
  const server = proc.spawnPinned(proc.SERVER_CORE, process.execPath, args);
  const origin = `http://127.0.0.1:${port}`;
  // The first start after generating builds bench.fa.fai, hence the generous wait.
  await proc.waitForOk(`${origin}/readyz`, server, 120_000);
  return { server, origin };
}

async function seqserveRows(genome: BenchGenome): Promise<Row[]> {
  const { server, origin } = await startSeqserve(genome);
  try {
    const probes = await verifyAnswers(origin, genome);
    log(`seqserve answered ${probes} sample requests with exactly the generated bytes`);
    const rows: Row[] = [];
    for (const [i, s] of scenarios.entries()) {
      for (const [file, name] of [['fasta', genome.fastaName], ['raw', genome.rawName]] as const) {
        const target: Target = s.span === 1 ? { kind: 'base', name, length: genome.length } : { kind: 'range', name, length: genome.length, span: s.span };
        // Same seed for both files: both answer the very same positions.
        rows.push(await measure(s.scenario, file, origin, target, 100 + i, s.connections, server));
      }
    }
    return rows;
  } finally {
    await proc.stop(server);
  }
}

/**
 * The single-base target, measured in pairs: hello-world and seqserve both running, short runs
 * alternating, and the median of the per-pair ratios. On a shared machine the floor drifts by
 * tens of percent within a minute; a pair shares its few seconds of noise.
 */
async function pairedSingleBase(genome: BenchGenome): Promise<{ ratios: number[]; median: number }> {
  const helloPort = await proc.freePort();
  const hello = proc.spawnPinned(proc.SERVER_CORE, process.execPath, ['--import', 'tsx', join(root, 'bench', 'hello.ts'), String(helloPort)]);
  const { server, origin } = await startSeqserve(genome);
  try {
    await proc.waitForOk(`http://127.0.0.1:${helloPort}/`, hello);
    const ratios: number[] = [];
    for (let pair = 0; pair < 5; pair++) {
      log(`paired single base ${pair + 1}/5`);
      const floor = await load(`http://127.0.0.1:${helloPort}`, { kind: 'fixed', path: '/' }, 1, 50, 3);
      const ours = await load(origin, { kind: 'base', name: genome.rawName, length: genome.length }, 200 + pair, 50, 3);
      if (ours.non2xx > 0) throw new Error(`paired single base: ${ours.non2xx} non-2xx answers`);
      ratios.push(ours.requestsPerSec / floor.requestsPerSec);
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    return { ratios, median: sorted[Math.floor(sorted.length / 2)]! };
  } finally {
    await proc.stop(hello);
    await proc.stop(server);
  }
}

/** The two targets of the issue. */
function targets(rows: Row[], paired: { ratios: number[]; median: number }): Goal[] {
  const find = (scenario: string, file: Row['file']) => rows.find((r) => r.scenario === scenario && r.file === file)!;
  const pairs = paired.ratios.map((r) => r.toFixed(2)).join(', ');
  const goals: Goal[] = [
    { name: 'single base ≥ 0.9 × hello-world, paired runs (median of 5)', pass: paired.median >= 0.9, detail: `${paired.median.toFixed(2)} × (pairs: ${pairs})` },
  ];
  goals.push(...(['fasta', 'raw'] as const).map((file) => {
    const r = find('single base', file);
    return {
      name: `single base (${file}) ≥ 0.9 × hello-world floor`,
      pass: r.ratio >= 0.9,
      detail: `${r.ratio.toFixed(2)} × floor in req/s; server CPU per request ${r.cpuRatio.toFixed(2)} × the floor's`,
    };
  }));
  const fasta = find('1 Mbp range', 'fasta');
  const raw = find('1 Mbp range', 'raw');
  const ratio = raw.load.requestsPerSec / fasta.load.requestsPerSec;
  goals.push({ name: '1 Mbp range: raw far above wrapped FASTA (≥ 2×)', pass: ratio >= 2, detail: `raw ${ratio.toFixed(2)} × FASTA req/s` });
  return goals;
}

async function main(): Promise<void> {
  proc.killChildrenOnExit();
  const setup = `autocannon ${autocannonVersion} (API, in its own process), pipelining 1; ${proc.pinningDescription()}; node ${process.version}`;
  const loadAtStart = loadavg()[0]!.toFixed(2);
  log(setup);
  log('npm run build');
  proc.build(root);
  const started = performance.now();
  const genome = ensureGenome(dataDir);
  log(`${genome.generated ? 'generated' : 'reusing'} ${genome.length.toLocaleString('en-US')} bp genome in ${dataDir} (${Math.round(performance.now() - started)} ms)`);

  const first = await helloFloor('hello-world floor (first)');
  const measured = await seqserveRows(genome);
  const last = await helloFloor('hello-world floor (last)');
  const paired = await pairedSingleBase(genome);

  // Other work on a shared machine is the main source of noise: show how busy it was.
  const load1 = loadavg()[0]!.toFixed(2);
  const floor = (first.load.requestsPerSec + last.load.requestsPerSec) / 2;
  const rows = [first, ...measured, last];
  const floorCpu = (first.cpuUsPerRequest + last.cpuUsPerRequest) / 2;
  for (const r of rows) {
    r.ratio = r.load.requestsPerSec / floor;
    r.cpuRatio = floorCpu / r.cpuUsPerRequest;
  }
  const goals = targets(rows, paired);
  const spread = Math.abs(first.load.requestsPerSec - last.load.requestsPerSec) / floor;

  console.log(`\n${setup}; load average at start ${loadAtStart}, at end ${load1}\n`);
  console.log(`hello-world floor: first ${Math.round(first.load.requestsPerSec)} req/s, last ${Math.round(last.load.requestsPerSec)} req/s, mean ${Math.round(floor)} (spread ${(spread * 100).toFixed(1)}%${spread > 0.1 ? ': noisy machine, compare ratios with care' : ''})\n`);
  console.log(markdownTable(rows));
  console.log(`\n${formatTargets(goals)}`);
  const failed = failedRows(rows);
  if (failed.length > 0) {
    console.log(`\n!!!!!!!! ${failed.length} scenario(s) had non-2xx responses, errors or timeouts: their numbers are NOT valid !!!!!!!!`);
    for (const r of failed) console.log(`!!! ${r.scenario} (${r.file}): ${r.load.non2xx} non-2xx, ${r.load.errors} errors, ${r.load.timeouts} timeouts`);
    process.exitCode = 1;
  }
  for (const r of timedOutRows(rows)) console.log(`note: ${r.scenario} (${r.file}): ${r.load.timeouts} of ${r.load.total} requests timed out (10 s)`);
  const resultsPath = join(dataDir, 'results.json');
  writeJson(resultsPath, { date: new Date().toISOString(), setup, loadAverage: { start: Number(loadAtStart), end: Number(load1) }, durationSec, warmupSec, floor, floorSpread: spread, rows, targets: goals });
  log(`results written to ${resultsPath}`);
}

main().catch((e: unknown) => {
  console.error(`bench: ${(e as Error).message ?? e}`);
  process.exit(1);
});
