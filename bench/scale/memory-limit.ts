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
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureScaleGenome } from '../../scripts/make-genome.js';
import * as proc from '../processes.js';
import { evict, residentBytes } from './cache.js';
import { sequencesOf, treeMemoryOf, type TreeMemory } from './server.js';
import { errorCount, hasWrk, runWrk, type Sequence, type WrkResult } from './wrk.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const genomeDir = join(root, 'bench', '.tmp', 'scale', 'genome');
const workDir = join(root, 'bench', '.tmp', 'memlimit');
const snapDir = join(workDir, 'snapshot');
const distDir = join(snapDir, 'dist');
const cli = join(distDir, 'src', 'cli', 'main.js');
/** What to build the server from: "HEAD" (default; any commit) as `git archive` gives it, or "worktree" for src/ as it is now. */
const SOURCE = process.env.MEMLIMIT_SOURCE ?? 'HEAD';
const resultsPath = join(root, 'bench', '.tmp', 'memory-limit-results.json');

const RUNS = (process.env.MEMLIMIT_RUNS ?? '1G,2G,3.25G,4G,none,4G/w2,2G/hot1.5G')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const DURATION = Number(process.env.MEMLIMIT_DURATION ?? 15);
const SPAN = Number(process.env.MEMLIMIT_SPAN ?? 100);
const PRELOAD_LIMIT = process.env.MEMLIMIT_PRELOAD ?? '1G';
const ROUNDS = Number(process.env.MEMLIMIT_ROUNDS ?? 1);
const TIMEOUT_SEC = Number(process.env.MEMLIMIT_TIMEOUT ?? 900 * ROUNDS);
const CONNECTIONS = 50;

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const log = (m: string) => console.error(`memlimit: ${m}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const gib = (b: number) => (Number.isFinite(b) ? (b / GiB).toFixed(2) : 'n/a');
const mib = (b: number) => (Number.isFinite(b) ? (b / MiB).toFixed(0) : 'n/a');
const thousands = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

/** "1G", "3.25G", "512M", "none" → bytes (undefined: no limit). */
function parseLimit(s: string): number | undefined {
  if (s === 'none' || s === 'max') return undefined;
  const m = /^(\d+(?:\.\d+)?)([KMG]?)i?B?$/i.exec(s);
  if (!m) throw new Error(`bad limit ${s} (want e.g. 1G, 512M, none)`);
  const unit = { '': 1, K: 1024, M: MiB, G: GiB }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Math.round(Number(m[1]) * unit);
}

// --- memory cgroup, v2 or v1 -----------------------------------------------------------------

interface CgStats {
  /** memory.current (v2) / memory.usage_in_bytes (v1). */
  usage: number;
  /** memory.peak (v2, kernels ≥ 5.19) / memory.max_usage_in_bytes (v1). */
  peak: number;
  /** Page cache charged to the cgroup: stat file (v2) / cache (v1). */
  file: number;
  /** stat anon (v2) / rss (v1). */
  anon: number;
  /** Page cache mapped by its processes: file_mapped (v2) / mapped_file (v1). */
  fileMapped: number;
  pgmajfault: number;
  refaultFile: number;
  /** Times the limit was hit: memory.events max (v2) / memory.failcnt (v1). */
  limitHits: number;
}

class MemoryCgroup {
  private constructor(
    readonly path: string,
    readonly version: 1 | 2,
  ) {}

  /** Where the memory controller is mounted: cgroup2 with memory in cgroup.controllers, else v1 "memory". */
  static hierarchy(): { root: string; version: 1 | 2 } {
    const mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '));
    for (const [, dir, type] of mounts) {
      if (
        type === 'cgroup2' &&
        dir &&
        existsSync(join(dir, 'cgroup.controllers')) &&
        /\bmemory\b/.test(readFileSync(join(dir, 'cgroup.controllers'), 'utf8'))
      ) {
        return { root: dir, version: 2 };
      }
    }
    for (const [, dir, type, options] of mounts) {
      if (type === 'cgroup' && dir && (options ?? '').split(',').includes('memory')) return { root: dir, version: 1 };
    }
    throw new Error('no memory cgroup controller mounted (neither cgroup2 with memory nor cgroup v1 memory)');
  }

  static create(name: string, limit: number | undefined): MemoryCgroup {
    const { root: base, version } = MemoryCgroup.hierarchy();
    if (version === 2) {
      const subtree = readFileSync(join(base, 'cgroup.subtree_control'), 'utf8');
      if (!/\bmemory\b/.test(subtree)) writeFileSync(join(base, 'cgroup.subtree_control'), '+memory');
    }
    const path = join(base, name);
    mkdirSync(path);
    const cg = new MemoryCgroup(path, version);
    active.add(cg);
    if (version === 2) writeFileSync(join(path, 'memory.max'), limit === undefined ? 'max' : String(limit));
    else writeFileSync(join(path, 'memory.limit_in_bytes'), limit === undefined ? '-1' : String(limit));
    return cg;
  }

  limit(): number | undefined {
    const raw = readFileSync(join(this.path, this.version === 2 ? 'memory.max' : 'memory.limit_in_bytes'), 'utf8').trim();
    const n = Number(raw);
    return raw === 'max' || n >= 2 ** 62 ? undefined : n;
  }

  pids(): number[] {
    return readFileSync(join(this.path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  }

  stats(): CgStats {
    const read = (f: string) => (existsSync(join(this.path, f)) ? readFileSync(join(this.path, f), 'utf8') : '');
    const num = (f: string) => Number(read(f).trim() || NaN);
    const kv = (text: string) =>
      new Map(
        text
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(/\s+/) as [string, string])
          .map(([k, v]) => [k, Number(v)]),
      );
    const stat = kv(read('memory.stat'));
    if (this.version === 2) {
      return {
        usage: num('memory.current'),
        peak: num('memory.peak'),
        file: stat.get('file') ?? NaN,
        anon: stat.get('anon') ?? NaN,
        fileMapped: stat.get('file_mapped') ?? NaN,
        pgmajfault: stat.get('pgmajfault') ?? NaN,
        refaultFile: stat.get('workingset_refault_file') ?? NaN,
        limitHits: kv(read('memory.events')).get('max') ?? NaN,
      };
    }
    return {
      usage: num('memory.usage_in_bytes'),
      peak: num('memory.max_usage_in_bytes'),
      file: stat.get('cache') ?? NaN,
      anon: stat.get('rss') ?? NaN,
      fileMapped: stat.get('mapped_file') ?? NaN,
      pgmajfault: stat.get('pgmajfault') ?? NaN,
      refaultFile: stat.get('workingset_refault_file') ?? NaN,
      limitHits: num('memory.failcnt'),
    };
  }

  /** argv that runs `command args` inside this cgroup (the shell joins, then execs). */
  wrap(command: string, args: string[]): [string, string[]] {
    return ['sh', ['-c', `echo $$ > '${join(this.path, 'cgroup.procs')}' && exec "$@"`, 'sh', command, ...args]];
  }

  /** Kills what is left inside (our own processes only: nothing else is ever put here), then removes it. */
  async remove(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      let left: number[] = [];
      try {
        left = this.pids();
      } catch {
        active.delete(this);
        return; // already gone
      }
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      try {
        rmdirSync(this.path);
        active.delete(this);
        return;
      } catch {
        await sleep(100);
      }
    }
    log(`WARNING: could not remove ${this.path}`);
  }

  /** Synchronous last resort for exit handlers. */
  removeNow(): void {
    try {
      for (const pid of this.pids()) process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
    for (let i = 0; i < 20; i++) {
      try {
        rmdirSync(this.path);
        return;
      } catch {
        spawnSync('sleep', ['0.05']);
      }
    }
  }
}

const active = new Set<MemoryCgroup>();
const servers = new Set<ChildProcess>();

function cleanupNow(): void {
  for (const child of servers) {
    for (const pid of proc.descendantsOf(child.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    child.kill('SIGKILL');
  }
  for (const cg of active) cg.removeNow();
}

// --- server in a cgroup ------------------------------------------------------------------------

interface Server {
  child: ChildProcess;
  origin: string;
  /** [ms since spawn, message] of every log line. */
  messages: Array<[number, string]>;
  t0: number;
  firstAnswerMs: number;
}

async function startIn(cg: MemoryCgroup, args: string[]): Promise<Server> {
  const port = await proc.freePort();
  const origin = `http://127.0.0.1:${port}`;
  const serverArgs = [cli, 'serve', '--data', genomeDir, '--port', String(port), '--host', '127.0.0.1', '--no-access-log', '--log-level', 'info', ...args];
  const [cmd, argv] = cg.wrap('taskset', ['-c', proc.SERVER_CORES, process.execPath, ...serverArgs]);
  const t0 = performance.now();
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SEQSERVE_PROGRESS_INTERVAL: '1000' } });
  servers.add(child);
  child.once('exit', () => servers.delete(child));
  const messages: Array<[number, string]> = [];
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const at = performance.now() - t0;
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        messages.push([at, (JSON.parse(line) as { msg?: string }).msg ?? '']);
      } catch {
        messages.push([at, line]);
      }
    }
  });
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}); log:\n${messages.map((m) => m[1]).join('\n')}`);
    if (performance.now() - t0 > 120_000) throw new Error('server did not answer within 120 s');
    try {
      const res = await fetch(`${origin}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  return { child, origin, messages, t0, firstAnswerMs: performance.now() - t0 };
}

