/**
 * Prometheus metrics (GET /metrics, routes/metrics.ts), one registry per app. Per-request metrics are
 * counted in our own cells, made into prom-client's form only when scraped (CellMetric.get).
 * Why: prom-client's per-observation label work (BENCHMARKS.md#code-choices-and-their-measurements).
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { collectDefaultMetrics, Gauge, Registry, type Aggregator, type Metric } from 'prom-client';
import type { Assemblies } from '../data/assemblies.js';
import { defaultResidencySources, registerResidencyMetrics, type ResidencySources } from './residency-metrics.js';

/** Seconds: from 100 µs (a single base) to 5 s (large streamed answers). */
export const durationBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

let processMetrics: Registry | undefined;

/**
 * prom-client's default metrics: process_* (CPU, resident memory, open fds),
 * nodejs_eventloop_lag_seconds (and its percentiles), heap, GC, handles. Made once per process
 * (each set starts an event-loop monitor and a GC observer), shared by its apps (the tests build many).
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/**
 * The `route` label is the Fastify route pattern, never the URL (the fast path reports under the
 * pattern of the route that would have answered); this is the label of requests no route matched.
 */
const unmatchedRoute = 'unmatched';

/** The answers of one route, method and status. */
class Cell {
  count = 0;
  sum = 0;
  /** Observations per bucket (not cumulative); the last slot is above the last bound (+Inf). */
  readonly buckets = new Float64Array(durationBuckets.length + 1);

  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    let i = 0;
    while (i < durationBuckets.length && seconds > durationBuckets[i]!) i++;
    this.buckets[i]!++;
  }
}

/** One route's cells: by method, then by status (an array indexed by the status code). */
class RouteCells {
  bytes = 0;
  readonly get: (Cell | undefined)[] = [];
  readonly other = new Map<string, (Cell | undefined)[]>();
}

interface Value {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** A metric object the registry can scrape (what prom-client's own metrics give from get()). */
class CellMetric {
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    private readonly values: () => Value[],
  ) {}

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }> {
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values() });
  }
}

export interface MetricsOptions {
  assemblies: Assemblies;
  digests: { readonly known: number; readonly total: number };
  /** Page-cache residency, and what --lock and --keep-warm report; default: measured here (5 s), both off. */
  residency?: ResidencySources;
}

/**
 * With --workers N a scrape covers every worker (src/http/cluster-metrics.ts), each metric summed
 * or, for gauges of shared things every worker sees alike, maxed; no series carries a pid, so
 * restarts do not break it.
 */
export class Metrics {
  /** This app's metrics; the process's (processRegistry) are added when scraped. */
  readonly registry = new Registry();
  /** In a cluster worker: the scrape of every worker, through the primary (src/http/cluster-metrics.ts). */
  scrapeVia: (() => Promise<string>) | undefined;
  private readonly routes = new Map<string, RouteCells>();
  constructor({ assemblies, digests, residency }: MetricsOptions) {
    const registry = this.registry;
    processRegistry();

    const custom = (m: CellMetric) => registry.registerMetric(m as unknown as Metric);
    custom(new CellMetric('seqserve_http_requests_total', 'HTTP answers, by route pattern, method and status', 'counter', () => this.requestValues()));
    custom(
      new CellMetric('seqserve_http_request_duration_seconds', 'Time to answer, from the request to the last byte handed to the socket', 'histogram', () =>
        this.durationValues(),
      ),
    );
    custom(new CellMetric('seqserve_http_response_bytes_total', 'Body bytes sent, by route pattern', 'counter', () => this.bytesValues()));

    const gauge = (name: string, help: string, aggregator: Aggregator, collect: (g: Gauge) => void | Promise<void>, labelNames: string[] = []) =>
      new Gauge({
        name,
        help,
        labelNames,
        aggregator,
        registers: [registry],
        collect() {
          return collect(this);
        },
      });
    gauge('seqserve_workers', 'Processes serving the port (with --workers: the workers whose figures this scrape includes)', 'sum', (g) => g.set(1));
    gauge('seqserve_mapped_bytes', 'Bytes of every mapped sequence file', 'max', (g) => g.set(assemblies.totals.mappedBytes));
    gauge(
      'seqserve_sequences',
      'Sequences served, by assembly',
      'max',
      (g) => {
        for (const a of assemblies.list) g.set({ assembly: a.name }, a.store.sequences.length);
      },
      ['assembly'],
    );
    gauge(
      'seqserve_bases',
      'Bases served, by assembly',
      'max',
      (g) => {
        for (const a of assemblies.list) g.set({ assembly: a.name }, a.store.totalBases);
      },
      ['assembly'],
    );
    // The BGZF block cache of bgzipped FASTA (one per process): is --bgzf-cache-mib large enough?
    const blocks = () => assemblies.blockCache.stats;
    custom(
      new CellMetric('seqserve_bgzf_cache_hits_total', 'Reads of bgzipped FASTA answered from an already inflated block', 'counter', () => [
        { value: blocks().hits, labels: {} },
      ]),
    );
    custom(
      new CellMetric('seqserve_bgzf_cache_misses_total', 'BGZF blocks inflated (a read found its block not in the cache)', 'counter', () => [
        { value: blocks().misses, labels: {} },
      ]),
    );
    gauge('seqserve_bgzf_cache_bytes', 'Bytes of inflated BGZF blocks held (at most --bgzf-cache-mib per process)', 'sum', (g) => g.set(blocks().bytes));
    gauge('seqserve_refget_digests_known', 'Sequences whose refget digests are known (findable by digest)', 'max', (g) => g.set(digests.known));
    gauge('seqserve_refget_digests_total', 'Sequences that refget digests are computed for', 'max', (g) => g.set(digests.total));
    registerResidencyMetrics(registry, residency ?? defaultResidencySources(assemblies));
  }

