/**
 * What frames each region of an answer: JSON `PREFIX{"region", "name", "start", "end", "strand",
 * "sequence"},...]}` (PREFIX `{"sequences":[` or the caller's); FASTA `>LABEL` (`/rc` on the minus
 * strand) and lines of `width` bases, as `samtools faidx [-i]` writes; BED `name start end label 0 strand`.
 */
import type { OutputChunks } from './output-chunks.js';
import type { TextFormat } from './output-format.js';
import type { RegionPlan } from './plan.js';

export const defaultJsonPrefix = '{"sequences":[';
export const jsonSuffix = ']}';

/** Everything of region i before its bases (all of it, for BED). */
export function writeHeader(out: OutputChunks, format: TextFormat, plan: RegionPlan, i: number): void {
  const reverse = plan.reverse[i] === 1;
  const label = plan.label(i);
  const sequence = plan.sequences[i]!;
  if (format === 'fasta') {
    out.text('>');
    out.text(label);
    out.text(reverse ? '/rc\n' : '\n');
  } else if (format === 'json') {
    out.text(i > 0 ? ',{"region":' : '{"region":');
    out.jsonString(label);
    out.text(',"name":');
    out.jsonString(sequence.name);
    out.text(`,"start":${plan.starts[i]},"end":${plan.ends[i]},"strand":"${reverse ? '-' : '+'}","sequence":"`);
  } else {
    out.text(`${sequence.name}\t${plan.starts[i]}\t${plan.ends[i]}\t${label}\t0\t${reverse ? '-' : '+'}\n`);
  }
}

/** Everything of a region of `length` bases after its bases. */
export function writeTrailer(out: OutputChunks, format: TextFormat, width: number, length: number): void {
  if (format === 'json') out.text('"}');
  else if (format === 'fasta' && width === 0 && length > 0) out.text('\n');
}

/**
 * Line ends in wrapped FASTA after bases [at, at + take) of a region of `length` bases: one
 * per full line of `width` completed, and one after a short last line.
 */
export function lineEndsIn(at: number, take: number, length: number, width: number): number {
  return Math.floor((at + take) / width) - Math.floor(at / width) + (at + take === length && length % width !== 0 ? 1 : 0);
}
