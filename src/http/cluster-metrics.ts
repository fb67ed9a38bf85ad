/**
 * /metrics with --workers N: a worker asked for GET /metrics asks the primary, which gathers every
 * live worker's figures (at most `collectTimeoutMs`; a silent worker counts with its last ones) and
 * aggregates each metric by its prom-client `aggregator` (src/http/metrics.ts).
 */
import cluster, { type Worker } from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ProblemError } from '../core/errors.js';
import type { MetricJson, Metrics } from './metrics.js';

/** Worker → primary: a scrape to answer; or this worker's figures (for collect `id`; -1 for a poll, on joining, and at a graceful close). */
type FromWorker = { type: 'seqserve-metrics:scrape'; id: number } | { type: 'seqserve-metrics:figures'; id: number; metrics: MetricJson[] };
/** Primary → worker: send your figures (`cumulative`: only counters and histograms, no gauge collected); or a scrape's text. */
type ToWorker =
  { type: 'seqserve-metrics:collect'; id: number; cumulative: boolean } | { type: 'seqserve-metrics:text'; id: number; body?: string; error?: string };

// Not the `seqserve:` prefix of src/server/cluster.ts's messages, so that neither side's dispatch sees the other's.
function isMessage<T extends { type: string }>(m: unknown): m is T {
  return (
    typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('seqserve-metrics:')
  );
}

const cumulativeTypes = new Set(['counter', 'histogram']);

/**
 * Cluster aggregators chosen here for prom-client's default metrics (the others keep prom-client's
 * own: sum for memory, heap, handles, CPU and GC; first for the version; start time omitted).
 */
function aggregatorOf(metric: MetricJson): string {
  // Every event-loop lag figure is the worst worker's: its requests queue behind its loop, and an average would hide it.
  if (metric.name.startsWith('nodejs_eventloop_lag_')) return 'max';
  // A per-process limit, not an amount that adds up.
  if (metric.name === 'process_max_fds') return 'max';
  return metric.aggregator;
}

const seriesKey = (v: MetricJson['values'][number]) =>
  `${v.metricName ?? ''}{${Object.keys(v.labels)
    .sort()
    .map((k) => `${k}=${String(v.labels[k])}`)
    .join(',')}}`;

interface Collect {
  left: Set<number>;
  finish: () => void;
}

/** The primary's side: started once, before the workers are forked. */
/**
 * Counters never go backwards as workers die: the primary keeps each worker's last figures (refreshed
 * by scrapes, a poll every `pollMs` and a graceful close) and adds a departed worker's to a running
 * total; one killed outright loses only what it counted since. Not prom-client's clusterMetrics():
 * it gives up a scrape when one worker is slow and forgets the dead.
 */
export class ClusterMetrics {
  /** Each live worker's figures as it last sent them, by metric name (a poll replaces only counters and histograms). */
  private readonly live = new Map<number, Map<string, MetricJson>>();
  /** The counters and histograms of the workers gone, summed: by metric name, then by series. */
  private readonly departed = new Map<string, { metric: MetricJson; values: Map<string, MetricJson['values'][number]> }>();
  private readonly collects = new Map<number, Collect>();
  private nextId = 0;

  constructor(
    private readonly log: Logger,
    // Why pollMs: a poll's cost to a worker (BENCHMARKS.md#code-choices-and-their-measurements); the
    // collect timeout leaves room within Prometheus's default 10 s scrape timeout.
    private readonly options = { pollMs: 5000, collectTimeoutMs: 5000 },
  ) {}

  start(): void {
    cluster.on('message', (worker, message: unknown) => {
      if (!isMessage<FromWorker>(message)) return;
      if (message.type === 'seqserve-metrics:figures') this.onFigures(worker, message.id, message.metrics);
      else {
        this.scrape().then(
          (body) => this.send(worker, { type: 'seqserve-metrics:text', id: message.id, body }),
          (e: Error) => this.send(worker, { type: 'seqserve-metrics:text', id: message.id, error: e.message }),
        );
      }
    });
    // After 'disconnect' no message of that worker can arrive: its last figures are final.
    cluster.on('disconnect', (worker) => this.depart(worker.id));
    setInterval(() => this.poll(), this.options.pollMs).unref();
  }

  /** Every live worker's fresh figures (or, past the timeout, its last ones) and the departed's, as exposition text. */
  async scrape(): Promise<string> {
    await this.collect();
    // prom-client is loaded only when first scraped: the primary otherwise never needs it, and forks its workers sooner.
    const { AggregatorRegistry } = await import('prom-client');
    const sets = [...this.live.values()].map((figures) => [...figures.values()]);
    sets.push([...this.departed.values()].map(({ metric, values }) => ({ ...metric, values: [...values.values()] })));
    const registry = AggregatorRegistry.aggregate(sets);
    return registry.metrics();
  }