async function stopServer(s: Server): Promise<void> {
  await proc.stop(s.child);
}

/**
 * `cat FILE > /dev/null` (or `head -c BYTES FILE` for a hot set at the start of the file) inside
 * the cgroup: the page cache as warm as the limit allows; seconds.
 */
async function warmIn(cg: MemoryCgroup, file: string, bytes?: number): Promise<number> {
  const t0 = performance.now();
  const [cmd, argv] =
    bytes === undefined
      ? cg.wrap('sh', ['-c', 'exec cat "$1" > /dev/null', 'sh', file])
      : cg.wrap('sh', ['-c', 'exec head -c "$2" "$1" > /dev/null', 'sh', file, String(bytes)]);
  const child = spawn(cmd, argv, { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`cat ${file} in ${cg.path} exited ${code}`);
  return (performance.now() - t0) / 1000;
}

/** Bytes the server's processes caused to be read from storage (/proc/PID/io read_bytes, summed over its tree). */
function readBytesOf(pid: number | undefined): number {
  let total = 0;
  for (const p of [pid, ...proc.descendantsOf(pid)]) {
    try {
      total += Number(/^read_bytes: (\d+)$/m.exec(readFileSync(`/proc/${p}/io`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return total;
}

interface Scraped {
  resident: number;
  mapped: number;
  /** Answers that were not 2xx, by status, as counted by the worker that answered the scrape. */
  non2xx: Record<string, number>;
}

async function scrape(origin: string): Promise<Scraped> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const non2xx: Record<string, number> = {};
  for (const m of text.matchAll(/^seqserve_http_requests_total\{([^}]*)\} (\S+)$/gm)) {
    const status = /status="(\d+)"/.exec(m[1]!)?.[1];
    if (status && !status.startsWith('2')) non2xx[status] = (non2xx[status] ?? 0) + Number(m[2]);
  }
  return { resident: value('seqserve_page_cache_resident_bytes'), mapped: value('seqserve_mapped_bytes'), non2xx };
}

/** Resident share of each tenth of the file (mincore through python3's ctypes; NaNs without it). */
function residentByTenth(file: string): number[] {
  const py = `
import ctypes, os, sys, json
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
fd = os.open(sys.argv[1], os.O_RDONLY)
size = os.fstat(fd).st_size
addr = libc.mmap(None, size, 1, 1, fd, 0)
n = (size + 4095) // 4096
vec = ctypes.create_string_buffer(n)
if libc.mincore(ctypes.c_void_p(addr), size, vec) != 0: sys.exit(1)
raw = vec.raw
out = []
for i in range(10):
    a, b = i * n // 10, (i + 1) * n // 10
    part = raw[a:b]
    out.append((len(part) - part.count(b'\\x00')) / max(1, len(part)))
libc.munmap(ctypes.c_void_p(addr), size)
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', py, file], { encoding: 'utf8' });
  try {
    return JSON.parse(r.stdout) as number[];
  } catch {
    return Array(10).fill(NaN);
  }
}

/**
 * Compiles the server (tsc) into bench/.tmp/memlimit/snapshot/dist, from a `git archive` of
 * MEMLIMIT_SOURCE (default HEAD: edits in progress in the work tree do not leak in; modules
 * resolve from the repository's node_modules above), or from the work tree itself.
 */
function buildServer(): void {
  rmSync(snapDir, { recursive: true, force: true });
  mkdirSync(snapDir, { recursive: true });
  let project = join(root, 'tsconfig.build.json');
  if (SOURCE !== 'worktree') {
    const archive = spawnSync('git', ['-C', root, 'archive', '--format=tar', SOURCE, 'src', 'routes', 'package.json', 'tsconfig.json', 'tsconfig.build.json'], {
      maxBuffer: 256 * MiB,
    });
    if (archive.status !== 0) throw new Error(`git archive ${SOURCE} failed: ${archive.stderr}`);
    const untar = spawnSync('tar', ['-x', '-C', snapDir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar -x failed: ${untar.stderr}`);
    project = join(snapDir, 'tsconfig.build.json');
  }
  const rev = spawnSync('git', ['-C', root, 'rev-parse', '--short', SOURCE === 'worktree' ? 'HEAD' : SOURCE], { encoding: 'utf8' }).stdout.trim();
  log(`compiling the server from ${SOURCE === 'worktree' ? `the work tree (HEAD ${rev} plus local edits)` : `${SOURCE} (${rev})`} into ${distDir}`);
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project, '--outDir', distDir], {
    stdio: ['ignore', 2, 2],
  });
  if (!existsSync(cli)) throw new Error(`tsc produced no ${cli} (exit ${tsc.status})`);
  if (tsc.status !== 0) log('WARNING: tsc reported errors (output above); running what it emitted');
  builtFrom = SOURCE === 'worktree' ? `work tree at ${rev}` : `${SOURCE} ${rev}`;
}
let builtFrom = '';

