/**
 * npm run bench:genome: whole-genome figures on an hg38-sized genome (issue 5).
 *
 * 1. build dist/; generate the 3.1 Gbp genome (scripts/make-genome.ts, into the git-ignored
 *    bench/.tmp/scale/genome/, once) and the 64 Mbp bench genome (bench/genome.ts) as the
 *    baseline, each with its .fai and refget sidecar (`seqserve index`, once), so that no
 *    digest worker runs during the measurements (setup.ts);
 * 2. index build without a .fai: seqserve (server start on a symlink, its "built index" log
 *    line) vs `samtools faidx` (on another symlink), same warm file, same core (index-build.ts);
 * 3. startup with the .fai: spawn → "ready" log line and spawn → first HTTP 200, median of N
 *    (startup.ts);
 * 4. RSS / RssAnon after startup and after 1 M random single-base lookups (wrk), 3.1 Gbp vs
 *    64 Mbp (lookups.ts);
 * 5. random single bases with a cold page cache, then warm (after reading the file once), then
 *    with --preload if the CLI has it (lookups.ts);
 * 6. `seqserve prepare` if the CLI has it: 10 kbp and 1 Mbp ranges, wrapped FASTA vs prepared
 *    (prepare-ranges.ts);
 * 7. markdown on stdout (progress on stderr; report.ts, targets.ts), JSON in
 *    bench/.tmp/scale-results.json (results.ts).
 *
 * Environment: SCALE_SIZE (bases, default 3.1e9), SCALE_DURATION (seconds per throughput run,
 * default 10), SCALE_LOOKUPS (default 1000000), SCALE_STARTS (default 5); see settings.ts.
 */
import { readFileSync } from 'node:fs';
import * as proc from '../processes.js';
import { measure } from './measure.js';
import { reportMarkdown } from './report.js';
import { writeResults } from './results.js';
import { setUp } from './setup.js';
import { log } from './settings.js';
import { goalsOf } from './targets.js';

/** Leftovers would falsify the next run. tsx's esbuild service is ours and ends with us. */
function checkLeftovers(): void {
  const leftovers = proc.descendantsOf(process.pid).filter((pid) => {
    try {
      return !readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('esbuild');
    } catch {
      return false;
    }
  });
  if (leftovers.length) log(`WARNING: child processes still running: ${leftovers.join(', ')}`);
  else log('no server or load generator left running');
}

async function main(): Promise<void> {
  const setup = setUp();
  const measured = await measure(setup);
  const goals = goalsOf(setup, measured);
  console.log(reportMarkdown(setup, measured, goals).join('\n'));
  writeResults(setup, measured, goals);
  checkLeftovers();
}

main().catch((e: unknown) => {
  console.error(`scale: ${e instanceof Error ? (e.stack ?? String(e)) : String(e)}`);
  process.exit(1);
});
