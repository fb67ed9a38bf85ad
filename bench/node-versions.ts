/**
 * npm run bench:node — the hello-world floor and seqserve's single-base and 100 bp lookups under
 * two Node binaries in one run, paired, so BENCHMARKS.md can show Node versions side by side.
 *
 *   npm run bench:node                                  # this node against scripts/node24.sh's
 *   BENCH_NODE=/path/to/node npm run bench:node         # this node against that one
 *
 * Each binary runs its own hello-world and seqserve (raw file, one process), all pinned to the
 * server cores but only one loaded at a time. Every round runs floor, single base and 100 bp on
 * one binary, then on the other (the order alternates by round, ABBA), so a ratio shares its few
 * seconds of machine noise; the results are medians of per-round figures. The mapping binding of
 * node_modules fits one Node ABI: for the other binary it is built into
 * vendor/mmap-io/build/node-abi-N, which the fork's loader takes when its own build does not load.
 * BENCH_ROUNDS (default 4), BENCH_DURATION (s per run, default 3). JSON: bench/.tmp/node-versions.json.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGenome } from './genome.js';
import { loadGenerator } from './loadgen.js';
import * as proc from './processes.js';
import { startHello, startSeqserve, type Running } from './servers.js';
import { jobFor, scenario, type Context } from './suite.js';
import type { LoadJob } from './traffic.js';
import { verifyAnswers } from './verify.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = join(root, 'bench', '.tmp');
const vendor = join(root, 'vendor', 'mmap-io');
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const durationSec = Number(process.env.BENCH_DURATION ?? 3);
const log = (message: string) => console.error(`bench:node: ${message}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const run = (node: string, args: string[]) => spawnSync(node, args, { cwd: root, encoding: 'utf8' });
const versionOf = (node: string) => run(node, ['--version']).stdout.trim();

/** npm's own node-gyp: npm names it to scripts it runs; else the one beside the global npm. */
function nodeGyp(): string {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  const prefix = spawnSync('npm', ['prefix', '-g'], { encoding: 'utf8' }).stdout.trim();
  return join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
}

