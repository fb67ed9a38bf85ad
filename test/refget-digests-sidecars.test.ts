/**
 * Digest sidecars (FILE.refget.tsv): written and read back, reused while the data file keeps its
 * size and mtime, rewritten when it changes, rejected when malformed, and a warning (not a
 * failure) when one cannot be written.
 *
 * Run alone: node --import tsx --test test/refget-digests-sidecars.test.ts
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { loadCatalog } from '../src/data/catalog.js';
import type { SequenceRecord } from '../src/data/sequence-record.js';
import { indexDigests, readSidecar, sidecarPath, writeSidecar } from '../src/refget/digest-sidecar.js';
import type { SequenceDigests } from '../src/refget/digests.js';
import { edgeRecords } from './helpers/edge-records.js';
import { removeDir, tempDir, writeFasta } from './helpers/fasta-fixtures.js';
import { readFasta } from './helpers/naive-fasta.js';
import { recordingLog, silent } from './helpers/recording-log.js';
import { oracleDigests } from './helpers/refget-oracle.js';

describe('digest sidecars', () => {
  let dir: string;
  let fasta: string;
  let records: SequenceRecord[];

  before(() => {
    dir = tempDir('seqserve-sidecar-');
    fasta = writeFasta(dir, 'g.fa', { seed: 30, lineWidth: 60, lowercase: true, records: edgeRecords(5, 's') }).path;
    records = [...loadCatalog(dir, silent).records];
  });
  after(() => removeDir(dir));

  function digests(): Map<string, SequenceDigests> {
    return new Map(records.map((r) => [r.name, oracleDigests(readFasta(fasta).get(r.name)!)]));
  }

  it('writes a sidecar that reads back', () => {
    writeSidecar(fasta, records, digests());
    const text = readFileSync(sidecarPath(fasta), 'latin1').split('\n');
    const stat = statSync(fasta);
    assert.equal(text[0], `# seqserve refget digests v1\tsize=${stat.size}\tmtime=${Math.trunc(stat.mtimeMs)}`, 'header line');
    assert.equal(text[1], '#name\tlength\tmd5\tga4gh', 'column line');
    assert.deepEqual(readSidecar(fasta, records), digests(), 'read back');
  });

  it('is reused by indexDigests while the file is unchanged', () => {
    const log = recordingLog();
    const result = indexDigests(records, log);
    assert.deepEqual([result.reused, result.computed], [records.length, 0], 'all reused');
    assert.equal(result.digests.get(records[0]!)?.md5, digests().get(records[0]!.name)?.md5, 'digests from the sidecar');
  });

  it('is stale after the data file gets another mtime or size, and indexDigests rewrites it', () => {
    const stat = statSync(fasta);
    utimesSync(fasta, stat.atime, new Date(stat.mtimeMs + 5000));
    assert.equal(readSidecar(fasta, records), undefined, 'stale by mtime');
    const log = recordingLog();
    assert.deepEqual([indexDigests(records, log).computed, log.warns], [records.length, []], 'recomputed without warnings');
    assert.deepEqual(readSidecar(fasta, records), digests(), 'fresh again');

    const bytes = readFileSync(fasta);
    writeFileSync(fasta, Buffer.concat([bytes, Buffer.from('\n')]));
    utimesSync(fasta, stat.atime, new Date(stat.mtimeMs + 5000));
    assert.equal(readSidecar(fasta, records), undefined, 'stale by size, same mtime');
    writeFileSync(fasta, bytes);
    utimesSync(fasta, stat.atime, new Date(stat.mtimeMs + 5000));
    assert.deepEqual(readSidecar(fasta, records), digests(), 'the same size and mtime again');
  });

  it('is rejected when malformed or listing other sequences', () => {
    writeSidecar(fasta, records, digests());
    const good = readFileSync(sidecarPath(fasta), 'latin1');
    const lines = good.split('\n');
    const variants: [string, string][] = [
      ['empty', ''],
      ['no header', lines.slice(1).join('\n')],
      ['other version', good.replace(' v1\t', ' v2\t')],
      ['row missing', lines.filter((_, i) => i !== 3).join('\n')],
      ['rows swapped', [lines[0], lines[1], lines[3], lines[2], ...lines.slice(4)].join('\n')],
      ['bad md5', good.replace(/\t[0-9a-f]{32}\t/, '\tnothex\t')],
      ['bad ga4gh', good.replace(/\tSQ\.[A-Za-z0-9_-]{32}\n/, '\tSQ.short\n')],
      ['wrong length', good.replace(`\t${records[0]!.length}\t`, `\t${records[0]!.length + 1}\t`)],
    ];
    for (const [what, text] of variants) {
      writeFileSync(sidecarPath(fasta), text);
      assert.equal(readSidecar(fasta, records), undefined, `rejected: ${what}`);
    }
    rmSync(sidecarPath(fasta));
    assert.equal(readSidecar(fasta, records), undefined, 'missing');
  });

  it('warns, naming the file, when the sidecar cannot be written, and still returns the digests', () => {
    mkdirSync(sidecarPath(fasta)); // a folder in the way makes the rename fail, even as root
    try {
      const log = recordingLog();
      const result = indexDigests(records, log);
      assert.equal(result.computed, records.length, 'computed');
      assert.equal(result.digests.get(records[1]!)?.ga4gh, digests().get(records[1]!.name)?.ga4gh, 'digests returned');
      assert.equal(log.warns.length, 1, `one warning: ${JSON.stringify(log.warns)}`);
      assert.ok(log.warns[0]!.includes(fasta) && log.warns[0]!.includes(sidecarPath(fasta)), `warning names the files: ${log.warns[0]}`);
      assert.throws(() => writeSidecar(fasta, records, digests()), /E(ISDIR|EXIST|NOTEMPTY|PERM)/, 'writeSidecar throws');
    } finally {
      rmSync(sidecarPath(fasta), { recursive: true });
    }
  });
});
