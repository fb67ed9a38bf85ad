/**
 * samtools faidx as a second, independent oracle. It always runs on a COPY of the FASTA in a
 * folder of its own, so its .fai never mixes with the one the server writes beside the original.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

let available: boolean | undefined;

/** True when a samtools binary answers on PATH. */
export function hasSamtools(): boolean {
  if (available === undefined) {
    const r = spawnSync('samtools', ['--version'], { encoding: 'utf8' });
    available = r.status === 0 && /^samtools \d/.test(r.stdout);
  }
  return available;
}

/** A 0-based, half-open region [start, end) of a named sequence; start < end. */
export interface Region {
  name: string;
  start: number;
  end: number;
}

/** A copy of a FASTA file in a folder of its own, for samtools to index and read. */
export class SamtoolsCopy {
  readonly dir: string;
  readonly fasta: string;

  constructor(source: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'seqserve-samtools-'));
    this.fasta = join(this.dir, basename(source));
    copyFileSync(source, this.fasta);
  }

  /** The .fai samtools writes for this copy (built on first use), as bytes. */
  fai(): Buffer {
    const fai = `${this.fasta}.fai`;
    if (!existsSync(fai)) execFileSync('samtools', ['faidx', this.fasta], { stdio: ['ignore', 'ignore', 'pipe'] });
    return readFileSync(fai);
  }

  /**
   * The bases of each region, in order (reverse complements with reverse), from ONE samtools call:
   * regions go through a region file (-r), written 1-based inclusive as name:S+1-E.
   */
  faidx(regions: readonly Region[], options: { reverse?: boolean } = {}): string[] {
    if (regions.length === 0) return [];
    this.fai();
    const regionFile = join(this.dir, `regions-${process.pid}-${Date.now()}.txt`);
    const wanted = regions.map((r) => {
      if (!(r.start >= 0 && r.end > r.start)) throw new Error(`samtools cannot fetch empty region ${r.name}:[${r.start},${r.end})`);
      if (/[:,\s]/.test(r.name)) throw new Error(`name ${JSON.stringify(r.name)} would need {name} region syntax; avoid it`);
      return `${r.name}:${r.start + 1}-${r.end}`;
    });
    writeFileSync(regionFile, wanted.join('\n') + '\n');
    // -n: line length of the output; 0 is rejected by samtools 1.16 ("bad line length"), so ask
    // for lines longer than any answer. The parser joins lines anyway.
    const args = ['faidx', '-n', '1000000000', '-r', regionFile];
    if (options.reverse) args.push('-i', '--mark-strand', 'no');
    args.push(this.fasta);
    const out = execFileSync('samtools', args, { encoding: 'latin1', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
    rmSync(regionFile, { force: true });
    const answers = parseFastaOutput(out);
    if (answers.length !== regions.length) {
      throw new Error(`samtools faidx answered ${answers.length} regions for ${regions.length} asked`);
    }
    return answers.map((a, i) => {
      if (a.header !== wanted[i]) throw new Error(`samtools answer ${i} is for ${a.header}, expected ${wanted[i]}`);
      return a.sequence;
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** samtools faidx FILE region... [-i] for regions of one FASTA, run on a throwaway copy of it. */
export function samtoolsFaidx(fasta: string, regions: readonly Region[], options: { reverse?: boolean } = {}): string[] {
  const copy = new SamtoolsCopy(fasta);
  try {
    return copy.faidx(regions, options);
  } finally {
    copy.remove();
  }
}

/** The .fai samtools writes for a copy of this FASTA, as bytes. */
export function samtoolsFai(fasta: string): Buffer {
  const copy = new SamtoolsCopy(fasta);
  try {
    return copy.fai();
  } finally {
    copy.remove();
  }
}

function parseFastaOutput(out: string): { header: string; sequence: string }[] {
  const answers: { header: string; sequence: string[] }[] = [];
  for (const line of out.split('\n')) {
    if (line.startsWith('>')) answers.push({ header: line.slice(1), sequence: [] });
    else if (line.length > 0) answers[answers.length - 1]!.sequence.push(line);
  }
  return answers.map((a) => ({ header: a.header, sequence: a.sequence.join('') }));
}
