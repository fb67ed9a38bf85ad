import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DataError } from '../src/core/errors.js';
import { buildFai } from '../src/formats/fasta/fai-build.js';
import { faiSpanBytes, formatFai, parseFai, validateFai, type FaiEntry } from '../src/formats/fasta/fai.js';
import { faiFixtures, hasSamtools, makeTempDir, randomGenome, record, samtoolsFaidx, writeFixture } from './helpers/fai-fixtures.js';

const samtools = hasSamtools();
const fixtures = faiFixtures();
let dir = '';
before(() => {
  dir = makeTempDir();
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Index `content` with samtools; returns the FASTA path, its .fai path and the index text. */
function indexWithSamtools(name: string, content: string): { fasta: string; fai: string; text: string } {
  const fasta = join(dir, `${name}.fa`);
  writeFileSync(fasta, content);
  const result = samtoolsFaidx(fasta);
  assert.ok(result.ok, `samtools faidx failed on ${name}`);
  const text = result.fai.toString('utf8');
  writeFileSync(`${fasta}.fai`, text);
  return { fasta, fai: `${fasta}.fai`, text };
}

function assertDataError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    for (const part of parts) assert.ok(error.message.includes(part), `message ${JSON.stringify(error.message)} should include ${JSON.stringify(part)}`);
    return true;
  });
}

describe('buildFai matches samtools faidx byte for byte', () => {
  for (const fixture of fixtures) {
    it(fixture.name, (t) => {
      const fasta = writeFixture(dir, fixture);
      const sam = samtools ? samtoolsFaidx(fasta) : undefined;
      if (fixture.ourRefusal !== undefined) {
        // Deliberately stricter than samtools: it indexes FASTQ, seqserve serves FASTA only.
        assertDataError(() => buildFai(fasta), fasta, fixture.ourRefusal);
        if (sam) assert.ok(sam.ok, 'samtools is expected to index this file');
        return;
      }
      if (fixture.refused) {
        const { sequence, line } = fixture.refused;
        assertDataError(() => buildFai(fasta), fasta, ...(sequence === undefined ? [] : [`"${sequence}"`]), ...(line === undefined ? [] : [`line ${line}`]));
        for (const chunk of [1, 3]) assert.throws(() => buildFai(fasta, undefined, { chunkBytes: chunk }), DataError);
        if (sam) assert.equal(sam.ok, false, 'samtools is expected to refuse this file too');
        return;
      }
      if (!sam) return t.skip('samtools not installed');
      assert.ok(sam.ok, `samtools faidx failed: ${sam.ok ? '' : sam.stderr}`);
      // Tiny chunks split every line and header at every byte; kept to small files for speed.
      const chunks = fixture.content.length <= 200_000 ? [undefined, 1, 2, 3, 5, 64, 4099] : [undefined, 64, 4099, 65_537];
      for (const chunk of chunks) {
        const ours = Buffer.from(formatFai(buildFai(fasta, () => {}, { chunkBytes: chunk })), 'utf8');
        assert.equal(ours.toString('utf8'), sam.fai.toString('utf8'), `chunk size ${chunk ?? 'default'}`);
        assert.ok(ours.equals(sam.fai), `bytes differ at chunk size ${chunk ?? 'default'}`);
      }
    });
  }

  it('names the file and sequence when it drops a duplicate, keeping the first like samtools', () => {
    const fasta = join(dir, 'dup.fa');
    writeFileSync(fasta, record('a', 'ACGT', 60) + record('b', 'GG', 60) + record('a', 'TTTTT', 60));
    const logged: string[] = [];
    const entries = buildFai(fasta, (msg) => logged.push(msg));
    assert.deepEqual(
      entries.map((e) => [e.name, e.length]),
      [
        ['a', 4],
        ['b', 2],
      ],
    );
    assert.equal(logged.length, 1);
    assert.ok(logged[0]!.includes(fasta) && logged[0]!.includes('"a"'), logged[0]);
  });

  it('does not need a log callback for duplicates', () => {
    const fasta = join(dir, 'dup-nolog.fa');
    writeFileSync(fasta, record('a', 'ACGT', 60) + record('a', 'TT', 60));
    assert.equal(buildFai(fasta).length, 1);
  });

  it('finds sequences in a file of 50,000 contigs and validates them in well under 0.5 s', () => {
    const fasta = join(dir, 'contigs.fa');
    writeFileSync(fasta, randomGenome(99, 50_000, 400, '\n', 'ACGT'));
    const entries = buildFai(fasta);
    assert.equal(entries.length, 50_000);
    const started = performance.now();
    validateFai(entries, fasta, `${fasta}.fai`);
    const ms = performance.now() - started;
    assert.ok(ms < 500, `validateFai took ${ms.toFixed(0)} ms for 50,000 contigs`);
  });
});