/** Makes require('@riaskov/mmap-io') work under `node`, building the fork for its ABI if needed. */
function ensureBinding(node: string): void {
  if (run(node, ['-e', "require('@riaskov/mmap-io')"]).status === 0) return;
  const abi = run(node, ['-p', 'process.versions.modules']).stdout.trim();
  const nodedir = resolve(dirname(node), '..'); // the headers beside the binary (include/node)
  if (!existsSync(join(nodedir, 'include', 'node', 'node_version.h'))) throw new Error(`no Node headers in ${nodedir}/include/node for ${node}`);
  const work = join(scratch, `node-abi-${abi}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  copyFileSync(join(vendor, 'binding.gyp'), join(work, 'binding.gyp'));
  cpSync(join(vendor, 'src'), join(work, 'src'), { recursive: true });
  log(`building the mapping binding for ${versionOf(node)} (ABI ${abi}) in ${work}`);
  // binding.gyp runs `node` for nan's path; npm passes its own nodedir to scripts, which would win over --nodedir
  const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, npm_config_nodedir: nodedir };
  const built = spawnSync(node, [nodeGyp(), 'rebuild'], { cwd: work, env, stdio: ['ignore', 2, 2] });
  if (built.status !== 0) throw new Error(`node-gyp rebuild for ${node} failed (${built.status})`);
  mkdirSync(join(vendor, 'build', `node-abi-${abi}`), { recursive: true });
  copyFileSync(join(work, 'build', 'Release', 'mmap_io.node'), join(vendor, 'build', `node-abi-${abi}`, 'mmap_io.node'));
  const probe = run(node, ['-e', "require('@riaskov/mmap-io')"]);
  if (probe.status !== 0) throw new Error(`the binding still does not load under ${node}: ${probe.stderr.slice(0, 400)}`);
}

interface Side {
  node: string;
  version: string;
  hello: Running;
  seqserve: Running;
  floor: number[];
  single: number[];
  hundred: number[];
}

async function main(): Promise<void> {
  proc.killChildrenOnExit();
  const other =
    process.env.BENCH_NODE ??
    spawnSync('bash', [join(root, 'scripts', 'node24.sh'), '--which'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 2] }).stdout.trim();
  const nodes = [process.execPath, other];
  const versions = nodes.map(versionOf);
  if (!other || versions[0] === versions[1]) throw new Error(`need two different Node versions (got ${versions.join(' and ')}); set BENCH_NODE`);
  log('npm run build');
  proc.build(root);
  for (const node of nodes) ensureBinding(node);
  const lg = await loadGenerator();
  const genome = ensureGenome(join(scratch, 'genome'));
  const ctx: Context = { lg, genome, scratch, durationSec, warmupSec: 0, log };
  const loadAtStart = loadavg()[0]!;

  const sides: Side[] = [];
  try {
    for (const [i, node] of nodes.entries()) {
      const hello = await startHello(undefined, node);
      const seqserve = await startSeqserve(genome.dir, { node });
      sides.push({ node, version: versions[i]!, hello, seqserve, floor: [], single: [], hundred: [] });
      await verifyAnswers(seqserve.origin, genome, [genome.rawName]);
    }
    const jobs = (s: Side) => ({
      floor: { origin: s.hello.origin, requests: [{ path: '/' }], connections: 50, durationSec, warmupSec: 0 } satisfies LoadJob,
      single: jobFor(ctx, s.seqserve.origin, { kind: 'seqserve', name: genome.rawName }, scenario('single base')),
      hundred: jobFor(ctx, s.seqserve.origin, { kind: 'seqserve', name: genome.rawName }, scenario('100 bp range')),
    });
    for (const s of sides) for (const job of Object.values(jobs(s))) await lg.run({ ...job, durationSec: 1 }, 'node-versions-warmup'); // JIT
    for (let round = 0; round < rounds; round++) {
      // This VM pages out file pages left untouched for ~60 s: read the data before each round.
      readFileSync(join(genome.dir, 'bench.raw'));
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const s of order) {
        log(`round ${round + 1}/${rounds}: ${s.version}`);
        const j = jobs(s);
        for (const [key, job] of Object.entries(j) as ['floor' | 'single' | 'hundred', LoadJob][]) {
          const r = await lg.run(job, `node-versions-${key}`);
          if (r.non2xx > 0 || r.errors > 0) throw new Error(`${s.version} ${key}: ${r.non2xx} non-2xx, ${r.errors} errors`);
          s[key].push(r.requestsPerSec);
        }
      }
    }
  } finally {
    for (const s of sides) await Promise.all([proc.stop(s.hello.server), proc.stop(s.seqserve.server)]);
  }

  const ratio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]!));
  const k = (n: number) => Math.round(n).toLocaleString('en-US');
  const lines = [
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (\`npm run bench:node\`), ${rounds} rounds × ${durationSec} s per run, ${lg.description}; ${proc.pinningDescription()}; load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end. Medians over the rounds; × floor is the median of per-round ratios.`,
    '',
    '| Node | hello-world floor req/s | single base req/s | × floor | 100 bp req/s | × floor |',
    '| --- | --- | --- | --- | --- | --- |',
    ...sides.map(
      (s) =>
        `| ${s.version} | ${k(median(s.floor))} | ${k(median(s.single))} | ${ratio(s.single, s.floor).toFixed(2)} | ${k(median(s.hundred))} | ${ratio(s.hundred, s.floor).toFixed(2)} |`,
    ),
    '',
    `${sides[1]!.version} over ${sides[0]!.version} (median of per-round ratios): floor ${ratio(sides[1]!.floor, sides[0]!.floor).toFixed(2)} ×, single base ${ratio(sides[1]!.single, sides[0]!.single).toFixed(2)} ×, 100 bp ${ratio(sides[1]!.hundred, sides[0]!.hundred).toFixed(2)} ×.`,
  ];
  console.log(lines.join('\n'));
  const json = sides.map(({ node, version, floor, single, hundred }) => ({ node, version, floor, single, hundred }));
  writeFileSync(join(scratch, 'node-versions.json'), `${JSON.stringify({ date: new Date().toISOString(), rounds, durationSec, sides: json }, null, 2)}\n`);
}

main().catch((e: unknown) => {
  console.error(`bench:node: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
