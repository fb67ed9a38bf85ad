/**
 * The load generator: runs autocannon (through its API, because only the API can pick a new
 * random path per request) in its own process, which the bench pins to its own core.
 *
 * usage: node --import tsx bench/load.ts '<LoadSpec as JSON>'   → one LoadResult as JSON on stdout
 */
import autocannon from 'autocannon';
import { mulberry32, randomInt } from './prng.js';

export type Target =
  | { kind: 'fixed'; path: string }
  | { kind: 'base'; name: string; length: number }
  | { kind: 'range'; name: string; length: number; span: number };

export interface LoadSpec {
  origin: string;
  target: Target;
  seed: number;
  connections: number;
  durationSec: number;
  warmupSec: number;
}

export interface LoadResult {
  requestsPerSec: number;
  bytesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Paths built during the measured run, and how many of them were different (up to a cap). */
  pathsBuilt: number;
  distinctPaths: number;
}

/** Distinct paths are counted up to this many, to bound memory on long runs. */
const DISTINCT_CAP = 100_000;

/** A path generator: a new random base or range, from a seeded PRNG, on every call. */
function pathGenerator(target: Target, seed: number): () => string {
  const random = mulberry32(seed);
  switch (target.kind) {
    case 'fixed':
      return () => target.path;
    case 'base':
      return () => `/chrom/${target.name}/base/${randomInt(random, target.length)}`;
    case 'range':
      return () => {
        const start = randomInt(random, target.length - target.span + 1);
        return `/chrom/${target.name}/range?start=${start}&end=${start + target.span}`;
      };
  }
}

/** One autocannon run; every request's path comes from `next` (setupRequest is called per request). */
function cannon(spec: LoadSpec, durationSec: number, next: () => string) {
  return autocannon({
    url: spec.origin,
    connections: spec.connections,
    pipelining: 1,
    duration: durationSec,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: next() }) }],
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  const next = pathGenerator(spec.target, spec.seed);
  // Warm-up: JIT both sides and fault in the mapped pages the run will touch first.
  if (spec.warmupSec > 0) await cannon(spec, spec.warmupSec, next);

  const seen = new Set<string>();
  let built = 0;
  const counted = () => {
    const path = next();
    built++;
    if (seen.size < DISTINCT_CAP) seen.add(path);
    return path;
  };
  const r = await cannon(spec, spec.durationSec, counted);
  // Random targets must really vary, or the bench would be measuring a few hot positions.
  if (spec.target.kind !== 'fixed' && seen.size < 0.9 * Math.min(built, DISTINCT_CAP)) {
    throw new Error(`only ${seen.size} distinct paths in ${built} requests: positions are not random`);
  }
  const result: LoadResult = {
    requestsPerSec: r.requests.average,
    bytesPerSec: r.throughput.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    pathsBuilt: built,
    distinctPaths: seen.size,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  console.error(`load: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
