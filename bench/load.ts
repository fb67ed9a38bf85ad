/**
 * The load generator: runs autocannon (through its API, because only the API can pick a new
 * random path per request) in its own process, which the bench pins to its own core.
 *
 * usage: node --import tsx bench/load.ts '<LoadSpec as JSON>'   → one LoadResult as JSON on stdout
 */
import autocannon from 'autocannon';
import { mulberry32, randomInt } from '../src/mulberry32.js';

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
  /** Requests of the warm-up run, which the server's CPU time also covers. */
  warmupTotal: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Paths the requests cycle through, and how many of them are different. */
  pathsBuilt: number;
  distinctPaths: number;
}

/**
 * Random positions per scenario. They are built before the run because a per-request
 * `setupRequest` makes autocannon serialise every request anew, which capped this client near
 * 30k req/s (below the floor it is compared with); a static request list costs the client the
 * same per request as the hello-world floor's fixed path.
 */
const PATHS = 20_000;

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

function cannon(spec: LoadSpec, durationSec: number, paths: readonly string[]) {
  return autocannon({
    url: spec.origin,
    connections: spec.connections,
    pipelining: 1,
    duration: durationSec,
    requests: paths.map((path) => ({ method: 'GET' as const, path })),
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
  const next = pathGenerator(spec.target, spec.seed);
  const paths = spec.target.kind === 'fixed' ? [next()] : Array.from({ length: PATHS }, next);
  const distinct = new Set(paths).size;
  // Random targets must really vary, or the bench would be measuring a few hot positions.
  if (spec.target.kind !== 'fixed' && distinct < 0.9 * PATHS) {
    throw new Error(`only ${distinct} distinct paths in ${PATHS}: positions are not random`);
  }
  // Warm-up: JIT both sides and fault in the mapped pages the run will touch.
  const warmup = spec.warmupSec > 0 ? await cannon(spec, spec.warmupSec, paths) : undefined;
  const r = await cannon(spec, spec.durationSec, paths);
  const result: LoadResult = {
    requestsPerSec: r.requests.average,
    bytesPerSec: r.throughput.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    total: r.requests.total,
    warmupTotal: warmup?.requests.total ?? 0,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    pathsBuilt: paths.length,
    distinctPaths: distinct,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  console.error(`load: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
