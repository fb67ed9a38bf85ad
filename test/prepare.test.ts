/**
 * seqserve prepare: FASTA (plain, gzip, multi-member gzip, bgzip) → one raw file per sequence
 * and its refget sidecar. Checked against the naive reader (the bases), node:crypto (the
 * digests), and the real app serving the original FASTA (the same answers for random ranges).
 *
 * Run alone: node --import tsx --test test/prepare.test.ts
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { SequenceRecord } from '../src/data/sequence-record.js';
import { isCaseInsensitive } from '../src/prepare/names.js';
import { prepareCommand, type PrepareSummary } from '../src/prepare/prepare.js';
import { readSidecar } from '../src/refget/digest-sidecar.js';
import { testApp } from './helpers/app.js';
import { edgeLengths, prng, randInt, removeDir, subDir, tempDir, writeFasta, type FastaFixture, type RecordSpec } from './helpers/fasta-fixtures.js';
import { readFasta, readRaw } from './helpers/naive-fasta.js';
import { ask, enc } from './helpers/queries.js';
import { oracleDigests } from './helpers/refget-oracle.js';

const root = tempDir('seqserve-prepare-');
after(() => removeDir(root));

interface Logged {
  info: string[];
  warn: string[];
  log: { info(m: string): void; warn(m: string): void };
}

function logger(): Logged {
  const l: Logged = { info: [], warn: [], log: { info: (m) => void l.info.push(m), warn: (m) => void l.warn.push(m) } };
  return l;
}

function specs(names: string[], lengths: number[]): RecordSpec[] {
  return names.map((name, i) => ({ name, length: lengths[i]!, ...(i % 2 === 0 ? { description: `desc of ${name} x:y` } : {}) }));
}

const named = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

interface FixtureKind {
  title: string;
  write(dir: string): FastaFixture;
  /** Also prepare with tiny read chunks, so lines, CRLFs and headers are split between chunks. */
  tinyChunks?: boolean;
}

