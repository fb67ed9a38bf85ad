/**
 * The timed side of the batch comparison, in its own (pinned) process: reads the regions file,
 * fetches every region end to end, stops the clock, then checks every answer against the raw
 * bench file. Modes:
 * - http-text ORIGIN: POST /batch?format=fasta with the very regions file samtools reads
 *   (text/plain, `name:start-end` lines), answered as samtools writes it (FASTA, 60 columns);
 * - http-json ORIGIN: POST /batch with JSON `{"regions":[{"name","start","end"}]}`, answered in JSON;
 *   both in chunks of BENCH_BATCH_CHUNK regions (default 25,000), BENCH_BATCH_PARALLEL chunks
 *   in flight (default 2, so that every worker has work), reading each full answer;
 * - indexedfasta FASTA: @gmod/indexedfasta on the local FASTA + .fai, what a Node pipeline would
 *   use in process, 64 getSequence calls in flight.
 *
 * usage: node --import tsx bench/batch-client.ts REGIONS.json RAWFILE MODE ARG → JSON on stdout
 */
import { IndexedFasta } from '@gmod/indexedfasta';
import { readFileSync } from 'node:fs';
import { sequencesOf } from './batch-answer.js';

interface Regions {
  name: string;
  /** [start, end) pairs, 0-based. */
  spans: [number, number][];
}

/** A batch answer as received; split into sequences off the clock, as samtools' output file is read back. */
interface Received {
  text: string;
  type: string;
  count: number;
}

async function viaHttp(origin: string, regions: Regions, body: 'text' | 'json'): Promise<Received[]> {
  const chunk = Number(process.env.BENCH_BATCH_CHUNK ?? 25_000);
  const parallel = Number(process.env.BENCH_BATCH_PARALLEL ?? 2);
  const chunks: [number, number][][] = [];
  for (let i = 0; i < regions.spans.length; i += chunk) chunks.push(regions.spans.slice(i, i + chunk));
  const answers = new Array<Received>(chunks.length);
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const index = next++;
      const spans = chunks[index]!;
      const request =
        body === 'json'
          ? {
              url: `${origin}/batch`,
              type: 'application/json',
              text: JSON.stringify({ regions: spans.map(([start, end]) => ({ name: regions.name, start, end })) }),
            }
          : { url: `${origin}/batch?format=fasta`, type: 'text/plain', text: spans.map(([s, e]) => `${regions.name}:${s + 1}-${e}\n`).join('') };
      const res = await fetch(request.url, { method: 'POST', headers: { 'content-type': request.type }, body: request.text });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`POST /batch answered ${res.status}: ${text.slice(0, 300)}`);
      answers[index] = { text, type: res.headers.get('content-type') ?? '', count: spans.length };
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, worker));
  return answers;
}

async function viaIndexedFasta(fasta: string, regions: Regions): Promise<string[]> {
  const reader = new IndexedFasta({ path: fasta, faiPath: `${fasta}.fai` });
  const out = new Array<string>(regions.spans.length);
  const inFlight = 64;
  for (let i = 0; i < regions.spans.length; i += inFlight) {
    const window = regions.spans.slice(i, i + inFlight);
    const got = await Promise.all(window.map(([start, end]) => reader.getSequence(regions.name, start, end)));
    got.forEach((seq, k) => (out[i + k] = seq ?? ''));
  }
  return out;
}

async function main(): Promise<void> {
  const [regionsPath, rawPath, mode, arg] = process.argv.slice(2) as [string, string, string, string];
  const regions = JSON.parse(readFileSync(regionsPath, 'utf8')) as Regions;
  const started = performance.now();
  const answer = mode.startsWith('http-') ? await viaHttp(arg, regions, mode === 'http-json' ? 'json' : 'text') : await viaIndexedFasta(arg, regions);
  const seconds = (performance.now() - started) / 1000;
  // The check, off the clock: samtools' clock also stops once its output is written, not read back.
  const sequences = answer.flatMap((a) => (typeof a === 'string' ? [a] : sequencesOf(a.text, a.type, a.count)));
  const raw = readFileSync(rawPath);
  if (sequences.length !== regions.spans.length) throw new Error(`${mode}: ${sequences.length} sequences for ${regions.spans.length} regions`);
  regions.spans.forEach(([start, end], i) => {
    const expected = raw.toString('latin1', start, end);
    if (sequences[i]!.toUpperCase() !== expected)
      throw new Error(`${mode}: region ${i} (${start}-${end}) answered ${JSON.stringify(sequences[i]!.slice(0, 40))}…, expected ${expected.slice(0, 40)}…`);
  });
  const bases = sequences.reduce((n, s) => n + s.length, 0);
  process.stdout.write(`${JSON.stringify({ seconds, regions: sequences.length, bases })}\n`);
}

main().catch((e: unknown) => {
  console.error(`batch-client: ${(e as Error).message ?? e}`);
  process.exit(1);
});
