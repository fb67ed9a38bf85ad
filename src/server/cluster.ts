/**
 * --workers N: one primary process and N workers (node:cluster) serving the same port; on Linux
 * the primary accepts the connections and hands them to the workers in turn.
 *
 * The primary does what must happen once:
 * - the startup checks: it opens the data folder first (catalogs, missing .fai built and saved),
 *   so bad data fails once, with one line, before any worker exists; workers then find the .fai;
 * - the refget digests: the primary's DigestIndex computes the missing ones in its worker
 *   thread (and saves the sidecars, as a single process does); workers start with the sidecars
 *   already there (config.digests off) and are sent each file's digests as the primary learns
 *   them, so hashing happens once, not N times, and never delays startup;
 * - --preload, --lock and --keep-warm: the page cache is shared, so the primary warms, locks
 *   (before forking: once, not per worker) and keeps it through its own mappings, and sends the
 *   state to the workers for /readyz and /metrics;
 * - the "ready" line, once every worker listens; replacing a worker that dies, with backoff;
 *   and on SIGTERM/SIGINT asking every worker to close gracefully (each finishes its in-flight
 *   requests), then exiting 0.
 */
import cluster, { type Worker } from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Assemblies } from '../data/assemblies.js';
import { openAssemblies } from '../data/assemblies.js';
import { announceReady } from './ready-line.js';
import { startClusterMetrics } from '../http/cluster-metrics.js';
import type { Config } from '../data/config.js';
import { closeMarginMs } from '../http/connection-drain.js';
import { createLogger, whenLogsWritten } from './logger.js';
import { Preload, preloadOff, type PreloadStatus } from '../data/preload.js';
import { Residency } from '../data/residency.js';
import type { ResidencyStatus } from '../data/residency-report.js';
import { DigestIndex } from '../refget/digest-index.js';
import { groupByFile } from '../refget/digest-sidecar.js';
import type { SequenceDigests } from '../refget/digests.js';
import type { SequenceRecord } from '../data/sequence-record.js';

/** A worker could not start (before the cluster was ready): said once, as one line, by the CLI. */
export class StartupError extends Error {}

type FileDigests = [file: string, digests: [name: string, md5: string, ga4gh: string][]];

/** Primary → worker. */
type ToWorker =
  | { type: 'seqserve:preload'; status: PreloadStatus }
  | { type: 'seqserve:residency'; status: ResidencyStatus }
  | { type: 'seqserve:digests'; files: FileDigests[] }
  | { type: 'seqserve:shutdown' }
  | { type: 'seqserve:reload' };

/** Worker → primary. */
type ToPrimary = { type: 'seqserve:listening'; url: string } | { type: 'seqserve:failed'; message: string } | { type: 'seqserve:reload-request' };

function isMessage<T extends { type: string }>(m: unknown): m is T {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('seqserve:');
}

/** Backoff before replacing a dead worker: doubles with each death in the last minute, 100 ms to 30 s. */
function restartDelay(recentDeaths: number): number {
  return Math.min(30_000, 100 * 2 ** Math.max(0, recentDeaths - 1));
}

/** Runs the primary until it is told to stop; resolves once every worker listens (the ready line). */
export async function runPrimary(config: Config, notes: string[]): Promise<void> {
  const started = performance.now();
  const logger = createLogger(config);
  for (const note of notes) logger.info(note);
  // Throws DataError for bad data: the CLI says it in one line, before any worker is forked.
  const assemblies = openAssemblies(config.data, logger, { defaultAssembly: config.defaultAssembly });
  const items = assemblies.list.flatMap((a) => a.store.sequences.map((s) => ({ record: s.record })));
  // Locked here, once, before any worker exists; a refusal is one line, as for bad data.
  const residency = Residency.start(config, assemblies, logger);
  const digests = DigestIndex.start(items, logger, { compute: config.digests });
  const primary = new Primary(config, logger, assemblies, digests, residency);
  // GET /metrics on any worker: the primary gathers every worker's figures (src/http/cluster-metrics.ts).
  startClusterMetrics(logger);
  await primary.start(started);
}

