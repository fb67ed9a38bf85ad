/**
 * Before measuring a server: check that it answers the right bytes, so the bench can never be
 * timing error pages or the wrong sequence. seqserve is checked on both files through its
 * sequence routes, nginx through `Range: bytes=` on the raw file (206 and exactly those bytes).
 */
import type { BenchGenome } from './genome.js';
import { mulberry32, randomInt } from '../src/core/mulberry32.js';
import { requestFor, type Addressing } from './traffic.js';

/** seqserve: lengths, then bases and ranges of every size on the FASTA and the raw sequence. */
export async function verifyAnswers(origin: string, genome: BenchGenome, names = [genome.fastaName, genome.rawName]): Promise<number> {
  let probes = 0;
  for (const name of names) {
    await checkLength(origin, name, genome.length);
    probes += await verifyAddressing(origin, { kind: 'seqserve', name }, genome);
  }
  return probes;
}

/** Throws, naming the first wrong answer, unless every probe returns the expected status and bytes. */
export async function verifyAddressing(origin: string, addressing: Addressing, genome: BenchGenome): Promise<number> {
  const expectedStatus = addressing.kind === 'file-range' ? 206 : 200;
  const spans = probeSpans(genome.length);
  for (const [start, end] of spans) {
    const { path, headers } = requestFor(addressing, start, end);
    const res = await fetch(origin + path, { headers });
    const body = Buffer.from(await res.arrayBuffer());
    const what = `GET ${path}${headers?.range ? ` (Range: ${headers.range})` : ''}`;
    if (res.status !== expectedStatus) {
      throw new Error(`check failed: ${what} answered ${res.status}, expected ${expectedStatus}: ${body.subarray(0, 300).toString()}`);
    }
    const expected = genome.bases.subarray(start, end);
    if (!body.equals(expected)) {
      const at = firstDifference(body, expected);
      throw new Error(
        `check failed: ${what} answered ${body.length} bytes, expected ${expected.length}; first difference at byte ${at}: ` +
          `got ${JSON.stringify(body.subarray(at, at + 20).toString('latin1'))}, expected ${JSON.stringify(expected.subarray(at, at + 20).toString('latin1'))}`,
      );
    }
  }
  return spans.length;
}

/** GET /chrom/:name must report the generated length: the server sees the whole file. */
async function checkLength(origin: string, name: string, length: number): Promise<void> {
  const res = await fetch(`${origin}/chrom/${name}`);
  const info = (await res.json()) as { length?: number };
  if (res.status !== 200 || info.length !== length) {
    throw new Error(`check failed: GET /chrom/${name} answered ${res.status} ${JSON.stringify(info)}; expected length ${length}`);
  }
}

/**
 * Single bases at line edges (59/60/61 straddle the first FASTA line break), both ends and
 * random spots; ranges of every size the bench requests at line-crossing, random and end positions.
 */
function probeSpans(length: number): [number, number][] {
  const random = mulberry32(7);
  const spans: [number, number][] = [0, 59, 60, 61, length - 1, ...Array.from({ length: 5 }, () => randomInt(random, length))].map((i) => [i, i + 1]);
  spans.push([0, 100], [59, 159], [length - 1_000_000, length]);
  for (const span of [100, 10_000, 1_000_000]) {
    const start = randomInt(random, length - span + 1);
    spans.push([start, start + span]);
  }
  return spans;
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