// --- the runs ---------------------------------------------------------------------------------

interface Timed {
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

interface RunResult {
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

async function timedRun(
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

async function limitRun(spec: string, index: number, file: string): Promise<RunResult> {
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

interface PreloadResult {
  limit: number;
  firstAnswerMs: number;
  lines: Array<[number, string]>;
  doneMs: number;
  samples: Array<{ ms: number; fincore: number; usage: number }>;
  residentEnd: number;
  byTenthEnd: number[];
  cgroupEnd: CgStats;
  /** Read from storage by the server by the end of the preload. */
  readBytes: number;
  after: Timed;
}

async function preloadRun(limitText: string, file: string): Promise<PreloadResult> {
  const limit = parseLimit(limitText)!;
  const evictedWith = evict(file);
  log(`--preload under ${limitText}: evicted with ${evictedWith ?? 'NOTHING'}`);
  const cg = MemoryCgroup.create(`seqserve-bench-${process.pid}-preload`, limit);
  try {
    const s = await startIn(cg, ['--workers', '1', '--preload']);
    try {
      const samples: PreloadResult['samples'] = [];
      let doneMs = NaN;
      while (performance.now() - s.t0 < 300_000) {
        samples.push({ ms: performance.now() - s.t0, fincore: residentBytes(file), usage: cg.stats().usage });
        const done = s.messages.find(([, m]) => /^preload (done|stopped)/.test(m));
        if (done) {
          doneMs = done[0];
          break;
        }
        await sleep(500);
      }
      const cgroupEnd = cg.stats();
      const readBytes = readBytesOf(s.child.pid);
      const residentEnd = residentBytes(file);
      const byTenthEnd = residentByTenth(file);
      const lines = s.messages.filter(([, m]) => /preload/.test(m));
      for (const [ms, m] of lines) log(`  ${(ms / 1000).toFixed(1)} s: ${m}`);
      log(
        `  read ${gib(readBytes)} GiB from disk; resident at the end ${gib(residentEnd)} GiB; by tenth of the file: ${byTenthEnd.map((f) => `${Math.round(f * 100)}%`).join(' ')}; major faults ${thousands(cgroupEnd.pgmajfault)}, refaults ${thousands(cgroupEnd.refaultFile)}`,
      );
      const seqs = await sequencesOf(s.origin);
      const after = await timedRun(cg, s, seqs, 1, false, file, 7);
      return { limit, firstAnswerMs: s.firstAnswerMs, lines, doneMs, samples, residentEnd, byTenthEnd, cgroupEnd, readBytes, after };
    } finally {
      await stopServer(s);
    }
  } finally {
    await cg.remove();
  }
}

async function main(): Promise<void> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) throw new Error('needs Linux and root (it makes memory cgroups)');
  if (!hasWrk) throw new Error('needs wrk');
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
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  const { root: cgRoot, version } = MemoryCgroup.hierarchy();
  log(`memory cgroup v${version} at ${cgRoot}`);

  mkdirSync(workDir, { recursive: true });
  buildServer();
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

  // Rounds go through every limit in turn, so that the noise of a shared machine spreads over all of them.
  const rounds: RunResult[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (ROUNDS > 1) log(`round ${round + 1} of ${ROUNDS}`);
    const runs: RunResult[] = [];
    for (const [i, spec] of RUNS.entries()) runs.push(await limitRun(spec, round * RUNS.length + i, file));
    rounds.push(runs);
  }
  const runs = rounds[rounds.length - 1]!;
  const preload = PRELOAD_LIMIT ? await preloadRun(PRELOAD_LIMIT, file) : undefined;

  // --- markdown
  const md: string[] = [];
  md.push(`### Memory limit (cgroup v${version}) vs random lookups (bench/scale/memory-limit.ts)`, '');
  md.push(
    `${new Date().toISOString()}; ${cpus().length} cores, ${(totalmem() / GiB).toFixed(0)} GiB RAM, load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end (shared machine: compare within the run); ${proc.pinningDescription()}; server built from ${builtFrom}; wrk 1 thread, ${CONNECTIONS} connections, ${DURATION} s per row, a new random position per request. Genome: ${gib(fileBytes)} GiB FASTA (3.1 Gbp). Each limit: genome evicted, a new cgroup, the server started in it, then before each row \`cat genome.fa > /dev/null\` inside the cgroup (\`head -c\` of the hot set for hot-set rows). Resident = seqserve_page_cache_resident_bytes after the row (seqserve_mapped_bytes ${gib(runs[0]?.timed[0]?.metrics.mapped ?? NaN)} GiB); cgroup figures after the row; faults during the row.`,
    '',
  );
  const median = (xs: number[]) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  };
  /** The same row of every round. */
  const across = (i: number, k: number) => rounds.map((rs) => rs[i]!.timed[k]!);
  const baseIndex = (r: RunResult) => runs.findIndex((x) => x.limit === undefined && x.workers === r.workers && x.hotBytes === undefined);
  const range = (xs: number[]) => (xs.length > 1 ? ` (${thousands(Math.min(...xs))}–${thousands(Math.max(...xs))})` : '');
  md.push(
    ROUNDS > 1
      ? `${ROUNDS} rounds; req/s, p50, p99, faults and disk reads are medians over the rounds (req/s range in brackets), memory figures from the last round.`
      : 'One round.',
    '',
  );
  md.push(
    '| limit | workers | lookups over | request | req/s | × no limit | p50 ms | p99 ms | errors | resident GiB | cgroup usage GiB | file GiB | anon MiB | major faults/s | disk read MiB/s | RssAnon MiB |',
  );
  md.push('|---|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  const statuses: string[] = [];
  for (const [i, r] of runs.entries()) {
    for (const [k, t] of r.timed.entries()) {
      const all = across(i, k);
      const rps = all.map((x) => x.wrk.requestsPerSec);
      const b = baseIndex(r);
      const ratio = b >= 0 ? (median(rps) / median(across(b, k).map((x) => x.wrk.requestsPerSec))).toFixed(2) : 'n/a';
      const over = r.hotBytes === undefined ? 'whole genome' : `first ${r.hotSequences} seqs, ${gib(r.hotBytes)} GiB`;
      const errors = all.reduce((n, x) => n + errorCount(x.wrk), 0);
      for (const x of all) if (Object.keys(x.metrics.non2xx).length) statuses.push(`${r.label}, span ${t.span}: ${JSON.stringify(x.metrics.non2xx)}`);
      md.push(
        `| ${r.limit === undefined ? 'none' : gib(r.limit) + ' GiB'} | ${r.workers} | ${over} | ${t.span === 1 ? 'base' : `${t.span} bp`} | ${thousands(median(rps))}${range(rps)} | ${ratio} | ${median(all.map((x) => x.wrk.p50Ms)).toFixed(2)} | ${median(all.map((x) => x.wrk.p99Ms)).toFixed(1)} | ${errors} | ${gib(t.metrics.resident)} | ${gib(t.cgroup.usage)} | ${gib(t.cgroup.file)} | ${mib(t.cgroup.anon)} | ${thousands(median(all.map((x) => x.majfaultsDuring / x.wrk.seconds)))} | ${mib(median(all.map((x) => x.readDuring / x.wrk.seconds)))} | ${t.memory.total.anonMiB.toFixed(0)} |`,
      );
    }
  }
  if (statuses.length) md.push('', `Non-2xx answers (from /metrics of the worker that answered): ${statuses.join('; ')}.`);
  md.push('', 'After start (before any lookup):', '');
  for (const r of runs)
    md.push(
      `- ${r.label}: cgroup usage ${mib(r.afterStart.cgroup.usage)} MiB (anon ${mib(r.afterStart.cgroup.anon)} MiB), RssAnon ${r.afterStart.memory.total.anonMiB.toFixed(0)} MiB in ${r.afterStart.memory.processes} process(es)`,
    );
  if (preload) {
    const t = preload.after;
    md.push('', `#### --preload under a ${gib(preload.limit)} GiB limit (--workers 1, evicted before start)`, '');
    md.push(`First answer ${Math.round(preload.firstAnswerMs)} ms after spawn. Log:`, '');
    for (const [ms, m] of preload.lines) md.push(`- ${(ms / 1000).toFixed(1)} s: ${m}`);
    md.push(
      '',
      `Resident at the end ${gib(preload.residentEnd)} GiB (fincore); by tenth of the file: ${preload.byTenthEnd.map((f) => `${Math.round(f * 100)}%`).join(' ')}. cgroup: usage ${gib(preload.cgroupEnd.usage)} GiB, peak ${gib(preload.cgroupEnd.peak)} GiB, ${thousands(preload.cgroupEnd.limitHits)} limit hits; the server read ${gib(preload.readBytes)} GiB from disk for it.`,
      `Then random single bases, no warm-up: ${thousands(t.wrk.requestsPerSec)} req/s, p99 ${t.wrk.p99Ms.toFixed(1)} ms, resident after ${gib(t.metrics.resident)} GiB, ${thousands(t.majfaultsDuring)} major faults.`,
    );
  }
  md.push('', `Total ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  console.log(md.join('\n'));
  writeFileSync(
    resultsPath,
    `${JSON.stringify({ date: new Date().toISOString(), cgroup: { version, root: cgRoot }, machine: { cores: cpus().length, memGiB: totalmem() / GiB, loadAverage: { start: loadAtStart, end: loadavg()[0] } }, settings: { RUNS, ROUNDS, DURATION, SPAN, PRELOAD_LIMIT, CONNECTIONS }, fileBytes, rounds, preload }, null, 2)}\n`,
  );
  log(`results in ${resultsPath}`);
  const left = readdirSync(cgRoot).filter((n) => n.startsWith(`seqserve-bench-${process.pid}-`));
  if (left.length) log(`WARNING: cgroups left: ${left.join(', ')}`);
}

main()
  .catch((e: unknown) => {
    console.error(`memlimit: ${(e as Error).stack ?? e}`);
    process.exitCode = 1;
  })
  .finally(() => {
    cleanupNow();
    // the watchdog is unref'd; wrk/server children are gone
  });