class Primary {
  private readonly listening = new Map<number, string>();
  /** Files whose digests went to every listening worker (a worker listening later gets all known ones at once). */
  private readonly broadcastFiles = new Set<string>();
  private filesRecords: Map<string, SequenceRecord[]>;
  private readonly deaths: number[] = [];
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private ready = false;
  private shuttingDown = false;
  private preload: Preload | undefined;
  private preloadStatus: PreloadStatus;
  private digestTimer: NodeJS.Timeout | undefined;
  private readonly failures = new Map<number, string>();

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    private readonly assemblies: Assemblies,
    private digests: DigestIndex<{ record: SequenceRecord }>,
    private readonly residency: Residency,
  ) {
    this.filesRecords = groupByFile(assemblies.list.flatMap((a) => a.store.sequences.map((s) => s.record)));
    this.preloadStatus = config.preload ? { state: 'running', bytes: 0, total: assemblies.totals.mappedBytes, ms: 0 } : preloadOff;
  }

  start(started: number): Promise<void> {
    const { workers } = this.config;
    return new Promise((resolve, reject) => {
      cluster.on('message', (worker, message: unknown) => {
        if (!isMessage<ToPrimary>(message)) return;
        if (message.type === 'seqserve:failed') this.failures.set(worker.id, message.message);
        else if (message.type === 'seqserve:reload-request') this.reload(`POST /admin/reload on worker ${worker.process.pid}`);
        else
          this.onListening(worker, message.url, () => {
            this.announce(started);
            resolve();
          });
      });
      cluster.on('exit', (worker, code, signal) => {
        this.listening.delete(worker.id);
        if (this.shuttingDown) return this.onShutdownExit();
        if (!this.ready) {
          // A worker that cannot start now would not start later either (port taken, ...): stop, one line.
          const why = this.failures.get(worker.id) ?? `worker ${worker.process.pid} exited during startup (${signal ?? `code ${code}`})`;
          for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
          return reject(new StartupError(why));
        }
        this.replace(worker, code, signal);
      });
      process.on('SIGTERM', () => this.shutdown('SIGTERM'));
      process.on('SIGINT', () => this.shutdown('SIGINT'));
      process.on('SIGHUP', () => this.reload('SIGHUP'));
      for (let i = 0; i < workers; i++) cluster.fork();
    });
  }

  private onListening(worker: Worker, url: string, firstReady: () => void): void {
    this.listening.set(worker.id, url);
    // Whatever it may have missed: digests computed since its start, the preload's progress.
    this.send(worker, { type: 'seqserve:digests', files: this.knownDigests(() => true) });
    this.send(worker, { type: 'seqserve:preload', status: this.preloadStatus });
    this.send(worker, { type: 'seqserve:residency', status: this.residency.status });
    if (this.ready) {
      this.log.info({ workerPid: worker.process.pid, workers: this.listening.size }, `worker ${worker.process.pid} listening (replacement)`);
      return;
    }
    if (this.listening.size < this.config.workers) return;
    this.ready = true;
    firstReady();
    this.watchDigests();
    if (this.config.preload) this.startPreload();
    this.residency.listening(() => this.preloadStatus);
    // The keeper's counts and a relock after a reload reach the workers' /readyz and /metrics.
    if (this.config.lock.length + this.config.keepWarm.length === 0) return;
    setInterval(() => this.broadcast({ type: 'seqserve:residency', status: this.residency.status }), 1000).unref();
  }

  private announce(started: number): void {
    const { sequences, bases } = this.assemblies.totals;
    const names = this.assemblies.list.map((a) => a.name);
    const url = [...this.listening.values()][0]!;
    const { workers } = this.config;
    const ms = Math.round(performance.now() - started);
    const held = names.length > 1 ? ` in ${names.length} assemblies (${names.join(', ')}; default ${this.assemblies.default.name})` : '';
    this.log.info(
      { url, workers, assemblies: names, sequences, bases, ms },
      `seqserve ready at ${url}: ${sequences} sequences, ${bases.toLocaleString('en-US')} bases${held}, ${workers} workers, started in ${ms} ms`,
    );
    // After the JSON line is written (pino writes stdout asynchronously; the friendly line goes to stderr at once).
    whenLogsWritten(this.log, () => announceReady({ url, sequences, bases, assemblies: names.length, workers, ms }));
  }

  /** A worker died while serving: log it and fork another after a backoff that grows with repeated deaths. */
  private replace(worker: Worker, code: number | null, signal: string | null): void {
    const now = Date.now();
    this.deaths.push(now);
    while (this.deaths.length > 0 && this.deaths[0]! < now - 60_000) this.deaths.shift();
    const delay = restartDelay(this.deaths.length);
    this.log.warn(
      { workerPid: worker.process.pid, code, signal, restartInMs: delay },
      `worker ${worker.process.pid} died (${signal ?? `code ${code}`}); starting another in ${delay} ms`,
    );
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      if (!this.shuttingDown) cluster.fork();
    }, delay);
    this.restartTimers.add(timer);
  }

  /**
   * Sends the workers each file's digests as soon as the primary's DigestIndex knows them all.
   * A worker may be sent a file twice (at its start and in a broadcast); it keeps the first.
   */
  private watchDigests(): void {
    const push = () => {
      const files = this.knownDigests((file) => !this.broadcastFiles.has(file));
      for (const [file] of files) this.broadcastFiles.add(file);
      if (files.length > 0) this.broadcast({ type: 'seqserve:digests', files });
    };
    push();
    this.digestTimer = setInterval(push, 500);
    void this.digests.done.then(() => {
      clearInterval(this.digestTimer);
      push();
    });
  }

  private knownDigests(wanted: (file: string) => boolean): FileDigests[] {
    const out: FileDigests[] = [];
    for (const [file, records] of this.filesRecords) {
      if (!wanted(file)) continue;
      const rows: FileDigests[1] = [];
      for (const record of records) {
        const d: SequenceDigests | undefined = this.digests.digestsOf({ record });
        if (!d) break;
        rows.push([record.name, d.md5, d.ga4gh]);
      }
      if (rows.length !== records.length) continue;
      out.push([file, rows]);
    }
    return out;
  }

  private startPreload(): void {
    const files = this.assemblies.list.flatMap((a) => a.store.mappedFiles());
    let lastSent = 0;
    this.preload = Preload.start(
      files,
      { info: (m) => this.log.info(m), warn: (m) => this.log.warn(m) },
      {
        onProgress: (status) => {
          this.preloadStatus = status;
          // Progress to the workers at most 4 times a second; the final state always.
          const now = performance.now();
          if (status.state === 'done' || now - lastSent > 250) {
            lastSent = now;
            this.broadcast({ type: 'seqserve:preload', status });
          }
        },
      },
    );
  }

  /**
   * A reload (SIGHUP, or POST /admin/reload on a worker): the primary reads the data folder once
   * (bad data is said here, and nobody reloads), adopts it for its digests and preload, then tells
   * every worker to reload; each re-reads the folder (the .fai now exist) and swaps in place.
   */
  private reload(why: string): void {
    if (this.shuttingDown) return;
    this.log.info(`${why}: reloading the data folder`);
    try {
      const next = openAssemblies(this.config.data, this.log, { defaultAssembly: this.config.defaultAssembly });
      this.assemblies.adopt(next);
    } catch (e) {
      this.log.error({ err: e }, `reload failed, the old data is still served: ${(e as Error).message}`);
      return;
    }
    const old = this.digests;
    this.digests = DigestIndex.start(
      this.assemblies.list.flatMap((a) => a.store.sequences.map((s) => ({ record: s.record }))),
      this.log,
      { compute: this.config.digests },
    );
    void old.close();
    this.filesRecords = groupByFile(this.assemblies.list.flatMap((a) => a.store.sequences.map((s) => s.record)));
    this.broadcastFiles.clear();
    this.broadcast({ type: 'seqserve:reload' });
    clearInterval(this.digestTimer);
    this.watchDigests();
  }

  private shutdown(signal: string): void {
    if (this.shuttingDown) {
      this.log.error(`second ${signal}, exiting`);
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(1);
    }
    this.shuttingDown = true;
    const graceMs = this.config.shutdownGrace;
    this.log.info({ signal, workers: this.listening.size, graceMs }, `closing: the workers close idle connections now, answers in flight within ${graceMs} ms`);
    for (const t of this.restartTimers) clearTimeout(t);
    clearInterval(this.digestTimer);
    this.preload?.stop();
    this.residency.stop();
    void this.digests.close();
    // A message, not a signal: a worker that already got the terminal's SIGINT would take a second signal as "exit now".
    // One not listening yet has no requests to finish (nor, maybe, a message handler): a signal.
    for (const w of Object.values(cluster.workers ?? {})) {
      if (!w) continue;
      if (this.listening.has(w.id)) this.send(w, { type: 'seqserve:shutdown' });
      else w.process.kill('SIGTERM');
    }
    // Each worker cuts its answers at the grace and exits by itself within grace + closeMarginMs
    // (its close-with-grace backstop); a worker still there after another margin is stuck.
    setTimeout(
      () => {
        this.log.error('workers did not exit in time; killing them');
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
        process.exit(1);
      },
      graceMs + 2 * closeMarginMs,
    ).unref();
    this.onShutdownExit();
  }

  private onShutdownExit(): void {
    if (Object.keys(cluster.workers ?? {}).length > 0) return;
    this.assemblies.close();
    this.log.info('closed');
    process.exit(0);
  }

  private broadcast(message: ToWorker): void {
    for (const id of this.listening.keys()) {
      const w = cluster.workers?.[id];
      if (w) this.send(w, message);
    }
  }

  private send(worker: Worker, message: ToWorker): void {
    if (!worker.isConnected()) return;
    worker.send(message, (e: Error | null) => {
      if (e) this.log.debug({ err: e, workerPid: worker.process.pid }, 'could not message a worker');
    });
  }
}

