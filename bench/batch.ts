/**
 * The batch comparison: 100,000 regions of 100 bp at seeded random places of the FASTA, fetched
 * end to end by (1) `samtools faidx -r regions.txt` (wall time, output to a file), (2)
 * @gmod/indexedfasta in its own process, and (3) seqserve's `POST /batch` when it exists. Every
 * answer is checked region by region after its clock stops.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchGenome } from './genome.js';
import { fromFasta } from './batch-answer.js';
import { mulberry32, randomInt } from '../src/core/mulberry32.js';
import * as proc from './processes.js';

const benchDir = dirname(fileURLToPath(import.meta.url));

export interface BatchRow {
  reader: string;
  regions: number;
  seconds: number;
  regionsPerSec: number;
}

export interface BatchFiles {
  json: string;
  text: string;
  spans: [number, number][];
}

const BATCH_REGIONS = Number(process.env.BENCH_BATCH_REGIONS ?? 100_000);
const BATCH_SPAN = 100;

export function samtoolsVersion(): string | undefined {
  const r = spawnSync('samtools', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? /samtools (\S+)/.exec(r.stdout)?.[1] : undefined;
}

/** The regions, as JSON for the Node clients and as samtools' 1-based inclusive `name:start-end` lines. */
export function writeRegions(dir: string, genome: BenchGenome, count = BATCH_REGIONS): BatchFiles {
  mkdirSync(dir, { recursive: true });
  const random = mulberry32(4242);
  const spans: [number, number][] = Array.from({ length: count }, () => {
    const start = randomInt(random, genome.length - BATCH_SPAN + 1);
    return [start, start + BATCH_SPAN];
  });
  const json = join(dir, 'regions.json');
  const text = join(dir, 'regions.txt');
  writeFileSync(json, JSON.stringify({ name: genome.fastaName, spans }));
  writeFileSync(text, spans.map(([s, e]) => `${genome.fastaName}:${s + 1}-${e}\n`).join(''));
  return { json, text, spans };
}

function row(reader: string, regions: number, seconds: number): BatchRow {
  return { reader, regions, seconds, regionsPerSec: regions / seconds };
}

/** samtools faidx -r on the FASTA, pinned to the server cores; wall time from spawn to exit. */
export async function runSamtools(dir: string, genome: BenchGenome, files: BatchFiles): Promise<BatchRow> {
  const fasta = join(genome.dir, 'bench.fa');
  const out = join(dir, 'samtools.out.fa');
  const started = performance.now();
  const child = proc.spawnPinned(proc.SERVER_CORES, 'samtools', ['faidx', fasta, '-r', files.text, '-o', out]);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`samtools faidx -r exited with ${code}`);
  const sequences = fromFasta(readFileSync(out, 'latin1'));
  check('samtools faidx -r', sequences, files.spans, genome);
  return row('samtools faidx -r (wall time, one process)', sequences.length, seconds);
}

/** A Node client process (bench/batch-client.ts) on `core`; it times itself and checks its answers. */
async function runClient(core: string, files: BatchFiles, genome: BenchGenome, mode: string, arg: string): Promise<{ seconds: number; regions: number }> {
  const raw = join(genome.dir, 'bench.raw');
  const child = proc.spawnPinned(core, process.execPath, ['--import', 'tsx', join(benchDir, 'batch-client.ts'), files.json, raw, mode, arg], 'pipe');
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`batch client (${mode}) exited with ${code}`);
  return JSON.parse(out) as { seconds: number; regions: number };
}

export async function runIndexedFasta(files: BatchFiles, genome: BenchGenome): Promise<BatchRow> {
  const r = await runClient(proc.SERVER_CORES, files, genome, 'indexedfasta', join(genome.dir, 'bench.fa'));
  return row('@gmod/indexedfasta in process (64 reads in flight)', r.regions, r.seconds);
}

/** POST /batch from a client on the load core: the regions file as text → FASTA, or JSON → JSON. */
export async function runHttpBatch(origin: string, files: BatchFiles, genome: BenchGenome, label: string, body: 'text' | 'json'): Promise<BatchRow> {
  const r = await runClient(proc.LOAD_CORE, files, genome, `http-${body}`, origin);
  const chunk = Number(process.env.BENCH_BATCH_CHUNK ?? 25_000).toLocaleString('en-US');
  const what = body === 'text' ? 'regions file → FASTA' : 'JSON → JSON';
  return row(`${label}: POST /batch (${what}, ${chunk} per request, ${process.env.BENCH_BATCH_PARALLEL ?? 2} in flight)`, r.regions, r.seconds);
}

function check(reader: string, sequences: string[], spans: [number, number][], genome: BenchGenome): void {
  if (sequences.length !== spans.length) throw new Error(`${reader}: ${sequences.length} sequences for ${spans.length} regions`);
  spans.forEach(([start, end], i) => {
    if (sequences[i] !== genome.bases.toString('latin1', start, end)) throw new Error(`${reader}: region ${i} (${start}-${end}) has the wrong bases`);
  });
}
