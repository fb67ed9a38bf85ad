/**
 * Digests that differ from the oracle's (the naive reader's bases through node:crypto), as short
 * lines for an assertion message: at most ten.
 */
import { basename } from 'node:path';
import type { SequenceRecord } from '../../src/data/sequence-record.js';
import type { SequenceDigests } from '../../src/refget/digests.js';
import { oracleDigests, type ExpectedDigests } from './refget-oracle.js';

export function digestMismatches(
  records: readonly SequenceRecord[],
  expected: Map<string, string>,
  digestsOf: (r: SequenceRecord) => SequenceDigests | undefined,
): string[] {
  const out: string[] = [];
  for (const r of records) {
    const sequence = expected.get(r.name);
    if (sequence === undefined) {
      out.push(`${r.name}: not in the oracle`);
      continue;
    }
    const want: ExpectedDigests = oracleDigests(sequence);
    const got = digestsOf(r);
    if (got?.md5 !== want.md5 || got.ga4gh !== want.ga4gh)
      out.push(`${r.name} (${basename(r.file)}, ${r.length} bp): got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  return out.slice(0, 10);
}
