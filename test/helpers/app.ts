import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { parseConfig, type Config } from '../../src/data/config.js';

/**
 * The real app on a data folder (real catalog, real mappings), logs silenced. Refget digests
 * are only computed in the background where a test asks for it ({ digests: true }): hashing
 * every fixture would compete with every other test for the machine's two cores. The
 * event-loop-delay guard is off unless a test sets it: thousands of app.inject calls chained on
 * promises keep the loop from turning, which the guard would rightly call overload (503).
 */
export async function testApp(data: string, overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  return buildApp(parseConfig({ data, logLevel: 'silent', accessLog: false, digests: false, maxEventLoopDelay: 0, ...overrides }));
}

/** The real app listening on a loopback port, for tests where the byte stream matters. */
export async function listeningApp(data: string, overrides: Partial<Config> = {}): Promise<{ app: FastifyInstance; url: string }> {
  const app = await testApp(data, overrides);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}
