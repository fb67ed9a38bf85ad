/**
 * Content-Encoding codecs on sequence text: input MB/s and ratio for each codec and level, run
 * as the server runs them (src/http/compression.ts `compressor`: a zlib stream fed 256 KiB chunks, on
 * libuv's thread pool), one answer at a time, best of a few runs. Bases: 4 Mbp of the bench
 * genome (uniform ACGT, the worst case) and of the demo genome's chromosome 11 (N runs,
 * soft-masked stretches, IUPAC codes).
 *
 * usage: node --import tsx bench/compression.ts [MBP]     (zstd rows need Node >= 22.15)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compressor, hasZstd, type Encoding } from '../src/http/compression.js';
import { ensureDemoGenome } from '../src/data/demo-genome.js';
import { ensureGenome } from './genome.js';

const mbp = Number(process.argv[2] ?? 4);
const size = Math.round(mbp * 1_000_000);
const tmp = join(import.meta.dirname, '.tmp');

function demoChrom11(): Buffer {
  const dir = join(tmp, 'demo');
  ensureDemoGenome(dir);
  const text = readFileSync(join(dir, 'demo.fa'), 'latin1');
  const body = text.slice(text.indexOf('\n') + 1, text.indexOf('\n>'));
  return Buffer.from(body.replace(/\n/g, '').slice(1_000_000, 1_000_000 + size), 'latin1');
}

/** Compresses `input` through the server's compressor; returns [ms, output bytes]. */
async function once(input: Buffer, encoding: Encoding, level: number): Promise<[number, number]> {
  const z = compressor(encoding, level, input.length);
  let out = 0;
  z.on('data', (c: Buffer) => (out += c.length));
  const done = new Promise<void>((resolve, reject) => z.on('end', resolve).on('error', reject));
  const started = performance.now();
  for (let at = 0; at < input.length; at += 256 * 1024) {
    if (!z.write(input.subarray(at, at + 256 * 1024))) await new Promise((r) => z.once('drain', r));
  }
  z.end();
  await done;
  return [performance.now() - started, out];
}

const rows: [Encoding, number][] = [
  ['gzip', 1],
  ['gzip', 6],
  ['gzip', 9],
  ['br', 1],
  ['br', 4],
  ['br', 5],
  ...(hasZstd
    ? ([
        ['zstd', 1],
        ['zstd', 3],
        ['zstd', 9],
      ] as [Encoding, number][])
    : []),
];

const inputs: [string, Buffer][] = [
  ['bench genome (uniform ACGT)', ensureGenome(join(tmp, 'genome')).bases.subarray(0, size)],
  ['demo chr 11 (N, lowercase, IUPAC)', demoChrom11()],
];

console.log(`Node ${process.version}, ${mbp} Mbp per answer; MB/s of input, ratio = input / output`);
console.log(`| codec | level | ${inputs.map(([n]) => `${n}: MB/s | ratio`).join(' | ')} |`);
console.log(`| --- | --- | ${inputs.map(() => '---: | ---:').join(' | ')} |`);
for (const [encoding, level] of rows) {
  const cells: string[] = [];
  for (const [, input] of inputs) {
    let best = Infinity;
    let out = 0;
    for (let run = 0; run < 3; run++) {
      const [ms, bytes] = await once(input, encoding, level);
      best = Math.min(best, ms);
      out = bytes;
    }
    cells.push(`${(input.length / 1e6 / (best / 1000)).toFixed(0)} | ${(input.length / out).toFixed(2)}`);
  }
  console.log(`| ${encoding} | ${level} | ${cells.join(' | ')} |`);
}