  private collect(): Promise<void> {
    const workers = this.workers();
    // Waited for: the workers that have joined (sent figures once); one still starting has counted nothing yet.
    const joined = workers.filter((w) => this.live.has(w.id));
    const id = this.nextId++;
    if (joined.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        const late = [...collect.left].map((w) => cluster.workers?.[w]?.process.pid);
        this.log.warn(
          { workerPids: late, timeoutMs: this.options.collectTimeoutMs },
          `metrics: worker(s) ${late.join(', ')} did not answer in time; their last figures are used`,
        );
        collect.finish();
      }, this.options.collectTimeoutMs);
      const collect: Collect = {
        left: new Set(joined.map((w) => w.id)),
        finish: () => {
          clearTimeout(timer);
          this.collects.delete(id);
          resolve();
        },
      };
      this.collects.set(id, collect);
      for (const w of workers) this.send(w, { type: 'seqserve-metrics:collect', id, cumulative: false }, () => this.answered(id, w.id));
    });
  }

  /** Bounds what a worker killed outright takes with it: its counts since the last poll or scrape. */
  private poll(): void {
    for (const w of this.workers()) this.send(w, { type: 'seqserve-metrics:collect', id: -1, cumulative: true });
  }

  private onFigures(worker: Worker, id: number, metrics: MetricJson[]): void {
    if (!worker.isConnected()) return;
    const figures = this.live.get(worker.id) ?? new Map<string, MetricJson>();
    for (const metric of metrics) figures.set(metric.name, { ...metric, aggregator: aggregatorOf(metric) });
    this.live.set(worker.id, figures);
    if (id >= 0) this.answered(id, worker.id);
  }

  private answered(id: number, workerId: number): void {
    const collect = this.collects.get(id);
    if (!collect) return;
    collect.left.delete(workerId);
    if (collect.left.size === 0) collect.finish();
  }

  /** A worker is gone: its counters and histograms join the departed's total; its gauges go. */
  private depart(workerId: number): void {
    const figures = this.live.get(workerId);
    this.live.delete(workerId);
    for (const id of [...this.collects.keys()]) this.answered(id, workerId);
    if (!figures) return;
    for (const metric of figures.values()) {
      if (!cumulativeTypes.has(metric.type) || metric.aggregator !== 'sum') continue;
      const kept = this.departed.get(metric.name) ?? { metric: { ...metric, values: [] }, values: new Map<string, MetricJson['values'][number]>() };
      this.departed.set(metric.name, kept);
      for (const v of metric.values) {
        const key = seriesKey(v);
        const sum = kept.values.get(key);
        kept.values.set(key, { ...v, value: (sum?.value ?? 0) + v.value });
      }
    }
  }

  private workers(): Worker[] {
    return Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());
  }

  private send(worker: Worker, message: ToWorker, onError?: () => void): void {
    if (!worker.isConnected()) return onError?.();
    worker.send(message, (e: Error | null) => {
      if (!e) return;
      this.log.debug({ err: e, workerPid: worker.process.pid }, 'metrics: could not message a worker');
      onError?.();
    });
  }
}

/** Starts the primary's side (src/server/cluster.ts). */
export function startClusterMetrics(log: Logger): ClusterMetrics {
  const metrics = new ClusterMetrics(log);
  metrics.start();
  return metrics;
}

/**
 * A cluster worker's side (src/http/plugins/answer-metrics.ts): answers the primary's collects with this process's
 * figures, makes `metrics.scrape()` ask the primary, and hands the final counts over on close.
 */
export function joinClusterMetrics(app: FastifyInstance, metrics: Metrics, scrapeTimeoutMs = 10_000): void {
  const waiting = new Map<number, { resolve: (body: string) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  const sendFigures = (id: number, cumulative: boolean) =>
    metrics.snapshot(cumulative).then(
      (figures) => process.send?.({ type: 'seqserve-metrics:figures', id, metrics: figures } satisfies FromWorker),
      (err: Error) => app.log.error({ err }, "metrics: could not collect this worker's figures"),
    );
  const onMessage = (message: unknown) => {
    if (!isMessage<ToWorker>(message)) return;
    if (message.type === 'seqserve-metrics:collect') return void sendFigures(message.id, message.cumulative);
    const w = waiting.get(message.id);
    if (message.body !== undefined) w?.resolve(message.body);
    else w?.reject(new ProblemError('unavailable', `the primary process could not gather the metrics: ${message.error}`));
  };
  process.on('message', onMessage);
  // Joins at once (zeros), so that the primary waits for this worker's figures from its first scrape on.
  void sendFigures(-1, true);
  metrics.scrapeVia = () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(
        () => waiting.get(id)?.reject(new ProblemError('unavailable', `the primary process did not answer within ${scrapeTimeoutMs} ms`)),
        scrapeTimeoutMs,
      );
      const settle =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          clearTimeout(timer);
          waiting.delete(id);
          f(v);
        };
      waiting.set(id, { resolve: settle(resolve), reject: settle(reject) });
      const failed = () => waiting.get(id)?.reject(new ProblemError('unavailable', 'no channel to the primary process'));
      if (!process.send || !process.connected) return failed();
      process.send({ type: 'seqserve-metrics:scrape', id } satisfies FromWorker, undefined, {}, (e: Error | null) => e && failed());
    });
  // onClose runs once the server has closed (in-flight answers counted): these figures are final.
  app.addHook('onClose', async () => {
    process.off('message', onMessage);
    if (!process.connected) return;
    const figures = await metrics.snapshot(true);
    await new Promise<void>((resolve) =>
      process.send!({ type: 'seqserve-metrics:figures', id: -1, metrics: figures } satisfies FromWorker, undefined, {}, () => resolve()),
    );
  });
}
