/**
 * GET /metrics with --workers 2, through the real CLI (src/http/cluster-metrics.ts): whichever worker
 * takes a scrape, it counts the answers of every worker exactly, again and again; shared gauges
 * are not multiplied by the workers; no series carries a pid; and counters do not go back when a
 * worker closes gracefully (its final counts are handed over) or is killed (its counts up to the
 * primary's last poll are kept).
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { freePort, getFresh, readyz, startCli, stop, type Served } from './helpers/cli-server.js';
import { removeDir, subDir, tempDir, writeFasta } from './helpers/fasta-fixtures.js';
import { key, parse, types, type Samples } from './helpers/prometheus-text.js';

const baseRoute = { route: '/chrom/:name/base/:offset', method: 'GET', status: '200' };
const chromRoute = { route: '/chrom/:name', method: 'GET', status: '200' };
/** The primary polls its workers every 5 s (src/http/cluster-metrics.ts); waited for with a wide margin. */
const pollWaitMs = 9000;

describe('GET /metrics with --workers 2', () => {
  let root: string;
  let data: string;
  let served: Served | undefined;
  /** What the tests asked for so far, by route: every scrape must count exactly these. */
  const made = { base: 0, chrom: 0, chromBytes: 0 };
  /** The pids of replacement workers seen in the log (which reads from its start). */
  const replacements = new Set<unknown>();

  before(async () => {
    root = tempDir('seqserve-metrics-workers-');
    data = subDir(root, 'data');
    writeFasta(data, 'g.fa', {
      seed: 11,
      lineWidth: 60,
      records: [
        { name: 'chr1', length: 20_000 },
        { name: 'chr2', length: 3000 },
      ],
    });
    served = await startCli(['--data', data, '--port', String(await freePort()), '--workers', '2']);
  });
  after(async () => {
    await stop(served);
    removeDir(root);
  });

  /** A scrape on a connection of its own: round robin gives consecutive scrapes to different workers. */
  async function scrape(): Promise<{ samples: Samples; text: string }> {
    const r = await getFresh(`${served!.url}/metrics`);
    const text = r.body.toString();
    assert.equal(r.status, 200, `/metrics status: ${text.slice(0, 300)}`);
    assert.equal(r.res.headers['content-type'], Registry.PROMETHEUS_CONTENT_TYPE, '/metrics content-type');
    return { samples: parse(text), text };
  }

  /**
   * `count` single bases (the fast path), then `count` sequence records (a Fastify route), each on
   * a fresh connection: round robin alternates the workers (not one route per worker, as
   * alternating the routes would).
   */
  async function requests(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const base = await getFresh(`${served!.url}/chrom/chr1/base/${i}`);
      assert.equal(base.status, 200, 'base status');
      made.base++;
    }
    for (let i = 0; i < count; i++) {
      const chrom = await getFresh(`${served!.url}/chrom/chr2`);
      assert.equal(chrom.status, 200, 'chrom status');
      made.chrom++;
      made.chromBytes += chrom.body.length;
    }
  }

  /** The pids in the access log lines whose URL starts with `url` (the log may trail the answers a little). */
  async function answeredBy(url: string, lines: number): Promise<Set<number>> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = served!
        .stdout()
        .split('\n')
        .filter((l) => l.includes(`"url":"${url}`));
      if (found.length >= lines || Date.now() > deadline) return new Set(found.map((l) => (JSON.parse(l) as { pid: number }).pid));
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  function assertExact(s: Samples, when: string): void {
    for (const [labels, n] of [
      [baseRoute, made.base],
      [chromRoute, made.chrom],
    ] as const) {
      assert.equal(s.get(key('seqserve_http_requests_total', labels)), n, `${when}: ${labels.route} requests_total is every worker's`);
      assert.equal(s.get(key('seqserve_http_request_duration_seconds_count', labels)), n, `${when}: ${labels.route} histogram _count`);
      assert.equal(s.get(key('seqserve_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })), n, `${when}: ${labels.route} +Inf bucket`);
    }
    assert.equal(s.get(key('seqserve_http_response_bytes_total', { route: baseRoute.route })), made.base, `${when}: one byte per base answer`);
    assert.equal(s.get(key('seqserve_http_response_bytes_total', { route: chromRoute.route })), made.chromBytes, `${when}: the record bytes`);
  }

  /** The pids of the workers alive now, by asking /readyz on fresh connections. */
  async function workerPids(): Promise<number[]> {
    const pids = new Set<number>();
    for (let i = 0; i < 40 && pids.size < 2; i++) pids.add((await readyz(served!.url)).pid);
    assert.equal(pids.size, 2, `two workers answer: ${[...pids].join(', ')}`);
    return [...pids];
  }

  /** Waits for the replacement of `victim` (the primary's "(replacement)" line naming another pid). */
  async function replaced(victim: number): Promise<void> {
    await served!.waitFor((l) => l.workerPid === victim && typeof l.msg === 'string' && l.msg.includes('died'), 20_000);
    const line = await served!.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('(replacement)') && !replacements.has(l.workerPid), 30_000);
    replacements.add(line.workerPid);
  }

  /** Every counter and histogram series of `before` is at least as high in `after`. */
  function assertNotLower(before: { samples: Samples; text: string }, after: Samples, when: string): void {
    const cumulative = [...types(before.text)].filter(([, t]) => t === 'counter' || t === 'histogram').map(([name]) => name);
    let compared = 0;
    for (const [k, v] of before.samples) {
      if (!cumulative.some((name) => k.startsWith(`${name}{`) || k.startsWith(`${name}_`))) continue;
      compared++;
      assert.ok((after.get(k) ?? 0) >= v, `${when}: ${k} went from ${v} to ${after.get(k)}`);
    }
    assert.ok(compared > 50, `counters and histograms compared (${compared})`);
  }

  it('counts the answers of every worker in every scrape, exactly', async () => {
    await requests(12);
    // Counting exactly N below proves nothing unless the answers came from both workers.
    const bases = await answeredBy('/chrom/chr1/base/', 12);
    assert.equal(bases.size, 2, `the base requests answered by both workers (access log pids: ${[...bases].join(', ')})`);
    assert.equal((await answeredBy('/chrom/chr2"', 12)).size, 2, 'the record requests answered by both workers');
    let scrapes = 0;
    let previous = 0;
    for (let i = 0; i < 4; i++) {
      const { samples } = await scrape();
      assertExact(samples, `scrape ${i + 1}`);
      // A scrape is counted once answered: the earlier ones of this test, at most.
      const own = samples.get(key('seqserve_http_requests_total', { route: '/metrics', method: 'GET', status: '200' })) ?? 0;
      assert.ok(
        own >= previous && own <= scrapes,
        `scrape ${i + 1}: /metrics counted ${own} of ${scrapes} earlier scrapes, not fewer than before (${previous})`,
      );
      previous = own;
      scrapes++;
    }
  });

  it('gives shared gauges once, not once per worker, and no pid label', async () => {
    const { samples } = await scrape();
    assert.equal(samples.get('seqserve_mapped_bytes{}'), statSync(join(data, 'g.fa')).size, 'seqserve_mapped_bytes is the FASTA size, as with one process');
    assert.equal(samples.get('seqserve_sequences{assembly="data"}'), 2, 'seqserve_sequences');
    assert.equal(samples.get('seqserve_bases{assembly="data"}'), 23_000, 'seqserve_bases');
    assert.equal(samples.get('seqserve_refget_digests_total{}'), 2, 'seqserve_refget_digests_total');
    const resident = samples.get('seqserve_page_cache_resident_bytes{}');
    assert.ok(resident !== undefined && resident <= statSync(join(data, 'g.fa')).size, `page cache residency within the mapped size (${resident})`);
    assert.equal(samples.get('seqserve_workers{}'), 2, 'seqserve_workers');
    assert.ok(samples.has('process_resident_memory_bytes{}') && samples.has('nodejs_eventloop_lag_seconds{}'), 'process metrics');
    const withPid = [...samples.keys()].filter((k) => k.includes('pid='));
    assert.deepEqual(withPid, [], 'no series carries a pid');
  });

  it('keeps the counts of a worker that closes gracefully (SIGTERM to the worker)', async () => {
    const before = await scrape();
    // Just before the close: most likely after the primary's last poll, so only the hand-over can carry them.
    await requests(6);
    const [victim] = await workerPids();
    process.kill(victim!, 'SIGTERM');
    await replaced(victim!);
    const { samples } = await scrape();
    assertExact(samples, 'after the graceful close');
    assertNotLower(before, samples, 'after the graceful close');
    assert.equal(samples.get('seqserve_workers{}'), 2, 'two workers again');
  });

  it('never goes back when a worker is killed (SIGKILL), and keeps its counts up to the last poll', async () => {
    const before = await scrape();
    await requests(6);
    // No scrape meanwhile: only the primary's periodic poll learns these counts before the kill.
    await new Promise((r) => setTimeout(r, pollWaitMs));
    const [victim] = await workerPids();
    process.kill(victim!, 'SIGKILL');
    await replaced(victim!);
    const { samples } = await scrape();
    assertNotLower(before, samples, 'after the kill');
    assertExact(samples, 'after the kill (counted by the poll)');
    // A second scrape, from the other worker most likely, agrees.
    assertExact((await scrape()).samples, 'after the kill, again');
  });
});
