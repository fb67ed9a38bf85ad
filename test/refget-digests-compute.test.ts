/**
 * refget digests (md5 and ga4gh) computed from the served files: the specification's vectors,
 * ga4gh <-> TRUNC512, every layout (line widths, CRLF, IUPAC, soft-masking, empty records, raw
 * files, sequences longer than the 4 MiB chunk) against the naive reader + node:crypto, and the
 * M5 of `samtools dict`.
 *
 * Run alone: node --import tsx --test test/refget-digests-compute.test.ts
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCatalog } from '../src/data/catalog.js';
import type { SequenceRecord } from '../src/data/sequence-record.js';
import { computeDigests, ga4ghOfTrunc512, trunc512Of } from '../src/refget/digests.js';
import { digestMismatches } from './helpers/digest-mismatches.js';
import { edgeRecords } from './helpers/edge-records.js';
import { prng, randInt, removeDir, tempDir, writeFasta, writeRaw } from './helpers/fasta-fixtures.js';
import { readFasta, readRaw } from './helpers/naive-fasta.js';
import { silent } from './helpers/recording-log.js';
import { oracleDigests, samtoolsDictM5 } from './helpers/refget-oracle.js';
import { ACGT, EMPTY } from './helpers/refget-vectors.js';
import { hasSamtools } from './helpers/samtools.js';

/** A folder covering every layout, and what each sequence must hash to, from the naive reader. */
function writeFixtures(dir: string): Map<string, string> {
  const fastas = [
    writeFasta(dir, 'w1.fa', {
      seed: 1,
      lineWidth: 1,
      lowercase: true,
      records: [
        { name: 'one1', length: 1 },
        { name: 'one2', length: 2 },
        { name: 'one3', length: 300 },
      ],
    }),
    writeFasta(dir, 'w60.fa', { seed: 2, lineWidth: 60, lowercase: true, nRuns: true, records: edgeRecords(12, 'w60_') }),
    writeFasta(dir, 'w61.fasta', { seed: 3, lineWidth: 61, alphabet: 'iupac', lowercase: true, blankLines: true, records: edgeRecords(10, 'w61_') }),
    writeFasta(dir, 'w80.fna', { seed: 4, lineWidth: 80, alphabet: 'iupac', nRuns: true, records: edgeRecords(10, 'w80_') }),
    writeFasta(dir, 'unwrapped.fa', { seed: 5, lineWidth: 'unwrapped', lowercase: true, records: edgeRecords(6, 'unwrapped_') }),
    writeFasta(dir, 'crlf.fa', { seed: 6, lineWidth: 60, crlf: true, alphabet: 'iupac', lowercase: true, nRuns: true, records: edgeRecords(10, 'crlf_') }),
    writeFasta(dir, 'crlf-unwrapped.fa', { seed: 7, lineWidth: 'unwrapped', crlf: true, finalNewline: false, records: edgeRecords(4, 'crlfu_') }),
    writeFasta(dir, 'nofinal.fa', { seed: 8, lineWidth: 70, finalNewline: false, alphabet: 'iupac', records: edgeRecords(5, 'nofinal_') }),
    writeFasta(dir, 'empties.fa', {
      seed: 9,
      lineWidth: 50,
      lowercase: true,
      records: [
        { name: 'first', length: 120 },
        { name: 'gap', length: 0 },
        { name: 'tail', length: 51 },
      ],
    }),
    writeFasta(dir, 'contigs.fa', {
      seed: 10,
      lineWidth: 60,
      lowercase: true,
      nRuns: true,
      records: Array.from({ length: 800 }, (_, i) => ({ name: `contig_${i}`, length: randInt(prng(i + 100), 1, 300) })),
    }),
    // Longer than the 4 MiB chunk, on a width that puts chunk ends mid-line.
    writeFasta(dir, 'big.fa', {
      seed: 11,
      lineWidth: 61,
      lowercase: true,
      nRuns: true,
      records: [
        { name: 'big', length: 9_000_007 },
        { name: 'after_big', length: 7 },
      ],
    }),
  ];
  const raws = [
    writeRaw(dir, 'rawIupac', { seed: 12, length: 3001, alphabet: 'iupac', lowercase: true, nRuns: true }),
    writeRaw(dir, 'rawBig', { seed: 13, length: 4 * 1024 * 1024 + 5, lowercase: true }),
    writeRaw(dir, 'rawEmpty', { seed: 14, length: 0 }),
  ];
  writeFileSync(join(dir, 'acgt.raw'), 'ACGT');
  const expected = new Map<string, string>();
  for (const f of fastas) for (const [name, sequence] of readFasta(f.path)) expected.set(name, sequence);
  for (const r of raws) expected.set(r.name, readRaw(r.path));
  expected.set('acgt', readRaw(join(dir, 'acgt.raw')));
  return expected;
}

