/**
 * seqserve prepare: FASTA (plain, gzip, multi-member gzip, bgzip) → one raw file per sequence
 * and its refget sidecar, for every layout of test/helpers/prepare-fixtures.ts. Checked against
 * the naive reader (the bases) and node:crypto (the digests).
 *
 * Run alone: node --import tsx --test test/prepare-output.test.ts
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { prepareCommand } from '../src/prepare/prepare.js';
import { removeDir, subDir, tempDir, type FastaFixture } from './helpers/fasta-fixtures.js';
import { fixtureKinds, writeKind } from './helpers/prepare-fixtures.js';
import { checkOutput } from './helpers/prepared-output.js';
import { recordingLog, silent } from './helpers/recording-log.js';

const root = tempDir('seqserve-prepare-');
after(() => removeDir(root));

/** Whole-file gzip, two members cut at an odd point, BGZF-like 64 KiB members with an empty last one, and real bgzip if installed. */
type Encoding = 'plain' | 'gzip' | 'two-members' | 'blocks' | 'bgzip';

const hasBgzip = (() => {
  try {
    execFileSync('which', ['bgzip'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const encodings: Encoding[] = ['plain', 'gzip', 'two-members', 'blocks', ...(hasBgzip ? (['bgzip'] as const) : [])];

function encode(fasta: string, encoding: Encoding, dir: string): string {
  if (encoding === 'plain') return fasta;
  const bytes = readFileSync(fasta);
  const out = join(dir, `${encoding}.fa.gz`);
  if (encoding === 'gzip') writeFileSync(out, gzipSync(bytes));
  else if (encoding === 'two-members') {
    const cut = Math.floor(bytes.length * 0.37);
    writeFileSync(out, Buffer.concat([gzipSync(bytes.subarray(0, cut)), gzipSync(bytes.subarray(cut))]));
  } else if (encoding === 'blocks') {
    const members: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 0xff00) members.push(gzipSync(bytes.subarray(i, i + 0xff00)));
    members.push(gzipSync(Buffer.alloc(0)));
    writeFileSync(out, Buffer.concat(members));
  } else {
    writeFileSync(out, execFileSync('bgzip', ['-c', fasta], { maxBuffer: 1 << 28 }));
  }
  return out;
}

fixtureKinds.forEach((kind, index) => {
  describe(`prepare: ${kind.title}`, () => {
    let dir = '';
    let fixture: FastaFixture;
    let expected = new Map<string, string>();

    before(() => {
      ({ dir, fixture, expected } = writeKind(root, kind, index));
    });

    for (const encoding of encodings) {
      test(`${encoding}: one raw file per sequence, equal to the naive reader, with the oracle's digests`, async () => {
        const input = encode(fixture.path, encoding, subDir(dir, `in-${encoding}`));
        const out = join(dir, `out-${encoding}`);
        const l = recordingLog();
        const summary = await prepareCommand(input, out, { log: l });
        assert.equal(summary.gzip, encoding !== 'plain', `${encoding}: gzip detected by the magic bytes`);
        checkOutput(out, expected, summary, encoding);
        for (const name of expected.keys()) {
          assert.ok(
            l.infos.some((m) => m.startsWith(`${name}: ${expected.get(name)!.length} bases`) && m.includes('MB/s')),
            `${encoding}: a progress line for ${name}`,
          );
        }
        assert.ok(
          l.infos.some((m) => m.startsWith(`prepared ${expected.size} sequences, ${summary.bases} bases`)),
          `${encoding}: the summary line (got ${l.infos.at(-1)})`,
        );
      });
    }

    if (kind.tinyChunks) {
      test('plain and gzip read in 5-byte chunks (lines, CRLFs and headers split between chunks): same files', async () => {
        for (const encoding of ['plain', 'gzip'] as const) {
          const input = encode(fixture.path, encoding, subDir(dir, `tiny-in-${encoding}`));
          const out = join(dir, `tiny-out-${encoding}`);
          const summary = await prepareCommand(input, out, { log: silent, readBytes: 5 });
          checkOutput(out, expected, summary, `${encoding} in 5-byte chunks`);
        }
      });
    }
  });
});