describe('parseFai and formatFai', () => {
  const entries: FaiEntry[] = [
    { name: 'chr1', length: 248_956_422, offset: 112, lineBases: 60, lineBytes: 61 },
    { name: '', length: 0, offset: 4, lineBases: 0, lineBytes: 2 },
    { name: 'chrΩ', length: 3_000_000_000, offset: 5_000_000_000, lineBases: 80, lineBytes: 82 },
  ];

  it('round-trips entries, including an empty name and 64-bit offsets', () => {
    const text = formatFai(entries);
    assert.equal(text, 'chr1\t248956422\t112\t60\t61\n\t0\t4\t0\t2\nchrΩ\t3000000000\t5000000000\t80\t82\n');
    assert.deepEqual(parseFai(text, 'g.fa.fai'), entries);
  });

  it('reads samtools output back to the same bytes and the same entries as buildFai', (t) => {
    if (!samtools) return t.skip('samtools not installed');
    const fixture = fixtures.find((f) => f.name === 'many-sequences')!;
    const { fasta, fai, text } = indexWithSamtools('parse-many', fixture.content as string);
    const parsed = parseFai(text, fai);
    assert.equal(formatFai(parsed), text);
    assert.deepEqual(parsed, buildFai(fasta));
  });

  it('accepts a CRLF index, an empty index and a missing final newline', () => {
    assert.deepEqual(
      parseFai('a\t4\t3\t4\t5\r\nb\t1\t11\t1\t2\r\n', 'x.fai').map((e) => e.name),
      ['a', 'b'],
    );
    assert.deepEqual(parseFai('', 'x.fai'), []);
    assert.equal(parseFai('a\t4\t3\t4\t5', 'x.fai')[0]!.lineBytes, 5);
  });

  const bad: Array<[string, string, number, string]> = [
    ['four columns', 'a\t4\t3\t4\t5\nb\t1\t11\t1\n', 2, 'expected 5'],
    ['FASTQ index', 'a\t4\t3\t4\t5\t10\n', 1, 'FASTQ'],
    ['one column', 'a\n', 1, 'expected 5'],
    ['blank line', 'a\t4\t3\t4\t5\n\nb\t1\t11\t1\t2\n', 2, 'expected 5'],
    ['space separated', 'a 4 3 4 5\n', 1, 'expected 5'],
    ['non-integer', 'a\t4\t3\t4\t5\nb\t1x\t11\t1\t2\n', 2, 'length "1x"'],
    ['negative', 'a\t4\t-3\t4\t5\n', 1, 'offset "-3"'],
    ['fraction', 'a\t4\t3\t4.0\t5\n', 1, 'lineBases "4.0"'],
    ['empty number', 'a\t4\t3\t4\t\n', 1, 'lineBytes ""'],
    ['beyond 2^53', 'a\t9007199254740993\t3\t4\t5\n', 1, 'length'],
    ['whitespace in name', 'a b\t4\t3\t4\t5\n', 1, 'whitespace'],
    ['duplicate name', 'a\t4\t3\t4\t5\nb\t1\t11\t1\t2\na\t1\t20\t1\t2\n', 3, 'listed twice (first on line 1)'],
  ];
  for (const [what, text, line, detail] of bad) {
    it(`refuses ${what}, naming the file and line`, () => {
      assertDataError(() => parseFai(text, '/data/genome.fa.fai'), `/data/genome.fa.fai line ${line}`, detail);
    });
  }

  it('suggests the samtools command for the FASTA next to the index', () => {
    assertDataError(() => parseFai('a\t4\n', '/data/genome.fa.fai'), 'samtools faidx /data/genome.fa');
  });
});

describe('faiSpanBytes', () => {
  const cases: Array<[Omit<FaiEntry, 'name' | 'offset'>, number]> = [
    [{ length: 0, lineBases: 0, lineBytes: 2 }, 0],
    [{ length: 1, lineBases: 60, lineBytes: 61 }, 1],
    [{ length: 60, lineBases: 60, lineBytes: 61 }, 60],
    [{ length: 61, lineBases: 60, lineBytes: 61 }, 62],
    [{ length: 120, lineBases: 60, lineBytes: 62 }, 122],
    [{ length: 10, lineBases: 1, lineBytes: 2 }, 19],
    [{ length: 3_000_000_000, lineBases: 3_000_000_000, lineBytes: 3_000_000_001 }, 3_000_000_000],
  ];
  for (const [entry, span] of cases) {
    it(`${entry.length} bases, ${entry.lineBases}/${entry.lineBytes} per line span ${span} bytes`, () => {
      assert.equal(faiSpanBytes(entry), span);
    });
  }
});