const fixtureKinds: FixtureKind[] = [
  {
    title: 'width 60, lowercase stretches, N runs, names that need URL escaping',
    tinyChunks: true,
    write: (dir) => {
      // 200 bytes is the longest name accepted (NAME.raw.tmp-PID.refget.tsv.tmp-PID must fit in 255).
      const names = ['chr1', 'chr2', 'gi|5524211|gb|AAD44166.1|', 'x%y', 'q?z', 'h#1', 'chr.M', 'name.fa', 'chrA', 'chra', 'L'.repeat(200), 'seq.raw'];
      return writeFasta(dir, 'w60.fa', {
        seed: 1,
        lineWidth: 60,
        lowercase: true,
        nRuns: true,
        records: specs(names, edgeLengths(prng(1), 60, names.length, 4000)),
      });
    },
  },
  {
    title: 'width 61, IUPAC mixed case, blank lines',
    write: (dir) =>
      writeFasta(dir, 'w61.fasta', {
        seed: 2,
        lineWidth: 61,
        alphabet: 'iupac',
        lowercase: true,
        blankLines: true,
        records: specs(named('w61_', 8), edgeLengths(prng(2), 61, 8, 3000)),
      }),
  },
  {
    title: 'width 80, IUPAC, lowercase, N runs',
    write: (dir) =>
      writeFasta(dir, 'w80.fna', {
        seed: 3,
        lineWidth: 80,
        alphabet: 'iupac',
        lowercase: true,
        nRuns: true,
        records: specs(named('w80_', 8), edgeLengths(prng(3), 80, 8, 5000)),
      }),
  },
  {
    title: 'width 1',
    tinyChunks: true,
    write: (dir) => writeFasta(dir, 'w1.fa', { seed: 4, lineWidth: 1, lowercase: true, records: specs(named('one_', 5), [1, 2, 3, 57, 301]) }),
  },
  {
    title: 'unwrapped',
    write: (dir) =>
      writeFasta(dir, 'unwrapped.fa', {
        seed: 5,
        lineWidth: 'unwrapped',
        lowercase: true,
        nRuns: true,
        records: specs(named('u_', 6), [1, 2, 60, 61, 777, 6000]),
      }),
  },
  {
    title: 'CRLF, width 60, blank CRLF lines',
    tinyChunks: true,
    write: (dir) =>
      writeFasta(dir, 'crlf.fa', {
        seed: 6,
        lineWidth: 60,
        crlf: true,
        blankLines: true,
        alphabet: 'iupac',
        lowercase: true,
        nRuns: true,
        records: specs(named('crlf_', 8), edgeLengths(prng(6), 60, 8, 3000)),
      }),
  },
  {
    title: 'CRLF, unwrapped, no final line end',
    tinyChunks: true,
    write: (dir) =>
      writeFasta(dir, 'crlf-unwrapped.fa', {
        seed: 7,
        lineWidth: 'unwrapped',
        crlf: true,
        finalNewline: false,
        lowercase: true,
        records: specs(named('cu_', 4), [1, 777, 61, 2500]),
      }),
  },
  {
    title: 'width 70, short last lines, no final line end',
    write: (dir) =>
      writeFasta(dir, 'nofinal.fa', {
        seed: 8,
        lineWidth: 70,
        finalNewline: false,
        alphabet: 'iupac',
        records: specs(named('nf_', 5), [71, 139, 1, 700, 1234]),
      }),
  },
  {
    title: 'many sequences: 600 contigs',
    write: (dir) => {
      const rng = prng(9);
      const names = Array.from({ length: 600 }, (_, i) => `contig_${String(i).padStart(4, '0')}`);
      return writeFasta(dir, 'contigs.fa', {
        seed: 9,
        lineWidth: 60,
        lowercase: true,
        nRuns: true,
        records: specs(
          names,
          names.map(() => randInt(rng, 1, 300)),
        ),
      });
    },
  },
  {
    title: 'empty records and repeated names',
    write: (dir) =>
      writeFasta(dir, 'empties.fa', {
        seed: 10,
        lineWidth: 50,
        lowercase: true,
        records: [
          { name: 'gap0', length: 0 },
          { name: 'first', length: 120, description: 'kept' },
          { name: 'gap', length: 0, description: 'no bases' },
          { name: 'second', length: 75 },
          { name: 'first', length: 40, description: 'repeated: skipped' },
          { name: 'late', length: 0 },
          { name: 'late', length: 33, description: 'the first with bases wins' },
          { name: 'tail', length: 51 },
        ],
      }),
  },
  {
    title: 'a 9 Mbp sequence (more than two 4 MiB output buffers) and a small one',
    write: (dir) =>
      writeFasta(dir, 'big.fa', {
        seed: 11,
        lineWidth: 60,
        lowercase: true,
        nRuns: true,
        records: [
          { name: 'big', length: 9_000_001 },
          { name: 'small', length: 10 },
        ],
      }),
  },
];

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

