/**
 * The whole-genome bench's report, markdown for stdout: the machine and genome, then one section
 * per measurement (index build, startup, memory, cold vs warm page cache, prepare) and the
 * targets.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import * as proc from '../processes.js';
import { fixed, median, pct, thousands } from './format.js';
import type { MemoryRun } from './lookups.js';
import { startupOf, type Measurements } from './measure.js';
import type { BenchSetup } from './setup.js';
import { durationSec, lookups, starts } from './settings.js';
import { notMeasured, type Goal } from './targets.js';
import { errorCount } from './wrk.js';

const gbpOf = (b: BenchSetup) => (b.genome.stamp.bases / 1e9).toFixed(2);

function headerSection(b: BenchSetup, m: Measurements): string[] {
  const { genome, fileBytes, indexSec } = b;
  return [
    `## Whole-genome bench (\`npm run bench:genome\`)`,
    '',
    `${new Date().toISOString()}; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${b.loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end; ${proc.pinningDescription()}; load generator: wrk, 1 thread, 50 connections unless said, a new random position per request, uniform over the genome's bases (Lua, seeded).`,
    '',
    `Genome: ${genome.stamp.sequences} sequences (24 chromosomes + chrM + ${genome.stamp.sequences - 25} small contigs), ${genome.stamp.bases.toLocaleString('en-US')} bases, one 60-column FASTA of ${(fileBytes / 2 ** 30).toFixed(2)} GiB (scripts/make-genome.ts${genome.generated ? `, generated in ${genome.seconds.toFixed(1)} s this run` : ', already there'}${indexSec !== undefined ? `; \`seqserve index\` ${indexSec.toFixed(1)} s` : ''}). Baseline: the 64 Mbp bench genome (bench/genome.ts: ${m.smallMem.sequences} sequences, ${b.small.length.toLocaleString('en-US')} bases as FASTA and as raw), same run.`,
    '',
  ];
}

function indexSection(b: BenchSetup, m: Measurements): string[] {
  const { index } = m;
  return [
    '### Index build without a .fai (page cache warm)',
    '',
    '| tool | time | × samtools |',
    '|---|--:|--:|',
    `| samtools faidx | ${fixed(index.samtoolsMs / 1000, 2)} s | 1.00 |`,
    `| seqserve index build (its log line) | ${fixed((index.seqserveBuildMs ?? NaN) / 1000, 2)} s | ${fixed((index.seqserveBuildMs ?? NaN) / index.samtoolsMs, 2)} |`,
    `| seqserve spawn → ready, build included (${b.single.label}) | ${fixed(index.seqserveReadyMs / 1000, 2)} s | ${fixed(index.seqserveReadyMs / index.samtoolsMs, 2)} |`,
    '',
    `The two .fai files are ${index.identical ? 'byte-identical' : '**different**'}. File ${pct(index.residentBefore)} resident before the builds; both pinned to core ${proc.SERVER_CORES}.`,
    '',
  ];
}

function startupSection(b: BenchSetup, m: Measurements): string[] {
  const gbp = gbpOf(b);
  const md = [`### Startup with an existing .fai (median of ${starts})`, ''];
  md.push('| server | genome | spawn → "ready" log line | spawn → first HTTP 200 | server\'s own "started in" |', '|---|---|--:|--:|--:|');
  for (const mode of b.modes) {
    const big = startupOf(m, mode.label, 'big');
    const base = startupOf(m, mode.label, 'small');
    md.push(
      `| ${mode.label} | ${gbp} Gbp, ${m.bigMem.sequences} sequences | ${fixed(median(big.readyMs))} ms | ${fixed(median(big.firstAnswerMs))} ms | ${fixed(median(big.selfReportedMs))} ms |`,
    );
    md.push(
      `| ${mode.label} | 64 Mbp baseline | ${fixed(median(base.readyMs))} ms | ${fixed(median(base.firstAnswerMs))} ms | ${fixed(median(base.selfReportedMs))} ms |`,
    );
    md.push(
      `| ${mode.label} | ratio | ${fixed(median(big.readyMs) / median(base.readyMs), 2)} × | ${fixed(median(big.firstAnswerMs) / median(base.firstAnswerMs), 2)} × | ${fixed(median(big.selfReportedMs) / median(base.selfReportedMs), 2)} × |`,
    );
  }
  md.push(`| floor | \`node -e\` http hello-world, same core | | ${fixed(median(m.floorStart))} ms | |`);
  md.push(
    '',
    `Spawn times include starting Node itself: the floor row is a bare Node http server spawned and polled the same way (the ${gbp} Gbp single-process start is ${fixed(median(startupOf(m, b.single.label, 'big').firstAnswerMs) / median(m.floorStart), 2)} × the floor).`,
    '',
  );
  return md;
}

const memRow = (m: MemoryRun, label: string) =>
  `| ${m.mode} | ${label} | ${m.afterLookups.processes} | ${fixed(m.afterStart.total.rssMiB)} | ${fixed(m.afterStart.total.anonMiB)} | ${fixed(m.afterLookups.total.rssMiB)} | ${fixed(m.afterLookups.total.anonMiB)} | ${fixed(m.afterLookups.total.fileMiB)} | ${thousands(m.lookups.requests)}, ${thousands(m.lookups.requestsPerSec)}/s, ${m.lookups.p99Ms.toFixed(1)} ms${errorCount(m.lookups) ? ` (${errorCount(m.lookups)} errors)` : ''} |`;

function memorySection(b: BenchSetup, m: Measurements): string[] {
  const gbp = gbpOf(b);
  const { bigMem, smallMem, clusterMem } = m;
  const md = [`### Memory (MiB, /proc/PID/status), after startup and after ${thousands(lookups)} random single-base lookups`, ''];
  md.push(
    '| server | genome | processes | RSS start | RssAnon start | RSS after | RssAnon after | RssFile after | lookups: count, req/s, p99 |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  );
  md.push(memRow(bigMem, `${gbp} Gbp`), memRow(smallMem, '64 Mbp baseline'));
  const r = (a: number, c: number) => `${fixed(a / c, 2)} ×`;
  md.push(
    `| ${b.single.label} | ratio | | ${r(bigMem.afterStart.total.rssMiB, smallMem.afterStart.total.rssMiB)} | ${r(bigMem.afterStart.total.anonMiB, smallMem.afterStart.total.anonMiB)} | ${r(bigMem.afterLookups.total.rssMiB, smallMem.afterLookups.total.rssMiB)} | ${r(bigMem.afterLookups.total.anonMiB, smallMem.afterLookups.total.anonMiB)} | ${r(bigMem.afterLookups.total.fileMiB, smallMem.afterLookups.total.fileMiB)} | |`,
  );
  if (clusterMem) {
    md.push(memRow(clusterMem, `${gbp} Gbp (sum of all processes)`));
    md.push(
      `| ${clusterMem.mode} | ${gbp} Gbp, each process | | ${clusterMem.afterStart.each.map((x) => fixed(x.rssMiB)).join(' / ')} | ${clusterMem.afterStart.each.map((x) => fixed(x.anonMiB)).join(' / ')} | ${clusterMem.afterLookups.each.map((x) => fixed(x.rssMiB)).join(' / ')} | ${clusterMem.afterLookups.each.map((x) => fixed(x.anonMiB)).join(' / ')} | ${clusterMem.afterLookups.each.map((x) => fixed(x.fileMiB)).join(' / ')} | |`,
    );
  }
  md.push(
    '',
    `RssFile counts the genome pages a process has mapped and touched: they are the kernel's page cache, shared between processes (the genome file had ${fixed(m.pageCacheMiB)} MiB in the page cache after these runs, per fincore), not memory of the server's own.`,
    '',
  );
  return md;
}

function cacheSection(m: Measurements): string[] {
  const md = ['### Random single bases: cold vs warm page cache', ''];
  md.push(
    `Eviction: ${m.caches[0]?.evictedWith ?? '**no method got the file out of the page cache**'}; residency from fincore. ${durationSec} s per row; the cold and warm rows are one server, started after the eviction.`,
    '',
  );
  md.push(
    '| server | page cache | resident at start | req/s | p50 ms | p99 ms | errors | resident after | × cold req/s | note |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|---|',
  );
  for (const c of m.caches) {
    const coldRps = c.rows[0]?.result?.requestsPerSec ?? NaN;
    for (const row of c.rows) {
      const x = row.result;
      md.push(
        `| ${row.mode} | ${row.state} | ${pct(row.residentAtStart)} | ${thousands(x?.requestsPerSec)} | ${fixed(x?.p50Ms, 2)} | ${fixed(x?.p99Ms, 1)} | ${x ? errorCount(x) : 'n/a'} | ${pct(row.residentAfter)} | ${fixed((x?.requestsPerSec ?? NaN) / coldRps, 2)} | ${row.note} |`,
      );
    }
  }
  md.push('');
  return md;
}

function prepareSection(b: BenchSetup, m: Measurements): string[] {
  const { prep } = m;
  const md = [`### \`seqserve prepare\`: wrapped FASTA vs prepared files (warm, ${b.single.label})`, ''];
  if (!prep.available || prep.rows.length === 0) {
    md.push(`${prep.seconds !== undefined ? `prepare took ${prep.seconds.toFixed(1)} s; ` : ''}${prep.note}`, '');
    return md;
  }
  md.push(`prepare: ${prep.seconds!.toFixed(1)} s, ${(prep.outputBytes! / 2 ** 30).toFixed(2)} GiB written. ${durationSec} s per cell.`, '');
  md.push('| range | conns | FASTA req/s | prepared req/s | × FASTA | FASTA p99 ms | prepared p99 ms |', '|---|--:|--:|--:|--:|--:|--:|');
  for (const row of prep.rows) {
    md.push(
      `| ${row.span.toLocaleString('en-US')} bp | ${row.connections} | ${thousands(row.fasta.requestsPerSec)} | ${thousands(row.prepared.requestsPerSec)} | ${fixed(row.prepared.requestsPerSec / row.fasta.requestsPerSec, 2)} | ${fixed(row.fasta.p99Ms, 1)} | ${fixed(row.prepared.p99Ms, 1)} |`,
    );
  }
  md.push('');
  return md;
}

function targetsSection(b: BenchSetup, m: Measurements, goals: Goal[]): string[] {
  const md = ['### Targets', ''];
  for (const g of goals) md.push(`- ${g.pass === undefined ? 'N/A' : g.pass ? 'PASS' : 'MISS'}: ${g.name}${g.detail ? ` — ${g.detail}` : ''}`);
  const missing = notMeasured(b, m);
  if (missing.length) md.push('', `Not measured this run: ${missing.join('; ')}.`);
  md.push(
    '',
    `Total bench time ${((performance.now() - b.startedAt) / 1000).toFixed(0)} s. Figures on a shared machine are noisy: compare the ratios within one run.`,
  );
  return md;
}

/** The whole report, one line an element. */
export function reportMarkdown(b: BenchSetup, m: Measurements, goals: Goal[]): string[] {
  return [
    ...headerSection(b, m),
    ...indexSection(b, m),
    ...startupSection(b, m),
    ...memorySection(b, m),
    ...cacheSection(m),
    ...prepareSection(b, m),
    ...targetsSection(b, m, goals),
  ];
}