describe('validateFai', () => {
  it('accepts samtools’ own index of every servable fixture', (t) => {
    if (!samtools) return t.skip('samtools not installed');
    for (const fixture of fixtures.filter((f) => !f.refused && !f.ourRefusal && !f.unservable)) {
      const { fasta, fai, text } = indexWithSamtools(`valid-${fixture.name}`, fixture.content.toString());
      assert.doesNotThrow(() => validateFai(parseFai(text, fai), fasta, fai), fixture.name);
    }
  });

  it('refuses indexes samtools writes for lines with spaces or stray bytes, whose arithmetic cannot work', () => {
    for (const fixture of fixtures.filter((f) => f.unservable)) {
      const fasta = writeFixture(dir, fixture);
      assertDataError(() => validateFai(buildFai(fasta), fasta, `${fasta}.fai`), `${fasta}.fai`, '"a"', `samtools faidx ${fasta}`);
    }
  });

  for (const eol of ['\n', '\r\n']) {
    const label = eol === '\n' ? 'LF' : 'CRLF';
    const content = record('chr1', 'ACGT'.repeat(40), 60, eol) + record('chr2', 'GATTACA'.repeat(30), 60, eol) + record('chr3', 'TTAGGG'.repeat(3), 60, eol);
    const tampered: Array<[string, string, (e: FaiEntry, size: number) => Partial<FaiEntry>]> = [
      ['an offset past the end', 'lies past the end', (_, size) => ({ offset: size + 10 })],
      ['an offset one byte late', 'not at the start of a line', (e) => ({ offset: e.offset + 1 })],
      ['an offset one byte early', 'not at the start of a line', (e) => ({ offset: e.offset - 1 })],
      ['lineBytes one too many', 'do not match the first line', (e) => ({ lineBytes: e.lineBytes + 1 })],
      ['lineBytes one too few', 'do not match the first line', (e) => ({ lineBytes: e.lineBytes - 1 })],
      ['lineBytes below lineBases', '< lineBases', (e) => ({ lineBytes: e.lineBases - 1 })],
      ['lineBases one too few', 'do not match the first line', (e) => ({ lineBases: e.lineBases - 1 })],
      ['lineBases one too many', 'do not match the first line', (e) => ({ lineBases: e.lineBases + 1 })],
      ['lineBases 0', 'but lineBases 0', () => ({ lineBases: 0 })],
      ['a length one too long', 'counts line ends as bases', (e) => ({ length: e.length + 1 })],
      ['a length one too short', 'ends mid-line', (e) => ({ length: e.length - 1 })],
      ['a length far too long', 'past the end', (e) => ({ length: e.length * 1000 })],
    ];
    for (const [what, detail, change] of tampered) {
      it(`refuses ${what} (${label}), naming the index, the sequence and the fix`, (t) => {
        if (!samtools) return t.skip('samtools not installed');
        const { fasta, fai, text } = indexWithSamtools(`tamper-${label}`, content);
        const entries = parseFai(text, fai);
        validateFai(entries, fasta, fai); // the untouched index passes
        const size = statSync(fasta).size;
        const broken = entries.map((e) => (e.name === 'chr2' ? { ...e, ...change(e, size) } : e));
        assertDataError(() => validateFai(broken, fasta, fai), fai, '"chr2"', detail, `samtools faidx ${fasta}`);
      });
    }
  }

  it('refuses a sequence that runs past the end of the last one', () => {
    const fasta = join(dir, 'tail.fa');
    writeFileSync(fasta, '>a\nACGT\nAC\n');
    validateFai([{ name: 'a', length: 6, offset: 3, lineBases: 4, lineBytes: 5 }], fasta, 'tail.fa.fai');
    assertDataError(() => validateFai([{ name: 'a', length: 7, offset: 3, lineBases: 4, lineBytes: 5 }], fasta, 'tail.fa.fai'), 'tail.fa.fai', '"a"');
    assertDataError(() => validateFai([{ name: 'a', length: 8, offset: 3, lineBases: 4, lineBytes: 5 }], fasta, 'tail.fa.fai'), 'past the end');
  });

  it('refuses offset 0, which leaves no room for a header', () => {
    const fasta = join(dir, 'zero.fa');
    writeFileSync(fasta, '>a\nACGT\n');
    assertDataError(() => validateFai([{ name: 'a', length: 4, offset: 0, lineBases: 4, lineBytes: 5 }], fasta, 'zero.fa.fai'), '"a"', 'offset 0');
  });

  it('reads the index file it is given (smoke test of the whole path)', (t) => {
    if (!samtools) return t.skip('samtools not installed');
    const { fasta, fai } = indexWithSamtools('smoke', record('x', 'ACGTN'.repeat(100), 70));
    validateFai(parseFai(readFileSync(fai, 'utf8'), fai), fasta, fai);
  });
});
