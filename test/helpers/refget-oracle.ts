/**
 * Independent oracles for refget digests: node:crypto over a whole sequence held as a string,
 * and samtools dict's M5 column. Nothing here imports server code (src/).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { SamtoolsCopy } from './samtools.js';

export interface ExpectedDigests {
  md5: string;
  ga4gh: string;
}

/** refget normalisation (upper case; the naive reader has already dropped line ends), then the two hashes. */
export function oracleDigests(sequence: string): ExpectedDigests {
  const bytes = Buffer.from(sequence.toUpperCase(), 'latin1');
  return {
    md5: createHash('md5').update(bytes).digest('hex'),
    ga4gh: `SQ.${createHash('sha512').update(bytes).digest().subarray(0, 24).toString('base64url')}`,
  };
}

/** SN → M5 from `samtools dict` run on a throwaway copy of the FASTA; the first of a repeated name wins. */
export function samtoolsDictM5(fasta: string): Map<string, string> {
  const copy = new SamtoolsCopy(fasta);
  try {
    const out = execFileSync('samtools', ['dict', copy.fasta], { encoding: 'latin1', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
    const m5 = new Map<string, string>();
    for (const line of out.split('\n')) {
      if (!line.startsWith('@SQ\t')) continue;
      const fields = new Map(
        line
          .split('\t')
          .slice(1)
          .map((f) => [f.slice(0, 2), f.slice(3)] as const),
      );
      const name = fields.get('SN');
      const digest = fields.get('M5');
      if (name !== undefined && digest !== undefined && !m5.has(name)) m5.set(name, digest);
    }
    return m5;
  } finally {
    copy.remove();
  }
}
