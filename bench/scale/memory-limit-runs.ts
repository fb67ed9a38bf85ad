/**
 * One run of the memory-limit bench: the genome evicted, a new cgroup with the limit, the server
 * started in it, then timed rows of random single bases and ranges (each after warming the page
 * cache inside the cgroup), with the cgroup's and the server's figures after each.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { evict, residentBytes } from './cache.js';
import { startIn, stopServer, warmIn, type Server } from './cgroup-server.js';
import { MemoryCgroup, type CgStats } from './memory-cgroup.js';
import { CONNECTIONS, DURATION, gib, log, mib, parseLimit, sleep, SPAN, thousands, workDir } from './memory-limit-settings.js';
import { readBytesOf, scrape, type Scraped } from './server-probes.js';
import { sequencesOf, treeMemoryOf, type TreeMemory } from './server.js';
import { errorCount, runWrk, type Sequence, type WrkResult } from './wrk.js';

export interface Timed {
  span: number;
  warmSec: number;
  residentBeforeFincore: number;
  wrk: WrkResult;
  metrics: Scraped;
  residentAfterFincore: number;
  cgroup: CgStats;
  majfaultsDuring: number;
  refaultsDuring: number;
  /** Read from storage by the server during the timed run (bytes). */
  readDuring: number;
  memory: TreeMemory;
}

/**
 * The longest run of sequences from the start of the file (in .fai order, chr1 first) whose
 * bytes fit in `bytes`: the "hot set" that clients read; returns them and their bytes in the file.
 */
function hotSet(file: string, bytes: number): { sequences: Sequence[]; bytes: number } {
  const rows = readFileSync(`${file}.fai`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
  const sequences: Sequence[] = [];
  let end = 0;
  for (const [i, [name, length]] of rows.entries()) {
    const next = i + 1 < rows.length ? Number(rows[i + 1]![2]) - rows[i + 1]![0]!.length - 2 : statSync(file).size;
    if (next > bytes) break;
    sequences.push({ name: name!, length: Number(length) });
    end = next;
  }
  if (sequences.length === 0) throw new Error(`hot set of ${bytes} bytes holds no whole sequence`);
  return { sequences, bytes: end };
}

export interface RunResult {
  label: string;
  limit: number | undefined;
  workers: number;
  /** Lookups only in the first sequences of the file, this many bytes of it (undefined: the whole genome). */
  hotBytes: number | undefined;
  hotSequences: number | undefined;
  evictedWith: string | undefined;
  afterStart: { cgroup: CgStats; memory: TreeMemory };
  timed: Timed[];
}

export async function timedRun(
  cg: MemoryCgroup,
  s: Server,
  seqs: Sequence[],
  span: number,
  warm: boolean,
  file: string,
  seed: number,
  warmBytes?: number,
): Promise<Timed> {
  const warmSec = warm ? await warmIn(cg, file, warmBytes) : 0;
  const residentBeforeFincore = residentBytes(file);
  const before = cg.stats();
  const readBefore = readBytesOf(s.child.pid);
  const wrk = await runWrk({
    origin: s.origin,
    sequences: seqs,
    span,
    connections: CONNECTIONS,
    durationSec: DURATION,
    seed,
    scriptPath: join(workDir, `wrk-${span}.lua`),
  });
  const after = cg.stats();
  const readDuring = readBytesOf(s.child.pid) - readBefore;
  const memory = treeMemoryOf(s.child.pid);
  const metrics = await scrape(s.origin);
  const t: Timed = {
    span,
    warmSec,
    residentBeforeFincore,
    wrk,
    metrics,
    residentAfterFincore: residentBytes(file),
    cgroup: after,
    majfaultsDuring: after.pgmajfault - before.pgmajfault,
    refaultsDuring: after.refaultFile - before.refaultFile,
    readDuring,
    memory,
  };
  log(
    `  ${span === 1 ? 'single bases' : `${span} bp ranges`}: ${thousands(wrk.requestsPerSec)} req/s, p50 ${wrk.p50Ms.toFixed(2)} ms, p99 ${wrk.p99Ms.toFixed(2)} ms, ${errorCount(wrk)} errors; ` +
      `resident ${gib(metrics.resident)} GiB of ${gib(metrics.mapped)}; cgroup usage ${gib(after.usage)} GiB (file ${gib(after.file)}, anon ${mib(after.anon)} MiB), ` +
      `${thousands(t.majfaultsDuring)} major faults, read ${mib(readDuring / wrk.seconds)} MiB/s from disk; RssAnon ${memory.total.anonMiB.toFixed(0)} MiB in ${memory.processes} process(es)` +
      (warm ? `; warmed in ${warmSec.toFixed(1)} s` : ''),
  );
  return t;
}

export async function limitRun(spec: string, index: number, file: string): Promise<RunResult> {
  const [limitText, ...options] = spec.split('/');
  const limit = parseLimit(limitText!);
  let workers = 1;
  let hot: { sequences: Sequence[]; bytes: number } | undefined;
  for (const o of options) {
    if (/^w\d+$/.test(o)) workers = Number(o.slice(1));
    else if (o.startsWith('hot')) hot = hotSet(file, parseLimit(o.slice(3))!);
    else throw new Error(`bad run ${spec} (want LIMIT[/wN][/hotSIZE], e.g. 2G/w2/hot1.5G)`);
  }
  if (workers < 1) throw new Error(`bad run ${spec}: --workers must be ≥ 1`);
  const label = `${limit === undefined ? 'no limit' : limitText}, --workers ${workers}${hot ? `, hot set ${gib(hot.bytes)} GiB (${hot.sequences.length} sequences)` : ''}`;
  const evictedWith = evict(file);
  log(`${label}: evicted with ${evictedWith ?? 'NOTHING (resident ' + gib(residentBytes(file)) + ' GiB)'}`);
  const cg = MemoryCgroup.create(`seqserve-bench-${process.pid}-${index}`, limit);
  try {
    const s = await startIn(cg, ['--workers', String(workers)]);
    try {
      const seqs = hot?.sequences ?? (await sequencesOf(s.origin));
      await sleep(500);
      const afterStart = { cgroup: cg.stats(), memory: treeMemoryOf(s.child.pid) };
      log(
        `  started in ${Math.round(s.firstAnswerMs)} ms; cgroup usage ${mib(afterStart.cgroup.usage)} MiB, RssAnon ${afterStart.memory.total.anonMiB.toFixed(0)} MiB`,
      );
      const timed: Timed[] = [];
      timed.push(await timedRun(cg, s, seqs, 1, true, file, 10 + index, hot?.bytes));
      if (SPAN > 1) timed.push(await timedRun(cg, s, seqs, SPAN, true, file, 100 + index, hot?.bytes));
      return { label, limit, workers, hotBytes: hot?.bytes, hotSequences: hot?.sequences.length, evictedWith, afterStart, timed };
    } finally {
      await stopServer(s);
    }
  } finally {
    await cg.remove();
  }
}
