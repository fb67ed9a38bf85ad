import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { openAssemblies } from './assemblies.js';
import type { Config } from './config.js';
import { createLogger } from './logger.js';

/**
 * Builds the app, listens, and closes gracefully on SIGTERM/SIGINT: stop accepting, let
 * in-flight requests finish, drop the mappings (onClose), exit 0.
 */
export async function serve(config: Config, notes: string[] = []): Promise<FastifyInstance> {
  const started = performance.now();
  const logger = createLogger(config);
  for (const note of notes) logger.info(note);
  const assemblies = openAssemblies(config.data, logger, { defaultAssembly: config.defaultAssembly });
  const app = await buildApp(config, { assemblies, logger });
  closeWithGrace({ delay: 10_000, logger: app.log }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an uncaught error');
    else app.log.info({ signal }, 'closing: finishing in-flight requests');
    await app.close();
  });
  const address = await app.listen({ port: config.port, host: config.host });
  const { sequences, bases } = assemblies.totals;
  const names = assemblies.list.map((a) => a.name);
  const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
  const ms = Math.round(performance.now() - started);
  const held = names.length > 1 ? ` in ${names.length} assemblies (${names.join(', ')}; default ${assemblies.default.name})` : '';
  app.log.info(
    { url, assemblies: names, sequences, bases, ms },
    `seqserve ready at ${url}: ${sequences} sequences, ${bases.toLocaleString('en-US')} bases${held}, started in ${ms} ms`,
  );
  return app;
}