/**
 * The worker side: applies what the primary sends. The app's DigestIndex was started without
 * computing; files it already knows (from sidecars) are left as they are.
 */
export function attachWorker(app: FastifyInstance, on: { onPreload(s: PreloadStatus): void; onResidency(s: ResidencyStatus): void; onShutdown(): void }): void {
  process.on('message', (message: unknown) => {
    if (!isMessage<ToWorker>(message)) return;
    if (message.type === 'seqserve:preload') on.onPreload(message.status);
    else if (message.type === 'seqserve:residency') on.onResidency(message.status);
    else if (message.type === 'seqserve:shutdown') on.onShutdown();
    else if (message.type === 'seqserve:reload') {
      app.reloadData().catch((err: Error) => app.log.error({ err }, `reload failed in this worker, the old data is still served: ${err.message}`));
    } else for (const [file, rows] of message.files) app.digests.load(file, new Map(rows.map(([name, md5, ga4gh]) => [name, { md5, ga4gh }])));
  });
}

/** POST /admin/reload on a worker: the primary reloads and tells every worker (answered 202). */
export function requestReloadFromPrimary(): void {
  process.send?.({ type: 'seqserve:reload-request' } satisfies ToPrimary);
}

/** Tells the primary this worker listens. */
export function reportListening(url: string): void {
  process.send?.({ type: 'seqserve:listening', url } satisfies ToPrimary);
}

/** Tells the primary why this worker could not start, then exits 1 (the primary says it, once). */
export function reportStartupFailure(message: string): void {
  if (!process.send) process.exit(1);
  process.send({ type: 'seqserve:failed', message } satisfies ToPrimary, undefined, {}, () => process.exit(1));
}
