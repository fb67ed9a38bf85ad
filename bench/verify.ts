/**
 * Before measuring anything: check that the server answers the right bytes for both files, so
 * the bench can never be timing error pages or the wrong sequence.
 */
import type { BenchGenome } from './genome.js';
import { mulberry32, randomInt } from '../src/mulberry32.js';

interface Probe {
  path: string;
  expected: Buffer;
}

/** Throws, naming the first wrong answer, unless every probe returns 200 and exactly the expected bytes. */
export async function verifyAnswers(origin: string, genome: BenchGenome): Promise<number> {
  const names = [genome.fastaName, genome.rawName];
  for (const name of names) await checkLength(origin, name, genome.length);
  const probes = names.flatMap((name) => [...baseProbes(name, genome), ...rangeProbes(name, genome)]);
  for (const { path, expected } of probes) {
    const res = await fetch(origin + path);
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) {
      throw new Error(`check failed: GET ${path} answered ${res.status}: ${body.subarray(0, 300).toString()}`);
    }
    if (!body.equals(expected)) {
      const at = firstDifference(body, expected);
      throw new Error(
        `check failed: GET ${path} answered ${body.length} bytes, expected ${expected.length}; first difference at byte ${at}: ` +
          `got ${JSON.stringify(body.subarray(at, at + 20).toString('latin1'))}, expected ${JSON.stringify(expected.subarray(at, at + 20).toString('latin1'))}`,
      );
    }
  }
  return probes.length;
}

/** GET /chrom/:name must report the generated length: the server sees the whole file. */
async function checkLength(origin: string, name: string, length: number): Promise<void> {
  const res = await fetch(`${origin}/chrom/${name}`);
  const info = (await res.json()) as { length?: number };
  if (res.status !== 200 || info.length !== length) {
    throw new Error(`check failed: GET /chrom/${name} answered ${res.status} ${JSON.stringify(info)}; expected length ${length}`);
  }
}

/** Single bases at line edges (59/60/61 straddle the first FASTA line break), the ends, and random spots. */
function baseProbes(name: string, genome: BenchGenome): Probe[] {
  const random = mulberry32(7);
  const offsets = [0, 59, 60, 61, genome.length - 1, ...Array.from({ length: 5 }, () => randomInt(random, genome.length))];
  return offsets.map((i) => ({ path: `/chrom/${name}/base/${i}`, expected: genome.bases.subarray(i, i + 1) }));
}

/** Ranges of every size the bench requests, at line-crossing, random and end positions. */
function rangeProbes(name: string, genome: BenchGenome): Probe[] {
  const random = mulberry32(11);
  const spans: [number, number][] = [[0, 100], [59, 159], [genome.length - 1_000_000, genome.length]];
  for (const span of [100, 10_000, 1_000_000]) {
    const start = randomInt(random, genome.length - span + 1);
    spans.push([start, start + span]);
  }
  return spans.map(([start, end]) => ({
    path: `/chrom/${name}/range?start=${start}&end=${end}`,
    expected: genome.bases.subarray(start, end),
  }));
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
