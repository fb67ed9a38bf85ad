/**
 * The whole-genome bench's targets, PASS or MISS: startup with an existing .fai, anonymous memory
 * (bounded, and independent of genome size), no errors under load, a .fai identical to
 * samtools's. Also what this run could not measure.
 */
import { fixed, median, thousands } from './format.js';
import { startupOf, type Measurements } from './measure.js';
import type { BenchSetup } from './setup.js';
import { ANON_INDEPENDENCE, ANON_TARGET_MIB, lookups, STARTUP_TARGET_MS } from './settings.js';
import { errorCount } from './wrk.js';

export interface Goal {
  name: string;
  pass: boolean | undefined;
  detail: string;
}

/** The genome's RssAnon after the lookups over the baseline's (one process). */
export function anonRatio(m: Measurements): number {
  return m.bigMem.afterLookups.total.anonMiB / m.smallMem.afterLookups.total.anonMiB;
}

function startupGoals(b: BenchSetup, m: Measurements): Goal[] {
  const bigSingle = startupOf(m, b.single.label, 'big');
  const goals: Goal[] = [
    {
      name: `startup with an existing .fai ≤ ${STARTUP_TARGET_MS} ms (${b.single.label}, spawn → first HTTP 200, median)`,
      pass: median(bigSingle.firstAnswerMs) <= STARTUP_TARGET_MS,
      detail: `${fixed(median(bigSingle.firstAnswerMs))} ms (ready line ${fixed(median(bigSingle.readyMs))} ms; server's own ${fixed(median(bigSingle.selfReportedMs))} ms)`,
    },
  ];
  if (b.cluster) {
    const c = startupOf(m, b.cluster.label, 'big');
    goals.push({
      name: `startup with an existing .fai ≤ ${STARTUP_TARGET_MS} ms (${b.cluster.label}, spawn → first HTTP 200, median)`,
      pass: median(c.firstAnswerMs) <= STARTUP_TARGET_MS,
      detail: `${fixed(median(c.firstAnswerMs))} ms`,
    });
  }
  return goals;
}

function memoryGoals(b: BenchSetup, m: Measurements): Goal[] {
  const gbp = (b.genome.stamp.bases / 1e9).toFixed(2);
  const { bigMem, smallMem, clusterMem } = m;
  const goals: Goal[] = [
    {
      name: `RssAnon ≤ ${ANON_TARGET_MIB} MiB after ${thousands(lookups)} lookups on ${gbp} Gbp (${b.single.label})`,
      pass: bigMem.afterLookups.total.anonMiB <= ANON_TARGET_MIB,
      detail: `${fixed(bigMem.afterLookups.total.anonMiB, 1)} MiB`,
    },
    {
      name: `RssAnon independent of genome size (${gbp} Gbp ≤ ${ANON_INDEPENDENCE} × 64 Mbp after the lookups)`,
      pass: anonRatio(m) <= ANON_INDEPENDENCE,
      detail: `${fixed(bigMem.afterLookups.total.anonMiB, 1)} vs ${fixed(smallMem.afterLookups.total.anonMiB, 1)} MiB: ${fixed(anonRatio(m), 2)} ×`,
    },
  ];
  if (clusterMem) {
    goals.push({
      name: `RssAnon ≤ ${ANON_TARGET_MIB} MiB per process (${clusterMem.mode}, after the lookups)`,
      pass: clusterMem.afterLookups.largest.anonMiB <= ANON_TARGET_MIB,
      detail: `largest ${fixed(clusterMem.afterLookups.largest.anonMiB, 1)} MiB, all ${fixed(clusterMem.afterLookups.total.anonMiB, 1)} MiB in ${clusterMem.afterLookups.processes} processes`,
    });
  }
  return goals;
}

export function goalsOf(b: BenchSetup, m: Measurements): Goal[] {
  const allRuns = [
    m.smallMem.lookups,
    m.bigMem.lookups,
    m.clusterMem?.lookups,
    ...m.caches.flatMap((c) => c.rows.map((row) => row.result)),
    ...m.prep.rows.flatMap((row) => [row.fasta, row.prepared]),
  ];
  return [
    ...startupGoals(b, m),
    ...memoryGoals(b, m),
    { name: 'no errors or non-2xx in any load run', pass: allRuns.every((x) => x === undefined || errorCount(x) === 0), detail: '' },
    { name: 'seqserve .fai byte-identical to samtools faidx', pass: m.index.identical, detail: '' },
  ];
}

/** What this run could not measure, and why. */
export function notMeasured(b: BenchSetup, m: Measurements): string[] {
  return [
    ...(b.help.workers ? [] : ['--workers (not in the CLI yet)']),
    ...(b.help.preload ? [] : ['--preload (not in the CLI yet)']),
    ...(b.help.prepare ? [] : ['`seqserve prepare` and its speed-up over wrapped FASTA for 10 kbp / 1 Mbp ranges (no prepare command in the CLI yet)']),
    ...(m.caches.every((c) => c.evictedWith) ? [] : ['a really cold page cache (eviction failed)']),
  ];
}