describe('refget digests of sequences', () => {
  let dir: string;
  let expected: Map<string, string>;
  let records: readonly SequenceRecord[];

  before(() => {
    dir = tempDir('seqserve-refget-');
    expected = writeFixtures(dir);
    records = loadCatalog(dir, silent).records;
  });
  after(() => removeDir(dir));

  it('matches the refget specification vectors for ACGT and the empty sequence', () => {
    const acgt = records.find((r) => r.name === 'acgt');
    const empty = records.find((r) => r.name === 'rawEmpty');
    assert.ok(acgt && empty, 'fixtures acgt.raw and rawEmpty.raw are in the catalog');
    assert.deepEqual(computeDigests(acgt), { md5: ACGT.md5, ga4gh: ACGT.ga4gh }, 'ACGT digests');
    assert.deepEqual(computeDigests(empty), EMPTY, 'empty raw file digests');
    const emptyFasta: SequenceRecord = { name: 'e', length: 0, offset: 3, lineBases: 60, lineBytes: 61, file: acgt.file, format: 'fasta' };
    assert.deepEqual(computeDigests(emptyFasta), EMPTY, 'a length-0 FASTA record reads nothing');
    assert.deepEqual(oracleDigests('acgt'), { md5: ACGT.md5, ga4gh: ACGT.ga4gh }, 'the oracle itself agrees with the spec');
  });

  it('converts between ga4gh and TRUNC512 both ways', () => {
    assert.equal(trunc512Of(ACGT.ga4gh), ACGT.trunc512, 'trunc512 of ACGT');
    assert.equal(ga4ghOfTrunc512(ACGT.trunc512), ACGT.ga4gh, 'ga4gh of ACGT trunc512');
    const e = trunc512Of(EMPTY.ga4gh);
    assert.match(e, /^[0-9a-f]{48}$/, 'trunc512 is 48 lowercase hex');
    assert.equal(ga4ghOfTrunc512(e), EMPTY.ga4gh, 'round trip of the empty digest');
  });

  it('hashes every layout as the naive reader + node:crypto do', () => {
    assert.equal(records.length, expected.size, `catalog has ${records.length} sequences, oracle ${expected.size}`);
    const bad = digestMismatches(records, expected, (r) => computeDigests(r));
    assert.deepEqual(bad, [], `digest mismatches:\n${bad.join('\n')}`);
  });

  it('gives the M5 of samtools dict for every FASTA sequence', { skip: !hasSamtools() && 'samtools is not installed' }, () => {
    const bad: string[] = [];
    const fastas = [...new Set(records.filter((r) => r.format === 'fasta').map((r) => r.file))];
    for (const file of fastas) {
      const m5 = samtoolsDictM5(file);
      for (const r of records.filter((x) => x.file === file)) {
        const ours = computeDigests(r).md5;
        if (m5.get(r.name) !== ours) bad.push(`${basename(file)} ${r.name}: samtools ${m5.get(r.name)}, ours ${ours}`);
      }
    }
    assert.ok(fastas.length >= 10, `compared ${fastas.length} FASTA files`);
    assert.deepEqual(bad.slice(0, 10), [], `M5 mismatches (${bad.length}):\n${bad.slice(0, 10).join('\n')}`);
  });
});