/** OUTDIR holds exactly NAME.raw and NAME.raw.refget.tsv for each expected sequence, with the right bytes and digests. */
function checkOutput(out: string, expected: Map<string, string>, summary: PrepareSummary, what: string): void {
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

fixtureKinds.forEach((kind, index) => {
  describe(`prepare: ${kind.title}`, () => {
    let dir = '';
    let fixture: FastaFixture;
    let expected = new Map<string, string>();

    before(() => {
      dir = subDir(root, `kind-${index}`);
      fixture = kind.write(subDir(dir, 'fasta'));
      expected = readFasta(fixture.path);
      // The generator's own record agrees with the naive reader: two oracles, one answer.
      assert.deepEqual([...expected.keys()], [...fixture.sequences.keys()], 'naive reader and generator agree on the names');
      for (const [name, s] of expected) assert.ok(fixture.sequences.get(name) === s, `naive reader and generator agree on ${name}`);
    });

    for (const encoding of encodings) {
      test(`${encoding}: one raw file per sequence, equal to the naive reader, with the oracle's digests`, async () => {
        const input = encode(fixture.path, encoding, subDir(dir, `in-${encoding}`));
        const out = join(dir, `out-${encoding}`);
        const l = logger();
        const summary = await prepareCommand(input, out, { log: l.log });
        assert.equal(summary.gzip, encoding !== 'plain', `${encoding}: gzip detected by the magic bytes`);
        checkOutput(out, expected, summary, encoding);
        for (const name of expected.keys()) {
          assert.ok(
            l.info.some((m) => m.startsWith(`${name}: ${expected.get(name)!.length} bases`) && m.includes('MB/s')),
            `${encoding}: a progress line for ${name}`,
          );
        }
        assert.ok(
          l.info.some((m) => m.startsWith(`prepared ${expected.size} sequences, ${summary.bases} bases`)),
          `${encoding}: the summary line (got ${l.info.at(-1)})`,
        );
      });
    }

    if (kind.tinyChunks) {
      test('plain and gzip read in 5-byte chunks (lines, CRLFs and headers split between chunks): same files', async () => {
        for (const encoding of ['plain', 'gzip'] as const) {
          const input = encode(fixture.path, encoding, subDir(dir, `tiny-in-${encoding}`));
          const out = join(dir, `tiny-out-${encoding}`);
          const summary = await prepareCommand(input, out, { log: logger().log, readBytes: 5 });
          checkOutput(out, expected, summary, `${encoding} in 5-byte chunks`);
        }
      });
    }

    test('the app on the output folder serves what it serves for the original FASTA', async () => {
      const out = join(dir, 'out-app');
      await prepareCommand(fixture.path, out, { log: logger().log });
      const fastaApp = await testApp(join(dir, 'fasta'));
      const rawApp = await testApp(out);
      try {
        const rng = prng(100 + index);
        const mismatches: string[] = [];
        const sample = [...expected].filter((_, i) => expected.size <= 20 || i % Math.ceil(expected.size / 20) === 0);
        for (const [name, sequence] of sample) {
          const L = sequence.length;
          // The 200-byte name makes URLs the server refuses as too long (414), for the FASTA alike.
          const routable = name.length < 100;
          const urls = [`/chrom/${enc(name)}`, `/chrom/${enc(name)}/range`, `/chrom/${enc(name)}/base/${L - 1}`];
          for (let k = 0; k < 8; k++) {
            const a = randInt(rng, 0, L);
            const b = randInt(rng, a, Math.min(L, a + randInt(rng, 0, 5000)));
            const extra = ['', '&strand=-', '&mask=hard', '&case=upper', '&mask=hard&case=lower'][k % 5];
            urls.push(`/chrom/${enc(name)}/range?start=${a}&end=${b}${extra}`);
          }
          for (const url of urls) {
            const [f, r] = [await ask(fastaApp, url), await ask(rawApp, url)];
            if (url === `/chrom/${enc(name)}`) {
              // Metadata differs by design (format, file, layout); name and length must not.
              if (!routable) {
                if (r.statusCode !== f.statusCode) mismatches.push(`${url}: FASTA ${f.statusCode}, raw ${r.statusCode}`);
                continue;
              }
              const [fj, rj] = [f.json(), r.json()];
              if (f.statusCode !== 200 || r.statusCode !== 200 || fj.name !== rj.name || fj.length !== rj.length || rj.format !== 'raw') {
                mismatches.push(`${url}: FASTA ${f.statusCode} ${fj.name}/${fj.length}, raw ${r.statusCode} ${rj.name}/${rj.length}/${rj.format}`);
              }
              continue;
            }
            if ((f.statusCode !== 200 && routable) || r.statusCode !== f.statusCode || r.body !== f.body) {
              mismatches.push(`${url}: FASTA ${f.statusCode} (${f.body.length} bytes), raw ${r.statusCode} (${r.body.length} bytes)`);
            }
          }
        }
        const fastaNames = (await ask(fastaApp, '/chrom')).json().map((c: { name: string; length: number }) => `${c.name}:${c.length}`);
        const rawNames = (await ask(rawApp, '/chrom')).json().map((c: { name: string; length: number }) => `${c.name}:${c.length}`);
        assert.deepEqual([...rawNames].sort(), [...fastaNames].sort(), 'the same sequences and lengths listed under /chrom');
        assert.deepEqual(mismatches, [], `answers differ:\n${mismatches.slice(0, 10).join('\n')}`);
      } finally {
        await fastaApp.close();
        await rawApp.close();
      }
    });
  });
});

describe('prepare: refusals and failures', () => {
  const simple = (dir: string, records: RecordSpec[], fileName = 'in.fa') => writeFasta(dir, fileName, { seed: 42, lineWidth: 60, lowercase: true, records });

  test('an existing file is not overwritten without force; with force it is', async () => {
    const dir = subDir(root, 'overwrite');
    const fixture = simple(subDir(dir, 'in'), [
      { name: 'keep', length: 300 },
      { name: 'clash', length: 200 },
    ]);
    const out = subDir(dir, 'out');
    writeFileSync(join(out, 'clash.raw'), 'OLD');
    await assert.rejects(
      prepareCommand(fixture.path, out, { log: logger().log }),
      (e: Error) => {
        assert.match(e.message, /clash\.raw already exists; pass --force/, 'the message names the file and the fix');
        return true;
      },
      'prepare refuses to overwrite clash.raw',
    );
    assert.deepEqual(readdirSync(out), ['clash.raw'], 'nothing written, no temporary file left (keep.raw was read before clash)');
    assert.equal(readFileSync(join(out, 'clash.raw'), 'latin1'), 'OLD', 'the existing file is untouched');

    const summary = await prepareCommand(fixture.path, out, { log: logger().log, force: true });
    checkOutput(out, readFasta(fixture.path), summary, 'with force');

    // A sidecar alone also counts as a file not to overwrite.
    const out2 = subDir(dir, 'out2');
    writeFileSync(join(out2, 'keep.raw.refget.tsv'), 'x');
    await assert.rejects(
      prepareCommand(fixture.path, out2, { log: logger().log }),
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
      const fixture = simple(subDir(dir, 'in'), [
        { name: 'fine', length: 60 },
        { name, length: 50 },
      ]);
      const out = join(dir, 'out');
      await assert.rejects(
        prepareCommand(fixture.path, out, { log: logger().log }),
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
    const fixture = simple(subDir(dir, 'in'), [
      { name: 'chrA', length: 10 },
      { name: 'chra', length: 20 },
    ]);
    const summary = await prepareCommand(fixture.path, out, { log: logger().log });
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
      prepareCommand(input, out, { log: logger().log }),
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
    await assert.rejects(prepareCommand(input, out, { log: logger().log }), /truncated or corrupt/, 'a truncated second member fails too');
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
        prepareCommand(input, out, { log: logger().log }),
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
      prepareCommand(join(dir, 'missing.fa'), join(dir, 'o'), { log: logger().log }),
      /cannot read .*missing\.fa \(ENOENT\)/,
      'a missing input is named',
    );
  });

  test('an alias file beside the input is copied; the app serves the aliases', async () => {
    const dir = subDir(root, 'alias');
    const inDir = subDir(dir, 'in');
    const fixture = simple(
      inDir,
      [
        { name: 'chr1', length: 500 },
        { name: 'chrM', length: 70 },
      ],
      'hg.fa',
    );
    const input = join(inDir, 'hg.fa.gz');
    writeFileSync(input, gzipSync(readFileSync(fixture.path)));
    writeFileSync(join(inDir, 'hg.chromAlias.txt'), '# ucsc\tensembl\nchr1\tone\nchrM\tmito\n');
    const out = join(dir, 'out');
    const summary = await prepareCommand(input, out, { log: logger().log });
    assert.equal(summary.aliasFile, join(out, 'hg.chromAlias.txt'), 'summary.aliasFile');
    assert.equal(readFileSync(join(out, 'hg.chromAlias.txt'), 'latin1'), readFileSync(join(inDir, 'hg.chromAlias.txt'), 'latin1'), 'copied byte for byte');
    const app = await testApp(out);
    try {
      const res = await ask(app, '/chrom/mito/range?start=0&end=70');
      assert.equal(res.statusCode, 200, 'the alias resolves');
      assert.equal(res.body, readFasta(fixture.path).get('chrM'), 'chrM through its alias');
    } finally {
      await app.close();
    }
    // Not overwritten without force either.
    const out2 = subDir(dir, 'out2');
    copyFileSync(join(inDir, 'hg.chromAlias.txt'), join(out2, 'hg.chromAlias.txt'));
    await assert.rejects(prepareCommand(input, out2, { log: logger().log }), /hg\.chromAlias\.txt already exists/, 'the alias file is not overwritten');
  });

  test('empty and repeated records are reported with warnings', async () => {
    const dir = subDir(root, 'warnings');
    const fixture = simple(subDir(dir, 'in'), [
      { name: 'a', length: 10 },
      { name: 'e', length: 0 },
      { name: 'a', length: 5 },
      { name: 'b', length: 3 },
    ]);
    const l = logger();
    const summary = await prepareCommand(fixture.path, join(dir, 'out'), { log: l.log });
    assert.deepEqual(summary.skippedEmpty, ['e'], 'summary.skippedEmpty');
    assert.deepEqual(summary.skippedDuplicates, ['a'], 'summary.skippedDuplicates');
    assert.ok(
      l.warn.some((m) => /line 3: skipping sequence "e": it has no bases/.test(m)),
      `a warning for the empty record: ${l.warn.join(' | ')}`,
    );
    assert.ok(
      l.warn.some((m) => /line 4: skipping repeated sequence "a"; the first one is kept/.test(m)),
      `a warning for the repeat: ${l.warn.join(' | ')}`,
    );
    assert.ok(statSync(join(dir, 'out', 'a.raw')).size === 10, 'the first "a" is kept');
  });

  test('the CLI runs it: seqserve prepare INPUT OUTDIR, listed in --help', async () => {
    const dir = subDir(root, 'cli');
    const fixture = simple(subDir(dir, 'in'), [
      { name: 'c1', length: 70 },
      { name: 'c2', length: 5 },
    ]);
    const cli = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
    const help = execFileSync(process.execPath, ['--import', 'tsx', cli, '--help'], { encoding: 'utf8' });
    assert.match(help, /seqserve prepare INPUT OUTDIR \[--force\]/, 'synopsis in --help');
    const out = execFileSync(process.execPath, ['--import', 'tsx', cli, 'prepare', fixture.path, join(dir, 'out')], { encoding: 'utf8' });
    assert.match(out, /2 sequences/, `summary line: ${out}`);
    assert.equal(readFileSync(join(dir, 'out', 'c1.raw'), 'latin1'), fixture.sequences.get('c1'), 'c1.raw written by the CLI');
  });

  test('leftovers of an interrupted run are reported, and ignored by the server', async () => {
    const dir = subDir(root, 'leftovers');
    const fixture = simple(subDir(dir, 'in'), [{ name: 's1', length: 30 }]);
    const out = subDir(dir, 'out');
    writeFileSync(join(out, 'old.raw.tmp-12345'), 'ACGT');
    const l = logger();
    await prepareCommand(fixture.path, out, { log: l.log });
    assert.ok(
      l.warn.some((m) => m.includes('1 temporary files of an interrupted prepare')),
      `a warning: ${l.warn.join(' | ')}`,
    );
    const app = await testApp(out);
    try {
      const names = (await ask(app, '/chrom')).json().map((c: { name: string }) => c.name);
      assert.deepEqual(names, ['s1'], 'the temporary file is not served');
    } finally {
      await app.close();
    }
  });
});
