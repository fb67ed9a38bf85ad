/**
 * Serving the data folder: one process, or a cluster's primary or worker; listen, the ready line,
 * graceful close, SIGHUP reload.
 */
import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { openAssemblies } from '../data/assemblies.js';
import { announceReady } from './ready-line.js';
import { attachWorker, reportListening, requestReloadFromPrimary, runPrimary } from './cluster.js';
import type { Config } from '../data/config.js';
import { closeMarginMs } from '../http/connection-drain.js';
import { createLogger, whenLogsWritten } from './logger.js';
import { Preload, preloadOff, type PreloadStatus } from '../data/preload.js';
import { Residency, residencyOff } from '../data/residency.js';
import type { ResidencyStatus } from '../data/residency-report.js';

/**
 * Serves the data folder: in this process (--workers 1), or as the primary of a cluster of
 * workers (--workers N, see src/server/cluster.ts), or as one of those workers (forked by the primary
 * with the same arguments). Resolves once ready.
 */
export async function serve(config: Config, notes: string[] = []): Promise<void> {
  if (cluster.isWorker) await serveWorker(config);
  else if (config.workers > 1) await runPrimary(config, notes);
  else await serveSingle(config, notes);
}

/**
 * One process: builds the app, listens, preloads if asked, and closes gracefully on
 * SIGTERM/SIGINT: stop accepting, close idle connections, give in-flight answers shutdownGrace ms
 * (src/http/connection-drain.ts), drop the mappings (onClose), exit 0.
 */
async function serveSingle(config: Config, notes: string[] = []): Promise<FastifyInstance> {
  const started = performance.now();
  const logger = createLogger(config);
  for (const note of notes) logger.info(note);
  const assemblies = openAssemblies(config.data, logger, { defaultAssembly: config.defaultAssembly });
  // --lock: before listening, so a server that says ready has its pages locked (or did not start).
  const residency = Residency.start(config, assemblies, logger);
  let preload: Preload | undefined;
  const preloadStatus = () => preload?.status ?? pendingPreload(config, assemblies.totals.mappedBytes);
  const { buildApp } = await loadApp();
  const app = await buildApp(config, { assemblies, logger, preload: preloadStatus, residency: () => residency.status, residencyReport: residency.report });
  // The drain (src/http/connection-drain.ts) ends within shutdownGrace; the delay is only a backstop.
  closeWithGrace({ delay: config.shutdownGrace + closeMarginMs, logger: app.log, skip: ['SIGHUP'] }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an uncaught error');
    else app.log.info({ signal, graceMs: config.shutdownGrace }, `closing: idle connections now, answers in flight within ${config.shutdownGrace} ms`);
    preload?.stop();
    residency.stop();
    await app.close();
  });
  // kill -HUP (not a close signal here, see skip above): re-read the data folder and swap it in (bad data: logged, the old data stays served).
  process.on('SIGHUP', () => {
    app.log.info('SIGHUP: reloading the data folder');
    app.reloadData().catch((err: Error) => app.log.error({ err }, `reload failed, the old data is still served: ${err.message}`));
  });
  const address = await app.listen({ port: config.port, host: config.host });
  const { sequences, bases } = assemblies.totals;
  const names = assemblies.list.map((a) => a.name);
  const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
  const ms = Math.round(performance.now() - started);
  const held = names.length > 1 ? ` in ${names.length} assemblies (${names.join(', ')}; default ${assemblies.default.name})` : '';
  app.log.info(
    { url, workers: 1, assemblies: names, sequences, bases, ms },
    `seqserve ready at ${url}: ${sequences} sequences, ${bases.toLocaleString('en-US')} bases${held}, started in ${ms} ms`,
  );
  // After the JSON line is written (pino writes stdout asynchronously; the friendly line goes to stderr at once).
  whenLogsWritten(logger, () => announceReady({ url, sequences, bases, assemblies: names.length, workers: 1, ms }));
  if (config.preload) {
    preload = Preload.start(
      assemblies.list.flatMap((a) => a.store.mappedFiles()),
      { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m) },
    );
  }
  residency.listening(preloadStatus);
  return app;
}

/**
 * A worker of the cluster: the primary has checked the data and built the .fai, computes the
 * digests and runs the preload; the worker maps the files, serves, and takes what the primary
 * sends (src/server/cluster.ts). Catalog messages were said by the primary already, so not again here.
 */
async function serveWorker(config: Config): Promise<void> {
  const logger = createLogger(config).child({ worker: cluster.worker!.id });
  const quiet = { info: () => {}, warn: (m: string) => logger.debug(m) };
  const assemblies = openAssemblies(config.data, quiet, { defaultAssembly: config.defaultAssembly });
  let preload: PreloadStatus = pendingPreload(config, assemblies.totals.mappedBytes);
  let residency: ResidencyStatus = residencyOff;
  const { buildApp } = await loadApp();
  const app = await buildApp(
    { ...config, digests: false },
    { assemblies, logger, preload: () => preload, residency: () => residency, requestReload: requestReloadFromPrimary },
  );
  // Reloads come from the primary (which gets SIGHUP); a stray SIGHUP must not end the worker.
  process.on('SIGHUP', () => app.log.debug('SIGHUP ignored in a worker: send it to the primary'));
  let closing = false;
  const grace = closeWithGrace({ delay: config.shutdownGrace + closeMarginMs, logger: app.log, skip: ['SIGHUP'] }, async ({ signal, err }) => {
    closing = true;
    if (err) app.log.error({ err }, 'closing after an uncaught error');
    else app.log.debug({ signal }, 'worker closing: idle connections now, answers in flight within the grace');
    await app.close();
  });
  attachWorker(app, {
    onPreload: (status) => (preload = status),
    onResidency: (status) => (residency = status),
    onShutdown: () => {
      if (closing) return;
      void grace.close();
    },
  });
  const address = await app.listen({ port: config.port, host: config.host });
  const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
  app.log.debug({ url }, 'worker listening');
  reportListening(url);
}

/** Before a preload starts (it waits for listening): `running` with nothing counted yet, or `off`. */
function pendingPreload(config: Config, total: number): PreloadStatus {
  return config.preload ? { state: 'running', bytes: 0, total, ms: 0 } : preloadOff;
}

/** The HTTP side (Fastify, zod, routes) is loaded only where it serves, never in a cluster primary (BENCHMARKS.md#code-choices-and-their-measurements). */
function loadApp(): Promise<typeof import('./app.js')> {
  return import('./app.js');
}
