/**
 * autocannon as the load generator, in its own process (which the bench pins to its own core):
 * used where wrk is not installed, and for fixed-rate runs (`overallRate`), which wrk cannot do.
 * A single autocannon process saturates its own core near 50k req/s: above that it measures
 * itself, not the server.
 *
 * usage: node --import tsx bench/load.ts JOB.json   → one LoadResult as JSON on stdout
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import type { LoadJob, LoadResult } from './traffic.js';

interface Run {
  r: autocannon.Result;
  firstAnswersMs?: number;
  checked: number;
  wrong: number;
}

/**
 * The request list is given whole (autocannon cycles through it on every connection): a
 * per-request `setupRequest` makes autocannon serialise every request anew, which capped it
 * near 30k req/s. Requests with `expect` have their answers compared as they arrive.
 */
function cannon(job: LoadJob, durationSec: number): Promise<Run> {
  const counts = { answered: 0, checked: 0, wrong: 0, firstAnswersMs: undefined as number | undefined };
  const started = performance.now();
  const check = (expect: string) => (status: number, body: string) => {
    counts.checked++;
    if (status !== 200 || body !== expect) counts.wrong++;
  };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.origin,
        connections: job.connections,
        pipelining: 1,
        duration: durationSec,
        timeout: 10,
        ...(job.rate !== undefined ? { overallRate: job.rate } : {}),
        requests: job.requests.map((r) => ({
          method: 'GET' as const,
          path: r.path,
          ...(r.headers ? { headers: r.headers } : {}),
          ...(r.expect !== undefined ? { onResponse: check(r.expect) } : {}),
        })),
      },
      (err: Error | null, r: autocannon.Result) => (err ? reject(err) : resolve({ r, ...counts })),
    );
    instance.on('response', () => {
      if (++counts.answered === job.firstAnswers) counts.firstAnswersMs = performance.now() - started;
    });
  });
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as LoadJob;
  // Warm-up: JIT both sides and fault in the mapped pages the run will touch.
  const warmup = job.warmupSec > 0 ? (await cannon(job, job.warmupSec)).r : undefined;
  const { r, firstAnswersMs, checked, wrong } = await cannon(job, job.durationSec);
  const result: LoadResult = {
    tool: job.rate !== undefined ? `autocannon (overallRate ${Math.round(job.rate)} req/s)` : 'autocannon',
    requestsPerSec: r.requests.average,
    bytesPerSec: r.throughput.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    total: r.requests.total,
    warmupTotal: warmup?.requests.total ?? 0,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    ...(firstAnswersMs !== undefined ? { firstAnswersMs } : {}),
    ...(checked > 0 ? { checked, wrong } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  console.error(`load: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
