/**
 * Before the measurements: the build, what the CLI offers (and so the modes to run it in), the
 * 3.1 Gbp genome (scripts/make-genome.ts, once) and the 64 Mbp bench genome (bench/genome.ts) as
 * the baseline, each with its .fai and refget sidecar (`seqserve index`, once), so that no digest
 * worker runs during the measurements.
 */
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { ensureScaleGenome } from '../../scripts/make-genome.js';
import { ensureGenome, type BenchGenome } from '../genome.js';
import * as proc from '../processes.js';
import { cliHelp, ensureIndexed, type Help, type Mode } from './seqserve.js';
import { genomeDir, log, root, size, smallDir } from './settings.js';
import { hasWrk } from './wrk.js';

export interface BenchSetup {
  startedAt: number;
  loadAtStart: number;
  help: Help;
  /** One process: the figure the targets speak of. */
  single: Mode;
  /** A 2-worker cluster (all on the server core), when the CLI has --workers. */
  cluster: Mode | undefined;
  modes: Mode[];
  genome: ReturnType<typeof ensureScaleGenome>;
  fasta: string;
  /** Seconds `seqserve index` took on the genome this run (undefined: already indexed). */
  indexSec: number | undefined;
  small: BenchGenome;
  fileBytes: number;
}

function modesOf(help: Help): { single: Mode; cluster: Mode | undefined; modes: Mode[] } {
  // One process is the figure the targets speak of; a 2-worker cluster (all on the server core) is the default's shape.
  const single: Mode = help.workers ? { label: '--workers 1', args: ['--workers', '1'] } : { label: 'one process', args: [] };
  const cluster: Mode | undefined = help.workers ? { label: '--workers 2', args: ['--workers', '2'] } : undefined;
  return { single, cluster, modes: cluster ? [single, cluster] : [single] };
}

export function setUp(): BenchSetup {
  proc.killChildrenOnExit();
  const startedAt = performance.now();
  const loadAtStart = loadavg()[0]!;
  if (!hasWrk) throw new Error('wrk is not installed (apt-get install wrk): it is the load generator of this bench');
  log('npm run build');
  proc.build(root);
  const help = cliHelp();
  log(
    `CLI: --workers ${help.workers ? 'available' : 'not available'}, --preload ${help.preload ? 'available' : 'not available'}, prepare ${help.prepare ? 'available' : 'not available'}`,
  );
  const { single, cluster, modes } = modesOf(help);

  const genome = ensureScaleGenome(genomeDir, size, false, log);
  const fasta = genome.path;
  const indexSec = ensureIndexed(genomeDir, ['genome.fa']);
  const small = ensureGenome(smallDir);
  ensureIndexed(smallDir, ['bench.fa']);
  const fileBytes = statSync(fasta).size;
  log(
    `genome: ${genome.stamp.sequences} sequences, ${genome.stamp.bases.toLocaleString('en-US')} bases, ${(fileBytes / 2 ** 30).toFixed(2)} GiB in one file${genome.generated ? `, generated in ${genome.seconds.toFixed(1)} s` : ''}`,
  );
  return { startedAt, loadAtStart, help, single, cluster, modes, genome, fasta, indexSec, small, fileBytes };
}
