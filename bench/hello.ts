/**
 * The framework floor: a plain Fastify 5 app with one synchronous route and no logger. seqserve's
 * single-base route cannot beat this, so its req/s is the yardstick the bench divides by.
 *
 * usage: node --import tsx bench/hello.ts PORT
 */
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 3000);
const app = Fastify({ logger: false });

app.get('/', (_request, reply) => {
  reply.header('content-type', 'text/plain').send('A');
});

await app.listen({ port, host: '127.0.0.1' });

// The parent kills us with SIGTERM; close so the port is free for the next run.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
