/**
 * seqserve prepare refuses what it cannot turn into served files, and leaves nothing behind: an
 * existing output (without --force), unsafe sequence names, names equal but for case where case
 * is ignored, a truncated gzip, input that is not FASTA.
 *
 * Run alone: node --import tsx --test test/prepare-refusals.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isCaseInsensitive } from '../src/prepare/names.js';
import { prepareCommand } from '../src/prepare/prepare.js';
import { removeDir, subDir, tempDir, writeFasta } from './helpers/fasta-fixtures.js';
import { readFasta } from './helpers/naive-fasta.js';
import { named, simpleFasta } from './helpers/prepare-fixtures.js';
import { checkOutput } from './helpers/prepared-output.js';
import { silent } from './helpers/recording-log.js';

const root = tempDir('seqserve-prepare-refusals-');
after(() => removeDir(root));

describe('prepare: refusals and failures', () => {
  test('an existing file is not overwritten without force; with force it is', async () => {
    const dir = subDir(root, 'overwrite');
    const fixture = simpleFasta(subDir(dir, 'in'), [
      { name: 'keep', length: 300 },
      { name: 'clash', length: 200 },
    ]);
    const out = subDir(dir, 'out');
    writeFileSync(join(out, 'clash.raw'), 'OLD');
    await assert.rejects(
      prepareCommand(fixture.path, out, { log: silent }),
      (e: Error) => {
        assert.match(e.message, /clash\.raw already exists; pass --force/, 'the message names the file and the fix');
        return true;
      },
      'prepare refuses to overwrite clash.raw',
    );
    assert.deepEqual(readdirSync(out), ['clash.raw'], 'nothing written, no temporary file left (keep.raw was read before clash)');
    assert.equal(readFileSync(join(out, 'clash.raw'), 'latin1'), 'OLD', 'the existing file is untouched');

    const summary = await prepareCommand(fixture.path, out, { log: silent, force: true });
    checkOutput(out, readFasta(fixture.path), summary, 'with force');

    // A sidecar alone also counts as a file not to overwrite.
    const out2 = subDir(dir, 'out2');
    writeFileSync(join(out2, 'keep.raw.refget.tsv'), 'x');
    await assert.rejects(
      prepareCommand(fixture.path, out2, { log: silent }),
      /keep\.raw\.refget\.tsv already exists/,
      'an existing sidecar is not overwritten',
    );
  });

  for (const [title, name, reason] of [
    ['a "/" in the name', 'chr1/part', /holds "\/"/],
    ['a leading "."', '.hidden', /starts with "\."/],
    ['a name over 200 bytes', 'n'.repeat(201), /201 bytes long/],
    ['a name that is not UTF-8 (latin1 é)', 'caf\u00e9', /not valid UTF-8/],
  ] as const) {
    test(`an unsafe name is refused with a message naming it: ${title}`, async () => {
      const dir = subDir(root, `unsafe-${title.replace(/\W+/g, '-')}`);
      const fixture = simpleFasta(subDir(dir, 'in'), [
        { name: 'fine', length: 60 },
        { name, length: 50 },
      ]);
      const out = join(dir, 'out');
      await assert.rejects(
        prepareCommand(fixture.path, out, { log: silent }),
        (e: Error) => {
          assert.ok(e.message.includes(JSON.stringify(name)) || e.message.includes('caf'), `the message names the sequence: ${e.message}`);
          assert.match(e.message, reason, 'the message says why');
          assert.match(e.message, /line 3/, 'the message gives the header line');
          assert.match(e.message, /rename the sequence/, 'the message gives the fix');
          return true;
        },
        'prepare refuses the name',
      );
      assert.deepEqual(readdirSync(out), [], 'nothing left in the output folder');
    });
  }

  test('names equal but for case: both kept on a case-sensitive file system (refused where case is ignored)', async (t) => {
    const dir = subDir(root, 'case');
    const out = subDir(dir, 'out');
    if (isCaseInsensitive(out)) return t.skip('this file system ignores case');
    const fixture = simpleFasta(subDir(dir, 'in'), [
      { name: 'chrA', length: 10 },
      { name: 'chra', length: 20 },
    ]);
    const summary = await prepareCommand(fixture.path, out, { log: silent });
    checkOutput(out, readFasta(fixture.path), summary, 'case');
  });

  test('a truncated gzip fails naming the file and leaves no raw file behind', async () => {
    const dir = subDir(root, 'truncated');
    const fixture = writeFasta(subDir(dir, 'in'), 'g.fa', { seed: 7, lineWidth: 60, records: named('t', 6).map((name) => ({ name, length: 50_000 })) });
    const gz = gzipSync(readFileSync(fixture.path));
    const input = join(dir, 'in', 'g.fa.gz');
    writeFileSync(input, gz.subarray(0, Math.floor(gz.length * 0.8)));
    const out = join(dir, 'out');
    await assert.rejects(
      prepareCommand(input, out, { log: silent }),
      (e: Error) => {
        assert.ok(e.message.includes(input), `the message names the file: ${e.message}`);
        assert.match(e.message, /truncated or corrupt/, 'the message says what is wrong');
        return true;
      },
      'prepare fails on a truncated gzip',
    );
    assert.deepEqual(readdirSync(out), [], 'no .raw (complete or temporary) and no sidecar left behind');

    // Truncated inside the second member of a multi-member file: the first member's sequences are complete, still nothing stays.
    const bytes = readFileSync(fixture.path);
    const first = gzipSync(bytes.subarray(0, 120_000));
    const second = gzipSync(bytes.subarray(120_000));
    writeFileSync(input, Buffer.concat([first, second.subarray(0, second.length - 9)]));
    await assert.rejects(prepareCommand(input, out, { log: silent }), /truncated or corrupt/, 'a truncated second member fails too');
    assert.deepEqual(readdirSync(out), [], 'nothing left after a truncated second member');
  });

  test('not FASTA: FASTQ, bases before a header, spaces in a sequence line, no sequence at all', async () => {
    const dir = subDir(root, 'not-fasta');
    const cases: [string, string | Buffer, RegExp][] = [
      ['reads.fq', '@r1\nACGT\n+\nIIII\n', /FASTQ/],
      ['headless.fa', 'ACGT\n>x\nAC\n', /line 1 holds bases before any ">name" header/],
      ['spaced.fa', '>x\nAC GT\n', /"x" holds a space .* at base 2/],
      ['lonecr.fa', '>x\nAC\rGT\n', /carriage return/],
      ['empty.fa', '', /no FASTA sequence/],
      ['allempty.fa', '>a\n>b\n', /every record is empty/],
      ['binary.fa.gz', gzipSync(Buffer.from([0x3e, 0x78, 0x0a, 0x41, 0x00, 0x43])), /byte 0x00/],
    ];
    for (const [file, content, message] of cases) {
      const input = join(dir, file);
      writeFileSync(input, content);
      const out = join(dir, `out-${file}`);
      await assert.rejects(
        prepareCommand(input, out, { log: silent }),
        (e: Error) => {
          assert.match(e.message, message, `${file}: ${e.message}`);
          assert.ok(e.message.includes(input), `${file}: the message names the file: ${e.message}`);
          return true;
        },
        `${file} is refused`,
      );
      assert.deepEqual(readdirSync(out), [], `${file}: nothing left in the output folder`);
    }
    await assert.rejects(
      prepareCommand(join(dir, 'missing.fa'), join(dir, 'o'), { log: silent }),
      /cannot read .*missing\.fa \(ENOENT\)/,
      'a missing input is named',
    );
  });
});
