/**
 * What the load generators send: a pre-generated list of requests at seeded random positions
 * (a new base or range on every request, cycled), and the shape of one measured result.
 * The same seed gives the same positions to every server, so seqserve and nginx answer the
 * very same bytes.
 */
import { mulberry32, randomInt } from '../src/core/mulberry32.js';

export interface HttpRequest {
  path: string;
  headers?: Record<string, string>;
  /** The answer's body, when this request's answers are to be checked during the run (status 200 and these bytes). */
  expect?: string;
}

/** How to ask one server for a base or a range of the bench genome. */
export type Addressing =
  | { kind: 'fixed'; path: string } // hello-world
  | { kind: 'seqserve'; name: string } // /chrom/NAME/base/I and /chrom/NAME/range?start&end
  | { kind: 'file-range'; path: string }; // GET PATH with Range: bytes=a-b (nginx, /files)

export interface LoadJob {
  origin: string;
  requests: HttpRequest[];
  connections: number;
  durationSec: number;
  warmupSec: number;
  /** Requests per second for the whole run (paced, for latency at a fixed rate); none = as fast as possible. */
  rate?: number;
  /** Report the time from the start of the run until this many answers had arrived. */
  firstAnswers?: number;
}

export interface LoadResult {
  tool: string;
  requestsPerSec: number;
  bytesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  /** Requests of the warm-up run, which the server's CPU time also covers. */
  warmupTotal: number;
  non2xx: number;
  /** Socket errors and timeouts together. */
  errors: number;
  timeouts: number;
  /** ms from the start of the measured run until `firstAnswers` answers had arrived (absent if fewer did). */
  firstAnswersMs?: number;
  /** Answers compared with their request's `expect` during the run, and how many differed. */
  checked?: number;
  wrong?: number;
}

/** Distinct positions per list: far more than the connections, so no position is hot. */
const REQUESTS_PER_LIST = 20_000;

/** `count` requests for `span` bases (1 = the single-base route) at seeded random positions. */
export function randomRequests(addressing: Addressing, genomeLength: number, span: number, seed: number, count = REQUESTS_PER_LIST): HttpRequest[] {
  if (addressing.kind === 'fixed') return [{ path: addressing.path }];
  const random = mulberry32(seed);
  const requests: HttpRequest[] = [];
  for (let i = 0; i < count; i++) {
    const start = randomInt(random, genomeLength - span + 1);
    requests.push(requestFor(addressing, start, start + span));
  }
  const distinct = new Set(requests.map((r) => r.path + (r.headers?.range ?? ''))).size;
  // Random targets must really vary, or the bench would be measuring a few hot positions.
  if (distinct < 0.9 * count) throw new Error(`only ${distinct} distinct requests in ${count}: positions are not random`);
  return requests;
}

/** The request for bases [start, end) (0-based, end exclusive). */
export function requestFor(addressing: Addressing, start: number, end: number): HttpRequest {
  switch (addressing.kind) {
    case 'fixed':
      return { path: addressing.path };
    case 'seqserve':
      return end - start === 1 ? { path: `/chrom/${addressing.name}/base/${start}` } : { path: `/chrom/${addressing.name}/range?start=${start}&end=${end}` };
    case 'file-range':
      return { path: addressing.path, headers: { range: `bytes=${start}-${end - 1}` } };
  }
}
