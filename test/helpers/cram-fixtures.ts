/**
 * Fixtures for test/cram.test.ts: a seeded reference FASTA (per-record line widths, soft-masked
 * stretches, N runs, a few IUPAC codes), seeded reads from it as SAM text, an async samtools
 * runner that takes an environment, and the refget MD5 computed here (never by the server).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng, randInt, randomBases } from './fasta-fixtures.js';

export interface RefRecord {
  name: string;
  /** As written to the FASTA (case kept). */
  sequence: string;
  lineWidth: number;
}

export interface Reference {
  path: string;
  records: RefRecord[];
}

/** The refget / SAM @SQ M5 digest: MD5 of the sequence upper-cased (no whitespace in ours). */
export function md5Upper(sequence: string): string {
  return createHash('md5').update(sequence.toUpperCase(), 'latin1').digest('hex');
}

const AMBIGUOUS = 'RYKMSWBDHV';

/**
 * One FASTA file whose records have their own line widths (60, and 80 for one of them), so the
 * server's index has more than one layout. A handful of IUPAC codes are sprinkled over the
 * ACGT/N bases, as real assemblies have, so the CRAM holds reads over ambiguous reference bases.
 */
export function writeReference(dir: string, fileName: string, seed: number): Reference {
  const rng = prng(seed);
  const specs = [
    { name: 'chr1', length: 72_000, lineWidth: 60 },
    { name: 'chr2', length: 45_317, lineWidth: 60 },
    { name: 'chrM', length: 16_569, lineWidth: 80 },
    { name: 'small', length: 2_501, lineWidth: 60 },
  ];
  const records: RefRecord[] = [];
  const lines: string[] = [];
  for (const spec of specs) {
    // N runs placed here rather than by randomBases' nRuns, which would make a third of these
    // short sequences N: a few assembly gaps, one of them lowercase.
    const bases = randomBases(rng, spec.length, { lowercase: true }).split('');
    for (let k = 0; k < 4; k++) {
      const at = randInt(rng, 0, bases.length - 1);
      const run = randInt(rng, 1, 300);
      for (let j = at; j < Math.min(bases.length, at + run); j++) bases[j] = k === 0 ? 'n' : 'N';
    }
    for (let k = 0; k < 12; k++) {
      const at = randInt(rng, 0, bases.length - 1);
      const code = AMBIGUOUS[randInt(rng, 0, AMBIGUOUS.length - 1)]!;
      bases[at] = bases[at] === bases[at]!.toLowerCase() ? code.toLowerCase() : code;
    }
    const sequence = bases.join('');
    records.push({ name: spec.name, sequence, lineWidth: spec.lineWidth });
    lines.push(`>${spec.name} generated for the CRAM test`);
    for (let i = 0; i < sequence.length; i += spec.lineWidth) lines.push(sequence.slice(i, i + spec.lineWidth));
  }
  const path = join(dir, fileName);
  writeFileSync(path, lines.join('\n') + '\n', 'latin1');
  return { path, records };
}

export interface Read {
  qname: string;
  flag: number;
  rname: string;
  /** 1-based leftmost mapped position, as in SAM. */
  pos: number;
  mapq: number;
  cigar: string;
  /** Bases on the forward strand of the reference, as SAM holds them. */
  seq: string;
  qual: string;
}

const ACGT = 'ACGT';

/**
 * Reads drawn from the reference: soft clips at either end, mismatches, insertions and
 * deletions, both strands, Phred qualities. SEQ copies the upper-cased reference (N and IUPAC
 * codes included) where the CIGAR says M, so CRAM stores most bases as "same as reference".
 */
export function generateReads(reference: Reference, perSequence: number, seed: number): Read[] {
  const rng = prng(seed);
  const reads: Read[] = [];
  for (const rec of reference.records) {
    const ref = rec.sequence.toUpperCase();
    const count = rec.sequence.length < 10_000 ? Math.ceil(perSequence / 10) : perSequence;
    for (let i = 0; i < count; i++) {
      // The CIGAR first (as [op, length] pairs), then a position where its reference span fits.
      const ops: [string, number][] = [];
      if (rng() < 0.15) ops.push(['S', randInt(rng, 1, 20)]);
      const blocks = randInt(rng, 1, 4);
      for (let b = 0; b < blocks; b++) {
        if (b > 0) ops.push([rng() < 0.5 ? 'I' : 'D', randInt(rng, 1, 6)]);
        ops.push(['M', randInt(rng, 15, 60)]);
      }
      if (rng() < 0.15) ops.push(['S', randInt(rng, 1, 20)]);
      const span = ops.reduce((n, [op, len]) => (op === 'M' || op === 'D' ? n + len : n), 0);
      const start = randInt(rng, 0, ref.length - span);
      let seq = '';
      let at = start;
      for (const [op, len] of ops) {
        if (op === 'S' || op === 'I') {
          for (let k = 0; k < len; k++) seq += ACGT[randInt(rng, 0, 3)];
        } else if (op === 'D') {
          at += len;
        } else {
          for (let k = 0; k < len; k++, at++) {
            const base = ref[at]!;
            // About 2% mismatches: another of ACGT than the reference base.
            seq += rng() < 0.02 ? (ACGT.replace(base, '')[randInt(rng, 0, 2)] ?? 'A') : base;
          }
        }
      }
      let qual = '';
      for (let k = 0; k < seq.length; k++) qual += String.fromCharCode(33 + randInt(rng, 2, 41));
      reads.push({
        qname: `${rec.name}_r${i}`,
        flag: rng() < 0.5 ? 0 : 16,
        rname: rec.name,
        pos: start + 1,
        mapq: randInt(rng, 0, 60),
        cigar: ops.map(([op, len]) => `${len}${op}`).join(''),
        seq,
        qual,
      });
    }
  }
  return reads;
}

/** SAM text: @HD, one @SQ (SN, LN) per record, then the reads (unsorted, as generated). */
export function samText(reference: Reference, reads: readonly Read[]): string {
  const header = ['@HD\tVN:1.6\tSO:unsorted', ...reference.records.map((r) => `@SQ\tSN:${r.name}\tLN:${r.sequence.length}`)];
  const body = reads.map((r, i) => [r.qname, r.flag, r.rname, r.pos, r.mapq, r.cigar, '*', 0, 0, r.seq, r.qual, `XI:i:${i}`].join('\t'));
  return [...header, ...body].join('\n') + '\n';
}

/** The non-header lines of SAM text. */
export function samRecords(sam: string): string[] {
  return sam.split('\n').filter((l) => l.length > 0 && !l.startsWith('@'));
}

/** The @SQ lines of SAM text, as tag maps. */
export function sqLines(sam: string): Map<string, string>[] {
  return sam
    .split('\n')
    .filter((l) => l.startsWith('@SQ\t'))
    .map(
      (l) =>
        new Map(
          l
            .split('\t')
            .slice(1)
            .map((f) => [f.slice(0, 2), f.slice(3)] as [string, string]),
        ),
    );
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * samtools, asynchronously: the server answering htslib lives in this very process, so a
 * synchronous child would block the event loop it needs. `env` is added to process.env.
 */
export function samtoolsAsync(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'samtools',
      args,
      { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'latin1', maxBuffer: 1 << 28, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}
