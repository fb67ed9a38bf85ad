import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCatalog } from '../src/data/catalog.js';
import type { SequenceRecord } from '../src/data/sequence-record.js';
import { DigestIndex } from '../src/refget/digest-index.js';
import { indexDigests, readSidecar, sidecarPath, writeSidecar } from '../src/refget/digest-sidecar.js';
import { computeDigests, ga4ghOfTrunc512, parseRefgetId, trunc512Of, type SequenceDigests } from '../src/refget/digests.js';
import { edgeLengths, prng, randInt, removeDir, subDir, tempDir, writeFasta, writeRaw, type RecordSpec } from './helpers/fasta-fixtures.js';
import { readFasta, readRaw } from './helpers/naive-fasta.js';
import { oracleDigests, samtoolsDictM5, type ExpectedDigests } from './helpers/refget-oracle.js';
import { hasSamtools } from './helpers/samtools.js';

// Vectors published in the refget v2 specification.
const ACGT = {
  md5: 'f1f8f4bf413b16ad135722aa4591043e',
  ga4gh: 'SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2',
  trunc512: '68a178f7c740c5c240aa67ba41843b119d3bf9f8b0f0ac36',
};
const EMPTY = { md5: 'd41d8cd98f00b204e9800998ecf8427e', ga4gh: 'SQ.z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXc' };

function recordingLog(): { info(m: string): void; warn(m: string): void; infos: string[]; warns: string[] } {
  const infos: string[] = [];
  const warns: string[] = [];
  return { infos, warns, info: (m) => infos.push(m), warn: (m) => warns.push(m) };
}

const silent = { info: () => {}, warn: () => {} };

function names(n: number, prefix: string): RecordSpec[] {
  const lengths = edgeLengths(prng(n), 60, n, 3000);
  return lengths.map((length, i) => ({ name: `${prefix}${i}`, length, ...(i % 2 ? { description: 'x y' } : {}) }));
}

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
    writeFasta(dir, 'w60.fa', { seed: 2, lineWidth: 60, lowercase: true, nRuns: true, records: names(12, 'w60_') }),
    writeFasta(dir, 'w61.fasta', { seed: 3, lineWidth: 61, alphabet: 'iupac', lowercase: true, blankLines: true, records: names(10, 'w61_') }),
    writeFasta(dir, 'w80.fna', { seed: 4, lineWidth: 80, alphabet: 'iupac', nRuns: true, records: names(10, 'w80_') }),
    writeFasta(dir, 'unwrapped.fa', { seed: 5, lineWidth: 'unwrapped', lowercase: true, records: names(6, 'unwrapped_') }),
    writeFasta(dir, 'crlf.fa', { seed: 6, lineWidth: 60, crlf: true, alphabet: 'iupac', lowercase: true, nRuns: true, records: names(10, 'crlf_') }),
    writeFasta(dir, 'crlf-unwrapped.fa', { seed: 7, lineWidth: 'unwrapped', crlf: true, finalNewline: false, records: names(4, 'crlfu_') }),
    writeFasta(dir, 'nofinal.fa', { seed: 8, lineWidth: 70, finalNewline: false, alphabet: 'iupac', records: names(5, 'nofinal_') }),
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

