/**
 * What --lock and --keep-warm names resolve to: whole files for `all` and for an assembly, and for
 * a sequence the bytes from its first base (widened to a page) to its last, found here by a
 * naive scan of the FASTA text; .2bit records cover their packed bases; duplicates merge.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DataError } from '../src/core/errors.js';
import { openAssemblies, type Assemblies } from '../src/data/assemblies.js';
import { selectSpans, spanBytes } from '../src/data/residency-targets.js';
import { mmap } from '../src/store/mmap-binding.js';
import { writeFasta, type FastaFixture } from './helpers/fasta-fixtures.js';
import { writeTwoBit } from './helpers/twobit-writer.js';

const quiet = { info: () => {}, warn: () => {} };

/** Naive: the byte after the header line of `name`, and the byte after its last base. */
function naiveSpan(text: string, name: string): [number, number] {
  const header = text.indexOf(`>${name}`);
  const first = text.indexOf('\n', header) + 1;
  const next = text.indexOf('>', first);
  let end = next < 0 ? text.length : next;
  while (end > first && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  return [first, end];
}

describe('--lock / --keep-warm names → spans', () => {
  let dir: string;
  let assemblies: Assemblies;
  const fixtures: FastaFixture[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-targets-'));
    for (const sub of ['fa', 'tb']) mkdirSync(join(dir, sub));
    const records = [
      { name: 'chrA', length: 70_000 },
      { name: 'chrB', length: 9_000 },
      { name: 'chrC', length: 123_457 },
    ];
    fixtures.push(writeFasta(join(dir, 'fa'), 'w61crlf.fa', { seed: 1, lineWidth: 61, crlf: true, records }));
    fixtures.push(writeFasta(join(dir, 'fa'), 'w1.fa', { seed: 2, lineWidth: 1, records: [{ name: 'one', length: 5000 }] }));
    const two = [
      { name: 'tA', sequence: 'ACGTN'.repeat(4000) },
      { name: 'tB', sequence: 'acgt'.repeat(30_001) },
    ];
    writeTwoBit(join(dir, 'tb', 'x.2bit'), two, { littleEndian: true, version: 0 });
    assemblies = openAssemblies(dir, quiet, { defaultAssembly: 'fa' });
  });
  after(() => {
    assemblies.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('all and an assembly name whole files, each once; repeats merge', () => {
    const all = selectSpans(assemblies, ['all'], '--lock');
    assert.deepEqual(all.map((s) => [s.assembly, s.file.path.split('/').pop(), s.start, s.end === s.file.size]).sort(), [
      ['fa', 'w1.fa', 0, true],
      ['fa', 'w61crlf.fa', 0, true],
      ['tb', 'x.2bit', 0, true],
    ]);
    assert.deepEqual(selectSpans(assemblies, ['all', 'fa', 'chrB', 'tb:tA'], '--lock'), all, 'names inside `all` add nothing');
    assert.deepEqual(
      selectSpans(assemblies, ['tb'], '--keep-warm').map((s) => s.assembly),
      ['tb'],
    );
  });

  it('a FASTA sequence: from its first base, widened to a page, to its last base', () => {
    const text = readFileSync(fixtures[0]!.path, 'latin1');
    for (const [name, spelled] of [
      ['chrA', 'chrA'],
      ['chrB', 'fa:chrB'],
      ['chrC', 'chrC'],
    ] as const) {
      const [span] = selectSpans(assemblies, [spelled], '--lock');
      const [first, end] = naiveSpan(text, name);
      assert.equal(span!.assembly, 'fa');
      assert.equal(span!.start % mmap.PAGESIZE, 0, `${name} starts on a page`);
      assert.ok(span!.start <= first && first - span!.start < mmap.PAGESIZE, `${name}: ${span!.start} vs first base at ${first}`);
      assert.equal(span!.end, end, `${name} ends after its last base`);
    }
    const w1 = readFileSync(fixtures[1]!.path, 'latin1');
    const [one] = selectSpans(assemblies, ['one'], '--lock');
    assert.equal(one!.end, naiveSpan(w1, 'one')[1]);
  });

  it('two FASTA sequences next to each other merge when their pages touch', () => {
    const spans = selectSpans(assemblies, ['chrA', 'chrB'], '--lock');
    assert.equal(spans.length, 1);
    const text = readFileSync(fixtures[0]!.path, 'latin1');
    assert.equal(spans[0]!.end, naiveSpan(text, 'chrB')[1]);
    assert.equal(spanBytes(spans), spans[0]!.end - spans[0]!.start);
  });

  it('a .2bit record covers its packed bases, inside the file, apart from the other record', () => {
    const [a] = selectSpans(assemblies, ['tb:tA'], '--lock');
    const [b] = selectSpans(assemblies, ['tb:tB'], '--lock');
    assert.ok(a!.end - a!.start >= 20_000 / 4 && a!.end <= b!.end && b!.end <= b!.file.size, `${a!.start}-${a!.end}, ${b!.start}-${b!.end}`);
    assert.ok(b!.end - b!.start >= 120_004 / 4);
    assert.equal(b!.end, b!.file.size, 'the last record ends the file');
  });

  it('an unknown name is a DataError naming the setting and what is accepted', () => {
    assert.throws(
      () => selectSpans(assemblies, ['fa:nope'], '--keep-warm'),
      (e: unknown) =>
        e instanceof DataError &&
        e.message ===
          '--keep-warm: no assembly or sequence is named "fa:nope"; name all, an assembly (fa, tb), ASSEMBLY:SEQUENCE, or a sequence of the default assembly (fa)',
    );
  });
});