  /** Counts one answer. Cheap: a map lookup, an array index, a few additions. */
  observe(route: string, method: string, status: number, bytes: number, seconds: number): void {
    const cells = this.routes.get(route) ?? this.addRoute(route);
    cells.bytes += bytes;
    const byStatus = method === 'GET' ? cells.get : (cells.other.get(method) ?? this.addMethod(cells, method));
    (byStatus[status] ?? (byStatus[status] = new Cell())).observe(seconds);
  }

  private addRoute(route: string): RouteCells {
    const cells = new RouteCells();
    this.routes.set(route, cells);
    return cells;
  }

  private addMethod(cells: RouteCells, method: string): (Cell | undefined)[] {
    const byStatus: (Cell | undefined)[] = [];
    cells.other.set(method, byStatus);
    return byStatus;
  }

  private *cells(): Generator<[labels: { route: string; method: string; status: string }, cell: Cell]> {
    for (const [route, cells] of this.routes) {
      for (const [method, byStatus] of [['GET', cells.get] as const, ...cells.other]) {
        for (let status = 0; status < byStatus.length; status++) {
          const cell = byStatus[status];
          if (cell) yield [{ route, method, status: String(status) }, cell];
        }
      }
    }
  }

  private requestValues(): Value[] {
    return [...this.cells()].map(([labels, cell]) => ({ value: cell.count, labels }));
  }

  private durationValues(): Value[] {
    const name = 'seqserve_http_request_duration_seconds';
    const out: Value[] = [];
    for (const [labels, cell] of this.cells()) {
      let cumulative = 0;
      durationBuckets.forEach((le, i) => {
        cumulative += cell.buckets[i]!;
        out.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
      });
      out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: cell.count });
      out.push({ metricName: `${name}_sum`, labels, value: cell.sum });
      out.push({ metricName: `${name}_count`, labels, value: cell.count });
    }
    return out;
  }

  private bytesValues(): Value[] {
    return [...this.routes].map(([route, cells]) => ({ value: cells.bytes, labels: { route } }));
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    if (this.scrapeVia) return { contentType: Registry.PROMETHEUS_CONTENT_TYPE, body: await this.scrapeVia() };
    const merged = Registry.merge([processRegistry(), this.registry]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  /** This process's figures in prom-client's JSON form (for the primary); `cumulative`: only counters and histograms, no gauge collected. */
  snapshot(cumulative = false): Promise<MetricJson[]> {
    const all = [...processRegistry().getMetricsAsArray(), ...this.registry.getMetricsAsArray()] as unknown as (MetricJson & { get(): Promise<MetricJson> })[];
    return Promise.all(all.filter((m) => !cumulative || m.type === 'counter' || m.type === 'histogram').map((m) => m.get()));
  }
}

/** One metric in prom-client's JSON form (Registry.getMetricsAsJSON), as it crosses IPC. */
export interface MetricJson {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

const countedBytes = Symbol('seqserve.countedBytes');
type CountedResponse = ServerResponse & { [countedBytes]?: number };

/**
 * The hooks that count every answer Fastify gives (the fast path counts its own): the route
 * pattern, or `unmatched`; the status; the body bytes (Content-Length; for a stream sent
 * without one, /batch's, the bytes written as they go; none for HEAD, 204 and 304); the time
 * from the request to the answer's end (reply.elapsedTime).
 */
export function countAnswers(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (payload !== null && typeof payload === 'object' && typeof (payload as { pipe?: unknown }).pipe === 'function' && !reply.hasHeader('content-length')) {
      countWrites(reply.raw);
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observe(request.routeOptions.url ?? unmatchedRoute, request.method, reply.statusCode, bodyBytes(request.method, reply), reply.elapsedTime / 1000);
    done();
  });
}

function bodyBytes(method: string, reply: FastifyReply): number {
  const status = reply.statusCode;
  if (method === 'HEAD' || status === 204 || status === 304) return 0;
  const counted = (reply.raw as CountedResponse)[countedBytes];
  if (counted !== undefined) return counted;
  const length = Number(reply.getHeader('content-length'));
  return Number.isFinite(length) ? length : 0;
}

/** Counts what is written to one response (a chunked stream: Fastify pipes it into write()). */
function countWrites(raw: CountedResponse): void {
  raw[countedBytes] = 0;
  const count = (chunk: unknown, encoding: unknown) => {
    if (typeof chunk === 'string') raw[countedBytes]! += Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    else if (chunk instanceof Uint8Array) raw[countedBytes]! += chunk.byteLength;
  };
  // Wrapped, and called below with the response as `this`, as Node calls them.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const write = raw.write;
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const end = raw.end;
  raw.write = function (this: ServerResponse, chunk: unknown, encoding?: unknown, cb?: unknown) {
    count(chunk, encoding);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, encoding, cb);
  } as ServerResponse['write'];
  raw.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown, cb?: unknown) {
    if (typeof chunk !== 'function') count(chunk, encoding);
    return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, encoding, cb);
  } as ServerResponse['end'];
}
