/**
 * Random lookups on the 3.1 Gbp bench genome under a memory cgroup limit (issue 12, section 6:
 * sizing a container). A mapping's pages are charged to the memory cgroup of the process that
 * first reads them, so a container whose limit is below the genome's size cannot keep the whole
 * genome in the page cache.
 *
 * usage: node --import tsx bench/scale/memory-limit.ts        (as root, Linux, loopback only)
 *
 * For each run (MEMLIMIT_RUNS, default "1G,2G,3.25G,4G,none,4G/w2,2G/hot1.5G": a limit, "none"
 * for no limit; "/wN" for --workers N, default 1; "/hotSIZE" for lookups only in the sequences
 * at the start of the file that fit in SIZE, chr1 first — a hot set — warmed with `head -c`):
 *   1. evict the genome from the page cache (posix_fadvise DONTNEED; fincore checks), so that its
 *      pages are charged to the new cgroup when read again, not to whoever read them before;
 *   2. make a memory cgroup (v2: memory.max, v1: memory.limit_in_bytes) named
 *      seqserve-bench-PID-N, start the server in it (a shell writes its own pid to cgroup.procs,
 *      then execs taskset/node), pinned to the server core;
 *   3. before each timed run: `cat genome.fa > /dev/null` inside the same cgroup (warm, as far
 *      as the limit lets it), then wrk (pinned to the load core, outside the cgroup) for
 *      MEMLIMIT_DURATION s (15) of random single bases, then of random MEMLIMIT_SPAN bp ranges
 *      (100; 0 leaves the ranges out);
 *   4. after each timed run: seqserve_page_cache_resident_bytes and seqserve_mapped_bytes from
 *      /metrics, the cgroup's usage/file/anon/peak from memory.* files, its major faults and file
 *      refaults during the run, and the processes' RssAnon (/proc);
 *   5. stop the server, remove the cgroup.
 * Then --preload under MEMLIMIT_PRELOAD (default 1G; "" skips): cold start, the preload's log
 * lines, residency (fincore, and per tenth of the file by mincore) until it ends, then one
 * timed run with no warm-up.
 *
 * MEMLIMIT_ROUNDS (1) repeats the list, interleaved; the table then gives medians.
 * Markdown on stdout, progress on stderr, JSON in bench/.tmp/memory-limit-results.json. The
 * whole bench stops after MEMLIMIT_TIMEOUT s (900 per round) whatever happens, and always stops its
 * servers and removes its cgroups (also on Ctrl-C). The genome comes from scripts/make-genome.ts
 * (bench/.tmp/scale/genome/, made once, ~15 s) and is indexed once; the server is compiled with
 * tsc into bench/.tmp/memlimit/snapshot/dist from `git archive HEAD` (MEMLIMIT_SOURCE=worktree: the
 * work tree as it is); dist/ is left alone.
 *
 * Modules: memory-limit-settings.ts (settings), memory-cgroup.ts, cgroup-server.ts,
 * server-probes.ts, memory-limit-build.ts, memory-limit-runs.ts (steps 1-5),
 * memory-limit-preload.ts, memory-limit-report.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { ensureScaleGenome } from '../../scripts/make-genome.js';
import * as proc from '../processes.js';
import { killServersNow } from './cgroup-server.js';
import { MemoryCgroup, removeCgroupsNow } from './memory-cgroup.js';
import { buildServer } from './memory-limit-build.js';
import { preloadRun } from './memory-limit-preload.js';
import { reportMarkdown, writeResults } from './memory-limit-report.js';
import { limitRun, type RunResult } from './memory-limit-runs.js';
import { cli, genomeDir, gib, log, PRELOAD_LIMIT, ROUNDS, RUNS, TIMEOUT_SEC, workDir } from './memory-limit-settings.js';
import { hasWrk } from './wrk.js';

/** Stops every server and removes every cgroup, synchronously: for exit handlers. */
function cleanupNow(): void {
  killServersNow();
  removeCgroupsNow();
}

/** Whatever happens (a hang, Ctrl-C, an exit), the servers stop and the cgroups go. */
function installSafetyNets(): void {
  const watchdog = setTimeout(() => {
    log(`MEMLIMIT_TIMEOUT (${TIMEOUT_SEC} s) reached: stopping`);
    cleanupNow();
    process.exit(3);
  }, TIMEOUT_SEC * 1000);
  watchdog.unref();
  proc.killChildrenOnExit(); // wrk
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the server, removing the cgroups`);
      cleanupNow();
      process.exit(130);
    });
  }
}

/** The server compiled, the genome made and indexed (once each), and written back to disk. */
function prepareGenome(): { file: string; fileBytes: number; builtFrom: string } {
  mkdirSync(workDir, { recursive: true });
  const builtFrom = buildServer();
  const genome = ensureScaleGenome(genomeDir, 3.1e9, false, log);
  const file = genome.path;
  if (!existsSync(`${file}.fai`) || !existsSync(`${file}.refget.tsv`)) {
    log('seqserve index (once)');
    const r = spawnSync(process.execPath, [cli, 'index', genomeDir], { stdio: ['ignore', 2, 2] });
    if (r.status !== 0) throw new Error('seqserve index failed');
  }
  spawnSync('sync');
  const fileBytes = statSync(file).size;
  log(`genome ${file}: ${gib(fileBytes)} GiB`);
  return { file, fileBytes, builtFrom };
}

/** Rounds go through every limit in turn, so that the noise of a shared machine spreads over all of them. */
async function runRounds(file: string): Promise<RunResult[][]> {
  const rounds: RunResult[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (ROUNDS > 1) log(`round ${round + 1} of ${ROUNDS}`);
    const runs: RunResult[] = [];
    for (const [i, spec] of RUNS.entries()) runs.push(await limitRun(spec, round * RUNS.length + i, file));
    rounds.push(runs);
  }
  return rounds;
}

async function main(): Promise<void> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) throw new Error('needs Linux and root (it makes memory cgroups)');
  if (!hasWrk) throw new Error('needs wrk');
  installSafetyNets();
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  const { root: cgRoot, version } = MemoryCgroup.hierarchy();
  log(`memory cgroup v${version} at ${cgRoot}`);

  const { file, fileBytes, builtFrom } = prepareGenome();
  const rounds = await runRounds(file);
  const preload = PRELOAD_LIMIT ? await preloadRun(PRELOAD_LIMIT, file) : undefined;

  const report = { cgroup: { version, root: cgRoot }, rounds, preload, started, loadAtStart, builtFrom, fileBytes };
  console.log(reportMarkdown(report).join('\n'));
  writeResults(report);
  const left = readdirSync(cgRoot).filter((n) => n.startsWith(`seqserve-bench-${process.pid}-`));
  if (left.length) log(`WARNING: cgroups left: ${left.join(', ')}`);
}

main()
  .catch((e: unknown) => {
    console.error(`memlimit: ${e instanceof Error ? (e.stack ?? String(e)) : String(e)}`);
    process.exitCode = 1;
  })
  .finally(() => {
    cleanupNow();
    // the watchdog is unref'd; wrk/server children are gone
  });
