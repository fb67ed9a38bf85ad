/**
 * The windows group (issue 15): N random windows of 1,000 bp and 100 bp into a numpy array of
 * codes, on the bench genome, by five routes measured in one run: (a) seqserve format=npy,
 * (b) seqserve JSON parsed in Python, (c) one /chrom/NAME/range request a window, (d) a local
 * pysam.FastaFile.fetch loop, (e) a local pyfaidx loop (bench/windows_client.py, Debian's
 * python3-numpy, -pysam, -pyfaidx); and, as the ceiling of any route here, one zero-copy range of
 * a batch's bases a request. Server on the server core, client on the load core; the FASTA
 * is read into the page cache right before each mode; every mode's sample of windows is checked
 * against the generated bases. Prints a table, PASS/MISS for (a) ≥ 10 × (b) and (a) ≥ (d), writes
 * bench/windows.svg and bench/.tmp/windows.json.
 *
 * usage: node --import tsx bench/windows.ts   (BENCH_WINDOWS=0 skips it; BENCH_WINDOWS_SECONDS per mode, default 5)
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureGenome, type BenchGenome } from './genome.js';
import { loadGenerator } from './loadgen.js';
import * as proc from './processes.js';
import { startHello, startSeqserve, type Running } from './servers.js';
import { writeWindowsChart } from './windows-chart.js';

const root = join(import.meta.dirname, '..');
const scratch = join(root, 'bench', '.tmp');
const seconds = Number(process.env.BENCH_WINDOWS_SECONDS ?? 5);
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const log = (m: string) => console.error(`bench windows: ${m}`);

const modes = [
  ['a', '(a) seqserve format=npy&encoding=codes'],
  ['b', '(b) seqserve format=json + json.loads'],
  ['c', '(c) seqserve /chrom/NAME/range per window'],
  ['d', '(d) local pysam.FastaFile.fetch loop'],
  ['e', '(e) local pyfaidx loop'],
  ['x', 'ceiling: one zero-copy range a batch'],
] as const;
type Mode = (typeof modes)[number][0];

interface Measured {
  mode: Mode;
  length: number;
  batch: number;
  windows: number;
  seconds: number;
  cpu: number;
  serverCpu: number;
  sample: [string, number, string][];
}

/** The FASTA alone in a folder of its own, so server, pysam and pyfaidx read the same file. */
function dataFolder(genome: BenchGenome): string {
  const dir = join(scratch, 'windows', 'data');
  const fasta = join(dir, 'bench.fa');
  if (genome.generated || !existsSync(fasta)) {
    // A new genome: the old link or copy, its .fai and digest sidecar describe the old one.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      linkSync(join(genome.dir, 'bench.fa'), fasta);
    } catch {
      copyFileSync(join(genome.dir, 'bench.fa'), fasta);
    }
  }
  return dir;
}

function check(m: Measured, genome: BenchGenome): void {
  const codes = new Uint8Array(256).fill(4);
  [...'ACGTacgt'].forEach((c, i) => (codes[c.charCodeAt(0)] = i % 4));
  if (m.sample.length < 1000) throw new Error(`mode ${m.mode}: only ${m.sample.length} windows sampled, fewer than 1,000`);
  for (const [name, start, hex] of m.sample) {
    const expected = Buffer.from(genome.bases.subarray(start, start + m.length).map((b) => codes[b]!)).toString('hex');
    if (name !== genome.fastaName || hex !== expected) throw new Error(`mode ${m.mode}, L=${m.length}: window ${name}:${start} differs from the genome`);
  }
}

async function measure(origin: string, server: Running, fasta: string, mode: Mode, length: number, genome: BenchGenome): Promise<Measured> {
  readFileSync(fasta); // into the page cache: this machine evicts pages untouched for a minute
  const batch = length >= 1000 ? 1024 : 8192;
  const before = proc.cpuMsOf(server.server.pid);
  const child = proc.spawnPinned(
    proc.LOAD_CORE,
    python,
    [join(root, 'bench', 'windows_client.py'), mode, origin, fasta, genome.fastaName, String(length), String(batch), String(seconds)],
    'pipe',
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`windows_client.py ${mode} exited ${code}`);
  const m = { ...(JSON.parse(out) as Omit<Measured, 'serverCpu'>), serverCpu: (proc.cpuMsOf(server.server.pid) - before) / 1000 };
  check(m, genome);
  return m;
}

