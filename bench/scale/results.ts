/** Everything the whole-genome bench measured, as JSON in bench/.tmp/scale-results.json. */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import * as proc from '../processes.js';
import type { Measurements } from './measure.js';
import type { BenchSetup } from './setup.js';
import { durationSec, log, lookups, resultsPath, size, starts } from './settings.js';
import { anonRatio, type Goal } from './targets.js';

export function writeResults(b: BenchSetup, m: Measurements, goals: Goal[]): void {
  const { help, genome, fileBytes, indexSec } = b;
  writeFileSync(
    resultsPath,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: {
          cores: cpus().length,
          memGiB: totalmem() / 2 ** 30,
          loadAverage: { start: b.loadAtStart, end: loadavg()[0] },
          pinning: proc.pinningDescription(),
        },
        settings: { size, durationSec, lookups, starts },
        cli: { workers: help.workers, preload: help.preload, prepare: help.prepare },
        genome: { ...genome.stamp, fileBytes, generatedSeconds: genome.generated ? genome.seconds : null, indexSeconds: indexSec ?? null },
        indexBuild: m.index,
        startup: { floorFirstAnswerMs: m.floorStart, runs: m.startups },
        memory: { single: m.bigMem, baseline: m.smallMem, cluster: m.clusterMem ?? null, anonRatio: anonRatio(m), pageCacheMiB: m.pageCacheMiB },
        cache: m.caches,
        prepare: m.prep,
        targets: goals,
      },
      null,
      2,
    )}\n`,
  );
  log(`results in ${resultsPath}`);
}
