/**
 * Queries for the sequences a folder serves (edge cases and random bases and ranges, both strands),
 * the answers the naive oracle expects, and asking an app for them in batches.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { randInt } from './fasta-fixtures.js';
import { reverseComplement } from './naive-fasta.js';
import type { Kind } from './sequence-kinds.js';

export interface Served {
  name: string;
  sequence: string;
  file: string;
  format: 'fasta' | 'raw';
  /** Bases per line as laid out in the file (the sequence length for raw and unwrapped). */
  lineWidth: number;
}

export interface Query {
  name: string;
  /** 'base' asks /base/:start; 'range' asks /range for [start, end). */
  kind: 'base' | 'range';
  start: number;
  end: number;
  reverse: boolean;
  url: string;
}

export const enc = encodeURIComponent;

function baseQuery(name: string, offset: number): Query {
  return { name, kind: 'base', start: offset, end: offset + 1, reverse: false, url: `/chrom/${enc(name)}/base/${offset}` };
}

/** A range query; the URL leaves out defaults now and then, to test them too. */
function rangeQuery(s: Served, start: number, end: number, reverse: boolean, rng: () => number): Query {
  const params: string[] = [];
  if (start !== 0 || rng() < 0.5) params.push(`start=${start}`);
  if (end !== s.sequence.length || rng() < 0.5) params.push(`end=${end}`);
  if (reverse) params.push('strand=-');
  else if (rng() < 0.3) params.push('strand=%2B');
  const qs = params.length > 0 ? `?${params.join('&')}` : '';
  return { name: s.name, kind: 'range', start, end, reverse, url: `/chrom/${enc(s.name)}/range${qs}` };
}

export function expected(s: Served, q: Query): string {
  const bases = s.sequence.slice(q.start, q.end);
  return q.reverse ? reverseComplement(bases) : bases;
}

/** Edge-case and random queries for one sequence, both strands for every range. */
export function queriesFor(s: Served, kind: Kind, rng: () => number): Query[] {
  const L = s.sequence.length;
  const w = s.lineWidth;
  const out: Query[] = [];
  if (L > 0) {
    const offsets = new Set([0, L - 1]);
    for (const o of [w - 1, w, w + 1, 2 * w - 1, 2 * w]) if (o >= 0 && o < L) offsets.add(o);
    for (let k = 0; k < kind.bases; k++) offsets.add(randInt(rng, 0, L - 1));
    for (const o of offsets) out.push(baseQuery(s.name, o));
  }
  const ranges: [number, number][] = [
    [0, L], // whole sequence
    [0, 0], // empty at the start
    [L, L], // empty at the very end
  ];
  if (L > 0) {
    const i = randInt(rng, 0, L);
    ranges.push([i, i]); // empty anywhere
    ranges.push([0, 1], [L - 1, L]); // first and last base
    const j = randInt(rng, 0, L - 1);
    ranges.push([j, j + 1]); // one base
    ranges.push([randInt(rng, 0, L - 1), L]); // up to the very end
    ranges.push([0, randInt(rng, 1, L)]); // from the start
    // Across line ends: a few bases either side of the end of a random line.
    const lines = Math.floor((L - 1) / w);
    for (let k = 0; k < 3 && lines > 0; k++) {
      const edge = randInt(rng, 1, lines) * w;
      ranges.push([Math.max(0, edge - randInt(rng, 0, 3)), Math.min(L, edge + randInt(rng, 1, 3))]);
      ranges.push([Math.max(0, edge - randInt(rng, 1, 2 * w)), Math.min(L, edge + randInt(rng, 1, 2 * w))]);
    }
    for (let k = 0; k < kind.ranges; k++) {
      const a = randInt(rng, 0, L);
      const b = randInt(rng, 0, L);
      ranges.push([Math.min(a, b), Math.max(a, b)]);
    }
  }
  for (const [start, end] of ranges) {
    out.push(rangeQuery(s, start, end, false, rng));
    out.push(rangeQuery(s, start, end, true, rng));
  }
  return out;
}

/** One base, the whole sequence and one random reverse-complemented range. */
export function lightQueriesFor(s: Served, rng: () => number): Query[] {
  const L = s.sequence.length;
  const a = randInt(rng, 0, L);
  const b = randInt(rng, 0, L);
  return [
    ...(L > 0 ? [baseQuery(s.name, randInt(rng, 0, L - 1))] : []),
    rangeQuery(s, 0, L, false, rng),
    rangeQuery(s, Math.min(a, b), Math.max(a, b), true, rng),
  ];
}

// ---------------------------------------------------------------------------------------------
// Asking the app.

export async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

export interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

export async function ask(app: FastifyInstance, url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url, headers });
}

export async function answers(app: FastifyInstance, queries: readonly Query[]): Promise<Answer[]> {
  return inBatches(queries, 250, async (q) => {
    const res = await ask(app, q.url);
    return { status: res.statusCode, contentType: res.headers['content-type'] as string | undefined, body: res.rawPayload.toString('latin1') };
  });
}

/** Mismatches as short lines (at most 10 shown), so one failure tells what and where. */
export function report(mismatches: string[]): string[] {
  return mismatches.length <= 10 ? mismatches : [...mismatches.slice(0, 10), `... and ${mismatches.length - 10} more`];
}

export function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 40)}...${s.slice(-40)} (${s.length})` : JSON.stringify(s);
}
