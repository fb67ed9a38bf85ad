/**
 * `seqserve get DIR REGION...`: regions as FASTA on stdout, written by the very code that
 * answers POST /batch?format=fasta (RegionPlan + PlanWriter), so the bytes are the server's:
 * `>REGION` headers (`/rc` with -i), lines of --width bases, as samtools faidx writes them.
 * Streamed a slice at a time at the pace stdout drains, so a whole chromosome never sits in memory.
 */
import { pipeline } from 'node:stream/promises';
import { openAssemblies } from '../data/assemblies.js';
import { PlanStream } from '../batch/plan-stream.js';
import { RegionPlan, resolveRegionString } from '../batch/plan.js';
import { PlanWriter } from '../batch/write.js';
import { ProblemError } from '../core/errors.js';
import { ExitError } from './exit-error.js';
import { UsageError, type ParsedCommand } from './usage.js';

export async function getCommand({ values, positionals }: ParsedCommand): Promise<void> {
  const [dir, ...regions] = positionals as [string, ...string[]];
  const width = lineWidth(values.width);
  const reverse = values['reverse-complement'] === true;
  // stdout is the answer: whatever the catalog says (a .fai built) goes to stderr.
  const log = { info: (m: string) => console.error(m), warn: (m: string) => console.error(`warning: ${m}`) };
  const assemblies = openAssemblies(dir, log, { defaultAssembly: values.assembly as string | undefined });
  try {
    const store = assemblies.default.store;
    const plan = new RegionPlan(regions.length);
    for (const region of regions) {
      try {
        resolveRegionString(store, region, reverse, plan);
      } catch (e) {
        throw regionFailure(e, dir);
      }
    }
    const writer = new PlanWriter(store, plan, { format: 'fasta', width, case: 'as-is', mask: 'soft' });
    await pipeline(new PlanStream(writer), process.stdout).catch((e: NodeJS.ErrnoException) => {
      // The reader went away (| head): it has what it wanted.
      if (e.code !== 'EPIPE') throw e;
    });
  } finally {
    assemblies.close();
  }
}

/** --width: a whole number of bases per line, 0 for one line. */
function lineWidth(value: string | boolean | undefined): number {
  if (value === undefined) return 60;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value))
    throw new UsageError(`get: --width ${String(value)} must be a whole number of bases per line (0 = one line)`, 'get');
  return Number(value);
}

/** As the server's statuses: unknown sequence (404) and past the end (416) exit 1, malformed (400) exit 2. */
function regionFailure(e: unknown, dir: string): unknown {
  if (!(e instanceof ProblemError)) return e;
  const detail = e.detail.replace('GET /chrom lists the names', `seqserve info ${dir} lists them`);
  return new ExitError(`get: ${detail}`, e.status === 400 ? 2 : 1);
}