function mismatches(
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
    const bad = mismatches(records, expected, (r) => computeDigests(r));
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

describe('parseRefgetId', () => {
  const md5 = 'f1f8f4bf413b16ad135722aa4591043e';
  const accepted: [string, ReturnType<typeof parseRefgetId>][] = [
    [md5, { algorithm: 'md5', digest: md5 }],
    [md5.toUpperCase(), { algorithm: 'md5', digest: md5 }],
    [`md5:${md5}`, { algorithm: 'md5', digest: md5 }],
    [`MD5:${md5.toUpperCase()}`, { algorithm: 'md5', digest: md5 }],
    [ACGT.ga4gh, { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
    [`ga4gh:${ACGT.ga4gh}`, { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
    [`GA4GH:${ACGT.ga4gh}`, { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
    [ACGT.trunc512, { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
    [ACGT.trunc512.toUpperCase(), { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
    [`trunc512:${ACGT.trunc512}`, { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
    [`TRUNC512:${ACGT.trunc512}`, { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
  ];
  const rejected = [
    '',
    'chr1',
    md5.slice(1),
    `${md5}0`,
    `md5:${md5.slice(1)}`,
    `md5 ${md5}`,
    `sha512:${md5}`,
    `${md5.slice(0, 31)}g`,
    `SQ.${ACGT.ga4gh.slice(4)}`,
    `${ACGT.ga4gh}A`,
    `sq.${ACGT.ga4gh.slice(3)}`,
    `SQ.${ACGT.ga4gh.slice(3, 34)}+`,
    `SQ.${ACGT.ga4gh.slice(3, 34)}=`,
    `ga4gh:${ACGT.trunc512}`,
    `trunc512:${ACGT.ga4gh}`,
    ACGT.trunc512.slice(1),
    ` ${md5}`,
    `${md5}\n`,
  ];

  for (const [id, want] of accepted) {
    it(`accepts ${id}`, () => assert.deepEqual(parseRefgetId(id), want, `parseRefgetId(${JSON.stringify(id)})`));
  }
  it('rejects everything else', () => {
    const wrong = rejected.filter((id) => parseRefgetId(id) !== undefined);
    assert.deepEqual(wrong, [], `accepted: ${JSON.stringify(wrong)}`);
  });
  it('keeps the case of a ga4gh digest (base64url is case-sensitive)', () => {
    const flipped = `SQ.${ACGT.ga4gh.slice(3).toLowerCase()}`;
    assert.deepEqual(parseRefgetId(flipped), { algorithm: 'ga4gh', digest: flipped }, 'parsed as given, not normalised');
    assert.notEqual(flipped, ACGT.ga4gh, 'the digest has upper-case letters to flip');
  });
});

describe('digest sidecars', () => {
  let dir: string;
  let fasta: string;
  let records: SequenceRecord[];

  before(() => {
    dir = tempDir('seqserve-sidecar-');
    fasta = writeFasta(dir, 'g.fa', { seed: 30, lineWidth: 60, lowercase: true, records: names(5, 's') }).path;
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

describe('DigestIndex', () => {
  type Item = { record: SequenceRecord };
  let dir: string;
  let items: Item[];
  const expected = new Map<string, string>();
  const open: DigestIndex<Item>[] = [];
  const started = (index: DigestIndex<Item>) => (open.push(index), index);

  before(() => {
    dir = tempDir('seqserve-digest-index-');
    const a = writeFasta(dir, 'a.fa', { seed: 40, lineWidth: 60, lowercase: true, nRuns: true, records: names(20, 'a') });
    const b = writeFasta(dir, 'b.fa', { seed: 41, lineWidth: 61, crlf: true, alphabet: 'iupac', records: names(8, 'b') });
    for (const f of [a, b]) for (const [name, seq] of f.sequences) expected.set(name, seq);
    // Two files with the same bases: the first in catalog order must win lookups.
    for (const name of ['dup1', 'dup2']) {
      writeFileSync(join(dir, `${name}.raw`), 'GATTACA');
      expected.set(name, 'GATTACA');
    }
    items = loadCatalog(dir, silent).records.map((record) => ({ record }));
  });
  after(async () => {
    for (const index of open) await index.close();
    removeDir(dir);
  });

  it('computes missing digests in a worker, finds every item by every id form, and saves sidecars', async () => {
    const log = recordingLog();
    const index = started(DigestIndex.start(items, log));
    assert.equal(index.total, items.length, 'total');
    assert.ok(index.known <= index.total, `known ${index.known} <= total ${index.total}`);
    await index.done;
    assert.deepEqual(log.warns, [], 'no warnings');
    assert.equal(index.known, index.total, 'everything known after done');
    const bad = mismatches(
      items.map((i) => i.record),
      expected,
      (r) => index.digestsOf(items.find((i) => i.record === r)!),
    );
    assert.deepEqual(bad, [], `digest mismatches:\n${bad.join('\n')}`);
    const lost: string[] = [];
    for (const item of items) {
      const want = item.record.name === 'dup2' ? items.find((i) => i.record.name === 'dup1') : item;
      const { md5, ga4gh } = oracleDigests(expected.get(item.record.name)!);
      const trunc = Buffer.from(ga4gh.slice(3), 'base64url').toString('hex');
      for (const id of [md5, md5.toUpperCase(), `md5:${md5}`, ga4gh, `ga4gh:${ga4gh}`, trunc, `trunc512:${trunc}`]) {
        if (index.find(id) !== want) lost.push(`${item.record.name}: ${id} finds ${index.find(id)?.record.name}`);
      }
    }
    assert.deepEqual(lost.slice(0, 10), [], `lookups that failed (${lost.length})`);
    assert.equal(index.find('chr1'), undefined, 'not an id');
    assert.equal(index.find('0'.repeat(32)), undefined, 'unknown md5');
    for (const file of new Set(items.map((i) => i.record.file))) assert.ok(existsSync(sidecarPath(file)), `sidecar for ${file}`);
  });

  it('knows everything synchronously from the sidecars on a second start, with no worker', async () => {
    const log = recordingLog();
    const index = started(DigestIndex.start(items, log));
    assert.equal(index.known, index.total, 'all known at once');
    assert.deepEqual([log.infos, log.warns], [[], []], 'nothing to compute, nothing said');
    await index.done;
    assert.equal(index.find(oracleDigests(expected.get('a0')!).ga4gh)?.record.name, 'a0', 'lookup works');
  });

  it('only loads sidecars with compute: false', async () => {
    rmSync(sidecarPath(items[0]!.record.file));
    const index = started(DigestIndex.start(items, silent, { compute: false }));
    await index.done;
    assert.ok(index.known < index.total && index.known > 0, `some known: ${index.known} of ${index.total}`);
    assert.equal(index.digestsOf(items[0]!), undefined, 'the file without a sidecar has no digests');
    assert.equal(existsSync(sidecarPath(items[0]!.record.file)), false, 'nothing written');
  });

  it('warns, naming the file, when a file cannot be read or its sidecar written, and keeps the others', async () => {
    const sub = subDir(dir, 'broken');
    const ok = writeFasta(sub, 'ok.fa', { seed: 50, lineWidth: 60, records: names(3, 'ok') });
    const cut = writeFasta(sub, 'cut.fa', { seed: 51, lineWidth: 60, records: names(3, 'cut') });
    const ro = writeFasta(sub, 'ro.fa', { seed: 52, lineWidth: 60, records: names(3, 'ro') });
    const subItems = loadCatalog(sub, silent).records.map((record) => ({ record }));
    truncateSync(cut.path, 10); // the .fai now points past the end
    mkdirSync(sidecarPath(ro.path)); // a folder where the sidecar goes
    const log = recordingLog();
    const index = started(DigestIndex.start(subItems, log));
    await index.done;
    assert.equal(log.warns.length, 2, `two warnings: ${JSON.stringify(log.warns)}`);
    assert.ok(
      log.warns.some((w) => w.includes(cut.path)),
      `a warning names ${cut.path}`,
    );
    assert.ok(
      log.warns.some((w) => w.includes(sidecarPath(ro.path))),
      `a warning names ${sidecarPath(ro.path)}`,
    );
    const known = subItems.filter((i) => index.digestsOf(i)).map((i) => basename(i.record.file));
    assert.deepEqual(new Set(known), new Set([basename(ok.path), basename(ro.path)]), 'ok and ro have digests, cut has none');
    assert.equal(index.find(oracleDigests(ro.sequences.get('ro0')!).md5)?.record.name, 'ro0', 'unsaved digests are still used');
  });

  it('closes twice safely and says nothing after close', async () => {
    const sub = subDir(dir, 'closing');
    writeFasta(sub, 'c.fa', { seed: 60, lineWidth: 60, records: [{ name: 'c', length: 3_000_000 }] });
    const log = recordingLog();
    const index = DigestIndex.start(
      loadCatalog(sub, silent).records.map((record) => ({ record })),
      log,
    );
    const said = log.infos.length + log.warns.length;
    await index.close();
    await index.close();
    await index.done;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(log.infos.length + log.warns.length, said, `no log calls after close: ${JSON.stringify(log)}`);
  });
});

describe('DigestIndex keeps the main thread free', () => {
  const dir = join(import.meta.dirname, '.tmp', `refget-${process.pid}`);
  const LINE = 60;
  const LINES = 1_100_000; // 66 Mbp
  let want: ExpectedDigests;
  let index: DigestIndex<{ record: SequenceRecord }> | undefined;

  before(() => {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'huge.fa');
    // One block of random lowercase-and-upper lines, written over and over: hashing cost is what matters.
    const rng = prng(70);
    const block = Buffer.alloc((LINE + 1) * 1000);
    for (let i = 0; i < block.length; i++) block[i] = i % (LINE + 1) === LINE ? 0x0a : 'ACGTNacgtn'.charCodeAt(Math.floor(rng() * 10));
    const bases = Buffer.from(block.toString('latin1').replace(/\n/g, '').toUpperCase(), 'latin1');
    const md5 = createHash('md5');
    const sha = createHash('sha512');
    const header = '>huge\n';
    const fd = openSync(path, 'w');
    writeSync(fd, header);
    for (let i = 0; i < LINES / 1000; i++) {
      writeSync(fd, block);
      md5.update(bases);
      sha.update(bases);
    }
    closeSync(fd);
    want = { md5: md5.digest('hex'), ga4gh: `SQ.${sha.digest().subarray(0, 24).toString('base64url')}` };
    // The .fai by hand: building it would read 66 MB on the main thread before the test starts.
    writeFileSync(`${path}.fai`, `huge\t${LINE * LINES}\t${header.length}\t${LINE}\t${LINE + 1}\n`);
  });
  after(async () => {
    await index?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ticks a 5 ms interval on time while the worker hashes 66 Mbp', async () => {
    const items = loadCatalog(dir, silent).records.map((record) => ({ record }));
    let last = performance.now();
    let maxGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 5);
    const t0 = performance.now();
    try {
      index = DigestIndex.start(items, silent);
      await index.done;
      // One more tick, so that a block just before done still shows as a gap.
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      clearInterval(timer);
    }
    const took = performance.now() - t0;
    assert.deepEqual(index.digestsOf(items[0]!), want, 'digests of the huge sequence');
    assert.ok(took > 100, `the hashing took long enough to mean something (${took.toFixed(0)} ms)`);
    assert.ok(maxGap < 200, `longest gap between ticks ${maxGap.toFixed(1)} ms over ${took.toFixed(0)} ms (${ticks} ticks)`);
    assert.ok(ticks >= took / 50, `${ticks} ticks in ${took.toFixed(0)} ms`);
  });
});
