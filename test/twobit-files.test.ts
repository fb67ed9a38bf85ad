/**
 * The .2bit reader (src/twobit) on files it did not make: real big-endian files of Debian's
 * lastz-examples, read back as the FASTA files they were made from, and broken files, each
 * refused with a DataError that names the file. Generated files: test/twobit.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { DataError } from '../src/core/errors.js';
import { MappedFile } from '../src/store/mapped-file.js';
import { readTwoBitIndex } from '../src/formats/twobit/twobit-index.js';
import { TwoBitReader } from '../src/formats/twobit/twobit-reader.js';
import { asTwoBitToFa, twoBitBytes, type TwoBitRecord } from './helpers/twobit-writer.js';

const root = join(import.meta.dirname, '.tmp', 'twobit-files');

before(() => {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

const text = (b: Buffer) => b.toString('latin1');

/** Sequences of a FASTA text, in order. */
function parseFasta(fasta: string): TwoBitRecord[] {
  const out: TwoBitRecord[] = [];
  for (const entry of fasta.split(/^>/m).slice(1)) {
    const [header = '', ...lines] = entry.split(/\r?\n/);
    out.push({ name: header.trim().split(/\s+/)[0]!, sequence: lines.join('').replace(/\s+/g, '') });
  }
  return out;
}

describe('twobit real files (Debian lastz-examples)', () => {
  const dir = '/usr/share/doc/lastz/examples/test_data';
  const cases = [
    { twoBit: 'shorties.2bit', fasta: 'shorties.fa.gz' },
    { twoBit: 'pseudopig.2bit.gz', fasta: 'pseudopig.fa.gz' },
  ];
  for (const c of cases) {
    it(`reads ${c.twoBit} as ${c.fasta}`, (t) => {
      if (!existsSync(join(dir, c.twoBit)) || !existsSync(join(dir, c.fasta))) {
        return t.skip(`${dir}/${c.twoBit} is absent: install the Debian package lastz-examples to run this test`);
      }
      const raw = readFileSync(join(dir, c.twoBit));
      const path = join(root, c.twoBit.replace(/\.gz$/, ''));
      writeFileSync(path, c.twoBit.endsWith('.gz') ? gunzipSync(raw) : raw);
      const fasta = parseFasta(gunzipSync(readFileSync(join(dir, c.fasta))).toString('latin1'));
      const index = readTwoBitIndex(path);
      const file = MappedFile.open(path);
      try {
        assert.deepEqual(
          index.sequences.map((s) => s.name),
          fasta.map((r) => r.name),
          'names in FASTA order',
        );
        assert.equal(index.littleEndian, false, 'lastz ships big-endian .2bit files');
        for (const [i, layout] of index.sequences.entries()) {
          const reader: TwoBitReader = new TwoBitReader(layout, file, index.littleEndian);
          // Case compares exactly: both files were made from these FASTA files with soft-masking
          // kept (pseudopig's lower-case stretches are ~120 mask blocks per sequence; shorties is
          // all upper case), and both are big-endian, so this is a real BE file. Neither holds N
          // or IUPAC codes; asTwoBitToFa would map them as twoBitToFa prints them.
          assert.equal(text(reader.bytes(0, layout.length)), asTwoBitToFa(fasta[i]!.sequence), `${c.twoBit} ${layout.name}`);
        }
      } finally {
        file.close();
      }
    });
  }
});

describe('twobit bad files', () => {
  const good = () =>
    twoBitBytes(
      [
        { name: 'chrA', sequence: 'ACGTNNnnacgtACGTAC' },
        { name: 'chrB', sequence: 'ACGTACGTAC' },
      ],
      { littleEndian: true, version: 0 },
    );
  const cases: Array<{ label: string; bytes: () => Buffer; message: RegExp }> = [
    { label: 'a FASTA file', bytes: () => Buffer.from('>chr1\nACGT\n'), message: /not a \.2bit file/ },
    { label: 'an empty file', bytes: () => Buffer.alloc(0), message: /not a \.2bit file/ },
    { label: 'a cut header', bytes: () => good().subarray(0, 10), message: /truncated header/ },
    {
      label: 'an unknown version',
      bytes: () => {
        const b = Buffer.from(good());
        b.writeUInt32LE(2, 4);
        return b;
      },
      message: /unknown \.2bit version 2/,
    },
    { label: 'a file cut in the index', bytes: () => good().subarray(0, 16 + 1 + 4 + 2), message: /truncated index/ },
    {
      label: 'a sequence count too large',
      bytes: () => {
        const b = Buffer.from(good());
        b.writeUInt32LE(1_000_000, 8);
        return b;
      },
      message: /truncated index/,
    },
    { label: 'a file cut in a record', bytes: () => good().subarray(0, 16 + 2 * 9 + 6), message: /truncated record of "chrA"/ },
    { label: 'packed bases past the end', bytes: () => good().subarray(0, good().length - 1), message: /packed bases of "chrB".*run past the end/ },
    {
      label: 'a huge N block count',
      bytes: () => {
        const b = Buffer.from(good());
        b.writeUInt32LE(0x7fffffff, 16 + 2 * 9 + 4);
        return b;
      },
      message: /truncated record of "chrA"/,
    },
    {
      label: 'a duplicate name',
      bytes: () =>
        twoBitBytes(
          [
            { name: 'chrA', sequence: 'AC' },
            { name: 'chrA', sequence: 'GT' },
          ],
          { littleEndian: false, version: 1 },
        ),
      message: /"chrA" appears twice/,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.label} with a DataError naming the file`, () => {
      mkdirSync(root, { recursive: true });
      const path = join(root, `bad-${c.label.replace(/\W+/g, '-')}.2bit`);
      writeFileSync(path, c.bytes());
      assert.throws(
        () => readTwoBitIndex(path),
        (e: unknown) => {
          assert.ok(e instanceof DataError, `a DataError, not ${String(e)}`);
          assert.ok(e.message.includes(path), `the message names the file: ${e.message}`);
          assert.match(e.message, c.message);
          return true;
        },
      );
    });
  }
});
