/**
 * What a folder written by seqserve prepare must hold: NAME.raw and NAME.raw.refget.tsv for each
 * expected sequence and nothing else, the naive reader's bases, node:crypto's digests in a
 * sidecar the server trusts, and a summary that says the same.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SequenceRecord } from '../../src/data/sequence-record.js';
import type { PrepareSummary } from '../../src/prepare/prepare.js';
import { readSidecar } from '../../src/refget/digest-sidecar.js';
import { readRaw } from './naive-fasta.js';
import { oracleDigests } from './refget-oracle.js';

/** OUTDIR holds exactly NAME.raw and NAME.raw.refget.tsv for each expected sequence, with the right bytes and digests. */
export function checkOutput(out: string, expected: Map<string, string>, summary: PrepareSummary, what: string): void {
  const files = readdirSync(out).sort();
  const want = [...expected.keys()].flatMap((n) => [`${n}.raw`, `${n}.raw.refget.tsv`]).sort();
  assert.deepEqual(files, want, `${what}: the files of the output folder`);
  assert.deepEqual(
    summary.sequences.map((s) => s.name),
    [...expected.keys()],
    `${what}: the summary lists the sequences in file order`,
  );
  assert.equal(
    summary.bases,
    [...expected.values()].reduce((n, s) => n + s.length, 0),
    `${what}: summary.bases`,
  );
  for (const [name, sequence] of expected) {
    const file = join(out, `${name}.raw`);
    const raw = readRaw(file);
    assert.ok(raw === sequence, `${what}: ${name}.raw (${raw.length} bytes) differs from the naive reader's ${sequence.length} bases`);
    const oracle = oracleDigests(sequence);
    const rows = readFileSync(`${file}.refget.tsv`, 'latin1').split('\n');
    assert.equal(rows[2], `${name}\t${sequence.length}\t${oracle.md5}\t${oracle.ga4gh}`, `${what}: ${name}'s sidecar row`);
    const record: SequenceRecord = {
      name,
      length: sequence.length,
      offset: 0,
      lineBases: Math.max(1, sequence.length),
      lineBytes: Math.max(1, sequence.length),
      file,
      format: 'raw',
    };
    const trusted = readSidecar(file, [record]);
    assert.deepEqual(trusted?.get(name), oracle, `${what}: the server trusts ${name}'s sidecar (size and mtime stamp) and reads the oracle's digests`);
    const s = summary.sequences.find((x) => x.name === name);
    assert.deepEqual(s && { md5: s.md5, ga4gh: s.ga4gh, length: s.length }, { ...oracle, length: sequence.length }, `${what}: ${name} in the summary`);
  }
}
