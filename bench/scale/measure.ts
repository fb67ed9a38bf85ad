/**
 * The measurements of the whole-genome bench, in order: index build, startup (with the floor),
 * memory under random lookups, cold vs warm page cache, and prepared files vs wrapped FASTA.
 */
import { readThrough, residentFraction } from './cache.js';
import { indexBuild, type IndexBuild } from './index-build.js';
import { coldWarm, memoryRun, type ColdWarm, type MemoryRun } from './lookups.js';
import { prepare, type Prepare } from './prepare-ranges.js';
import type { BenchSetup } from './setup.js';
import { genomeDir, log, smallDir, starts } from './settings.js';
import { floorStartup, startup, type Startup } from './startup.js';

/** The startups of one folder in one mode. */
interface LabelledStartup {
  label: string;
  genome: string;
  s: Startup;
}

export interface Measurements {
  index: IndexBuild;
  floorStart: number[];
  startups: LabelledStartup[];
  smallMem: MemoryRun;
  bigMem: MemoryRun;
  clusterMem: MemoryRun | undefined;
  /** The genome's pages in the page cache after the memory runs. */
  pageCacheMiB: number;
  caches: ColdWarm[];
  prep: Prepare;
}

/** The startups of the genome ('big') or the baseline ('small') in the mode labelled `label`. */
export function startupOf(m: Measurements, label: string, genome: 'big' | 'small'): Startup {
  return m.startups.find((x) => x.label === label && x.genome === genome)!.s;
}

async function startups(b: BenchSetup): Promise<{ floorStart: number[]; startups: LabelledStartup[] }> {
  log(`startup with an existing .fai, ${starts} starts each`);
  const floorStart = await floorStartup();
  const out: LabelledStartup[] = [];
  for (const mode of b.modes) {
    const [big, base] = await startup([genomeDir, smallDir], mode);
    out.push({ label: mode.label, genome: 'big', s: big! }, { label: mode.label, genome: 'small', s: base! });
  }
  return { floorStart, startups: out };
}

export async function measure(b: BenchSetup): Promise<Measurements> {
  const index = await indexBuild(b.fasta, b.single);
  const { floorStart, startups: labelled } = await startups(b);

  // Warm for the memory runs: the page cache is not what they measure.
  readThrough(b.fasta);
  const gbp = `${(b.genome.stamp.bases / 1e9).toFixed(1)} Gbp genome`;
  const smallMem = await memoryRun('64 Mbp genome', smallDir, b.single);
  const bigMem = await memoryRun(gbp, genomeDir, b.single);
  const clusterMem = b.cluster ? await memoryRun(gbp, genomeDir, b.cluster) : undefined;
  const pageCacheMiB = (residentFraction(b.fasta) * b.fileBytes) / 2 ** 20;

  const caches: ColdWarm[] = [];
  for (const mode of b.modes) caches.push(await coldWarm(b.fasta, b.help, mode));
  const prep = await prepare(b.fasta, b.help, b.single);
  return { index, floorStart, startups: labelled, smallMem, bigMem, clusterMem, pageCacheMiB, caches, prep };
}
