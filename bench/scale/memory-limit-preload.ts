/**
 * --preload under a memory limit: a cold start in a new cgroup, the preload's log lines and the
 * residency (fincore, then by tenth of the file) until it ends, then one timed run with no warm-up.
 */
import { evict, residentBytes } from './cache.js';
import { startIn, stopServer } from './cgroup-server.js';
import { MemoryCgroup, type CgStats } from './memory-cgroup.js';
import { timedRun, type Timed } from './memory-limit-runs.js';
import { gib, log, parseLimit, sleep, thousands } from './memory-limit-settings.js';
import { readBytesOf, residentByTenth } from './server-probes.js';
import { sequencesOf } from './server.js';

export interface PreloadResult {
  limit: number;
  firstAnswerMs: number;
  lines: Array<[number, string]>;
  doneMs: number;
  samples: Array<{ ms: number; fincore: number; usage: number }>;
  residentEnd: number;
  byTenthEnd: number[];
  cgroupEnd: CgStats;
  /** Read from storage by the server by the end of the preload. */
  readBytes: number;
  after: Timed;
}

export async function preloadRun(limitText: string, file: string): Promise<PreloadResult> {
  const limit = parseLimit(limitText)!;
  const evictedWith = evict(file);
  log(`--preload under ${limitText}: evicted with ${evictedWith ?? 'NOTHING'}`);
  const cg = MemoryCgroup.create(`seqserve-bench-${process.pid}-preload`, limit);
  try {
    const s = await startIn(cg, ['--workers', '1', '--preload']);
    try {
      const samples: PreloadResult['samples'] = [];
      let doneMs = NaN;
      while (performance.now() - s.t0 < 300_000) {
        samples.push({ ms: performance.now() - s.t0, fincore: residentBytes(file), usage: cg.stats().usage });
        const done = s.messages.find(([, m]) => /^preload (done|stopped)/.test(m));
        if (done) {
          doneMs = done[0];
          break;
        }
        await sleep(500);
      }
      const cgroupEnd = cg.stats();
      const readBytes = readBytesOf(s.child.pid);
      const residentEnd = residentBytes(file);
      const byTenthEnd = residentByTenth(file);
      const lines = s.messages.filter(([, m]) => /preload/.test(m));
      for (const [ms, m] of lines) log(`  ${(ms / 1000).toFixed(1)} s: ${m}`);
      log(
        `  read ${gib(readBytes)} GiB from disk; resident at the end ${gib(residentEnd)} GiB; by tenth of the file: ${byTenthEnd.map((f) => `${Math.round(f * 100)}%`).join(' ')}; major faults ${thousands(cgroupEnd.pgmajfault)}, refaults ${thousands(cgroupEnd.refaultFile)}`,
      );
      const seqs = await sequencesOf(s.origin);
      const after = await timedRun(cg, s, seqs, 1, false, file, 7);
      return { limit, firstAnswerMs: s.firstAnswerMs, lines, doneMs, samples, residentEnd, byTenthEnd, cgroupEnd, readBytes, after };
    } finally {
      await stopServer(s);
    }
  } finally {
    await cg.remove();
  }
}
