/**
 * The seqcol group: GA4GH sequence collections on an assembly of 50,000 contigs (a fragmented
 * draft genome) and a copy with every other contig renamed. Measured in one run against the
 * Fastify hello-world floor: GET /collection at level 1 and 2 and GET /comparison under wrk, a
 * POST /comparison of the whole level 2 collection one at a time, the time from ready to the
 * collections being built in the background, and the server's anonymous memory before and
 * after. Every answer is checked first against digests computed here from the written files.
 *
 * usage: node --import tsx bench/seqcol.ts      (BENCH_SEQCOL=0 skips it; BENCH_DURATION seconds)
 */
import { spawnSync } from 'node:child_process';
import { hash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../src/core/mulberry32.js';
import { loadGenerator } from './loadgen.js';
import * as proc from './processes.js';
import { startHello, startSeqserve, type Running } from './servers.js';
import type { LoadResult } from './traffic.js';

const root = join(import.meta.dirname, '..');
const scratch = join(root, 'bench', '.tmp', 'seqcol');
const durationSec = Number(process.env.BENCH_DURATION ?? 5);
const CONTIGS = 50_000;
const log = (m: string) => console.error(`bench seqcol: ${m}`);
const t24u = (text: string) => hash('sha512', text, 'buffer').subarray(0, 24).toString('base64url');

interface Assembly {
  names: string[];
  lengths: number[];
  sequences: string[];
  /** The top-level digest, computed here: JSON.stringify of strings and integers is RFC 8785's form. */
  digest: string;
}

function assembly(names: string[], lengths: number[], sequences: string[]): Assembly {
  return { names, lengths, sequences, digest: t24u(`{"names":"${t24u(JSON.stringify(names))}","sequences":"${t24u(JSON.stringify(sequences))}"}`) };
}

/** Two assemblies of the same 50,000 contigs (100 to 5,000 bp), the second with every other one renamed. */
function writeData(): [Assembly, Assembly] {
  const random = mulberry32(50_000);
  const names: string[] = [];
  const lengths: number[] = [];
  const sequences: string[] = [];
  const bases: string[] = [];
  for (let i = 0; i < CONTIGS; i++) {
    const length = 100 + Math.floor(random() * 4900);
    let s = '';
    for (let j = 0; j < length; j++) s += 'ACGT'[Math.floor(random() * 4)];
    names.push(`contig_${i}`);
    lengths.push(length);
    sequences.push(`SQ.${t24u(s)}`);
    bases.push(s);
  }
  const renamed = names.map((n, i) => (i % 2 === 0 ? `scaffold_${i}` : n));
  for (const [folder, list] of [
    ['draft', names],
    ['renamed', renamed],
  ] as const) {
    const dir = join(scratch, 'data', folder);
    if (existsSync(join(dir, `${folder}.fa`))) continue;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${folder}.fa`), list.map((n, i) => `>${n}\n${bases[i]}\n`).join(''));
  }
  return [assembly(names, lengths, sequences), assembly(renamed, lengths, sequences)];
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Polls until every assembly has its collection digest; returns the ms it took. */
async function collectionsBuilt(origin: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    const list = await getJson<{ collection: string | null }[]>(`${origin}/assemblies`);
    if (list.every((a) => a.collection)) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function check(origin: string, [draft, renamed]: [Assembly, Assembly]): Promise<void> {
  const level2 = await getJson<{ names: string[]; lengths: number[]; sequences: string[] }>(`${origin}/collection/${draft.digest}`);
  const same = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(level2.names, draft.names) || !same(level2.lengths, draft.lengths) || !same(level2.sequences, draft.sequences)) {
    throw new Error('GET /collection: the arrays differ from the written file');
  }
  type Answer = { array_elements: { a_and_b_count: Record<string, number> } };
  const counts = (await getJson<Answer>(`${origin}/comparison/${draft.digest}/${renamed.digest}`)).array_elements.a_and_b_count;
  if (counts.names !== CONTIGS / 2 || counts.sequences !== CONTIGS) throw new Error(`GET /comparison: wrong counts ${JSON.stringify(counts)}`);
}

/** POST /comparison of the renamed assembly's names, lengths and sequences, one at a time: ms of each. */
async function postTimes(origin: string, [draft, renamed]: [Assembly, Assembly], runs: number): Promise<number[]> {
  const body = JSON.stringify({ names: renamed.names, lengths: renamed.lengths, sequences: renamed.sequences });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const answer = await getJson<{ digests: { b: string } }>(`${origin}/comparison/${draft.digest}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    times.push(performance.now() - started);
    if (answer.digests.b !== renamed.digest) throw new Error(`POST /comparison: digest b ${answer.digests.b}, expected ${renamed.digest}`);
  }
  return times.sort((a, b) => a - b);
}

const row = (label: string, r: LoadResult, floor: number) =>
  `| ${label} | ${Math.round(r.requestsPerSec).toLocaleString('en-US')} | ${(r.requestsPerSec / floor).toFixed(3)}× | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${(r.bytesPerSec / 1e6).toFixed(0)} |`;

async function main(): Promise<void> {
  if (process.env.BENCH_SEQCOL === '0') return void log('skipped (BENCH_SEQCOL=0)');
  proc.killChildrenOnExit();
  proc.build(root);
  log(`writing ${CONTIGS.toLocaleString('en-US')} contigs twice (once)`);
  const data = writeData();
  const indexed = spawnSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'main.js'), 'index', join(scratch, 'data')], { stdio: ['ignore', 2, 2] });
  if (indexed.status !== 0) throw new Error('seqserve index failed');
  const load = await loadGenerator();
  const hello = await startHello();
  let seqserve: Running | undefined;
  try {
    const startedAt = performance.now();
    seqserve = await startSeqserve(join(scratch, 'data'));
    const readyMs = performance.now() - startedAt;
    const before = proc.memoryOf(seqserve.server.pid);
    const buildMs = await collectionsBuilt(seqserve.origin);
    await check(seqserve.origin, data);
    const after = proc.memoryOf(seqserve.server.pid);
    const job = (origin: string, path: string, connections = 8) => ({ origin, requests: [{ path }], connections, durationSec, warmupSec: 1 });
    const floor = await load.run(job(hello.origin, '/'), 'seqcol-hello');
    const [draft, renamed] = data;
    const rows: [string, LoadResult][] = [];
    for (const [label, path, connections] of [
      ['GET /collection/{d}?level=1', `/collection/${draft.digest}?level=1`, 8],
      ['GET /collection/{d} (level 2)', `/collection/${draft.digest}`, 2],
      ['GET /comparison/{a}/{b}', `/comparison/${draft.digest}/${renamed.digest}`, 8],
    ] as const) {
      log(label);
      rows.push([label, await load.run(job(seqserve.origin, path, connections), `seqcol-${rows.length}`)]);
    }
    const posts = await postTimes(seqserve.origin, data, 20);
    const floorAgain = await load.run(job(hello.origin, '/'), 'seqcol-hello-again');
    const base = (floor.requestsPerSec + floorAgain.requestsPerSec) / 2;
    console.log(`\n${CONTIGS.toLocaleString('en-US')} contigs per assembly, two assemblies; ${load.description}; ${proc.pinningDescription()}`);
    console.log(`| request | req/s | × hello floor | p50 ms | p99 ms | MB/s |\n| --- | ---: | ---: | ---: | ---: | ---: |`);
    console.log(row('hello-world floor (first, last)', { ...floor, requestsPerSec: base }, base));
    for (const [label, r] of rows) console.log(row(label, r, base));
    const p = (q: number) => posts[Math.min(posts.length - 1, Math.floor(q * posts.length))]!.toFixed(0);
    console.log(
      `\nPOST /comparison/{a} with the other assembly's names, lengths and sequences (${(JSON.stringify(data[1]).length / 1e6).toFixed(1)} MB), one at a time: p50 ${p(0.5)} ms, max ${p(1)} ms (${posts.length} runs)`,
    );
    const level2Mb = (await (await fetch(`${seqserve.origin}/collection/${draft.digest}`)).arrayBuffer()).byteLength / 1e6;
    console.log(`level 2 answer: ${level2Mb.toFixed(1)} MB`);
    console.log(`ready (sidecars read, mapped) in ${readyMs.toFixed(0)} ms; both collections built in the background ${buildMs.toFixed(0)} ms after ready`);
    console.log(`server anonymous memory: ${before.anonMb.toFixed(0)} MB when ready, ${after.anonMb.toFixed(0)} MB with both collections built and served`);
  } finally {
    if (seqserve) await proc.stop(seqserve.server);
    await proc.stop(hello.server);
  }
}

await main();