function table(rows: Measured[], length: number): string {
  const rate = (m: Measured) => m.windows / m.seconds;
  const of = (mode: Mode) => rows.find((r) => r.mode === mode)!;
  const lines = [
    `| ${length.toLocaleString('en-US')} bp windows | windows/s | MB/s | client CPU s / 1M windows | server CPU s / 1M windows | × (b) | × (d) |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [mode, label] of modes) {
    const m = of(mode);
    const perM = (s: number) => ((s / m.windows) * 1e6).toFixed(1);
    lines.push(
      `| ${label} | ${Math.round(rate(m)).toLocaleString('en-US')} | ${((rate(m) * length) / 1e6).toFixed(0)} | ${perM(m.cpu)} | ${'abcx'.includes(mode) ? perM(m.serverCpu) : '–'} | ${(rate(m) / rate(of('b'))).toFixed(2)} | ${(rate(m) / rate(of('d'))).toFixed(2)} |`,
    );
  }
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const ab = rate(of('a')) / rate(of('b'));
  const ad = rate(of('a')) / rate(of('d'));
  lines.push('', `${verdict(ab >= 10)} (a) ≥ 10 × (b): ${ab.toFixed(2)} ×; ${verdict(ad >= 1)} (a) ≥ (d): ${ad.toFixed(2)} ×`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (process.env.BENCH_WINDOWS === '0') return void log('skipped (BENCH_WINDOWS=0)');
  const missing = ['numpy', 'pysam', 'pyfaidx'].filter((m) => {
    try {
      execFileSync(python, ['-c', `import ${m}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) return void log(`skipped: ${python} lacks ${missing.join(', ')} (apt-get install ${missing.map((m) => `python3-${m}`).join(' ')})`);
  proc.killChildrenOnExit();
  proc.build(root);
  const genome = ensureGenome(join(scratch, 'genome'));
  const dir = dataFolder(genome);
  const fasta = join(dir, 'bench.fa');
  const load = await loadGenerator();
  const hello = await startHello();
  const floor = await load.run({ origin: hello.origin, requests: [{ path: '/' }], connections: 8, durationSec: 5, warmupSec: 1 }, 'windows-hello');
  await proc.stop(hello.server);
  const server = await startSeqserve(dir);
  const results: Measured[] = [];
  try {
    for (const length of [1000, 100]) {
      for (const [mode, label] of modes) {
        log(`${label}, ${length} bp`);
        results.push(await measure(server.origin, server, fasta, mode, length, genome));
      }
    }
  } finally {
    await proc.stop(server.server);
  }
  const versions = execFileSync(python, ['-c', 'import sys, numpy; print(sys.version.split()[0], numpy.__version__)'], { encoding: 'utf8' }).trim().split(' ');
  // Debian's pyfaidx says 0.0.0 of itself: the package versions are what was measured.
  const debian = (pkg: string) => {
    try {
      return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' });
    } catch {
      return 'not from Debian';
    }
  };
  console.log(
    `\nWindows into a numpy array of codes, ${seconds} s a mode, 64 Mbp bench genome (bench.fa, 60 columns), batches of 1,024 (1 kbp) or 8,192 (100 bp) windows; ${proc.pinningDescription()}; Python ${versions[0]}, numpy ${versions[1]}, python3-pysam ${debian('python3-pysam')}, python3-pyfaidx ${debian('python3-pyfaidx')}; node ${process.version}`,
  );
  console.log(`hello-world floor: ${Math.round(floor.requestsPerSec).toLocaleString('en-US')} req/s (${load.description})\n`);
  for (const length of [1000, 100])
    console.log(
      `${table(
        results.filter((r) => r.length === length),
        length,
      )}\n`,
    );
  mkdirSync(scratch, { recursive: true });
  writeFileSync(
    join(scratch, 'windows.json'),
    JSON.stringify({ date: new Date().toISOString(), floor: floor.requestsPerSec, results: results.map(({ sample: _, ...r }) => r) }, null, 2),
  );
  writeWindowsChart(
    join(root, 'bench', 'windows.svg'),
    'Random windows into a numpy array of codes (windows/s, higher is better)',
    [1000, 100].map((length) => ({
      title: `${length.toLocaleString('en-US')} bp windows`,
      bars: modes.map(([mode, label]) => {
        const m = results.find((r) => r.mode === mode && r.length === length)!;
        return { label, windowsPerSec: m.windows / m.seconds };
      }),
    })),
  );
  log('chart written to bench/windows.svg, figures to bench/.tmp/windows.json');
}

await main();
