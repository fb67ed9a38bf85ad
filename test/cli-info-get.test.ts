import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { cli, runCli as run } from './helpers/cli-server.js';
import { edgeLengths, prng, randInt, writeFasta, writeRaw, type FastaFixture, type FastaOptions } from './helpers/fasta-fixtures.js';
import { SamtoolsCopy, hasSamtools } from './helpers/samtools.js';

const root = join(import.meta.dirname, '.tmp', `cli-info-get-${process.pid}`);
const data = join(root, 'genome');

/** FASTA layouts samtools and the server must agree on, one file each, names unique across files. */
const layouts: { file: string; options: Omit<FastaOptions, 'records' | 'seed'>; width: number }[] = [
  { file: 'w1.fa', options: { lineWidth: 1 }, width: 1 },
  { file: 'w60.fa', options: { lineWidth: 60 }, width: 60 },
  { file: 'w61.fa', options: { lineWidth: 61, lowercase: true }, width: 61 },
  { file: 'w80.fa', options: { lineWidth: 80, nRuns: true }, width: 80 },
  { file: 'unwrapped.fa', options: { lineWidth: 'unwrapped' }, width: 60 },
  { file: 'crlf.fa', options: { lineWidth: 60, crlf: true, lowercase: true }, width: 60 },
  { file: 'lower.fa', options: { lineWidth: 70, lowercase: true, nRuns: true, alphabet: 'iupac' }, width: 70 },
  { file: 'many.fa', options: { lineWidth: 50, blankLines: true }, width: 50 },
];

interface Made {
  fixture: FastaFixture;
  regions: string[];
}

/** Complement as samtools faidx -i writes it (IUPAC codes too, case kept). */
const complement: Record<string, string> = Object.fromEntries(
  [...'ACGTURYKMSWBDHVN']
    .map((b, i): [string, string] => [b, 'TGCAAYRMKSWVHDBN'[i]!])
    .flatMap(([b, c]): [string, string][] => [
      [b, c],
      [b.toLowerCase(), c.toLowerCase()],
    ]),
);

/** The naive oracle: FASTA of a region as samtools writes it, from the generated sequence. */
function naiveFasta(label: string, bases: string, width: number, reverse: boolean): string {
  const seq = reverse
    ? [...bases]
        .reverse()
        .map((b) => complement[b] ?? b)
        .join('')
    : bases;
  let out = `>${label}${reverse ? '/rc' : ''}\n`;
  if (width === 0) return seq.length > 0 ? `${out}${seq}\n` : out;
  for (let i = 0; i < seq.length; i += width) out += `${seq.slice(i, i + width)}\n`;
  return out;
}

describe('seqserve get and info', () => {
  const made: Made[] = [];
  let app: FastifyInstance;

  before(async () => {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(data, { recursive: true });
    const rng = prng(8);
    for (const [k, layout] of layouts.entries()) {
      const count = layout.file === 'many.fa' ? 40 : 4;
      const w = layout.options.lineWidth;
      const lengths = edgeLengths(rng, w, count, layout.file === 'w1.fa' ? 400 : 5000);
      const prefix = layout.file.replace('.fa', '');
      const records = lengths.map((length, i) => ({ name: `${prefix}_${i}`, length, description: 'some words' }));
      const fixture = writeFasta(data, layout.file, { ...layout.options, seed: 100 + k, records });
      const regions: string[] = [];
      for (const [name, seq] of fixture.sequences) {
        const a = randInt(rng, 1, seq.length);
        const b = randInt(rng, a, seq.length);
        regions.push(name, `${name}:${a}-${b}`, `${name}:${a}`, `${name}:${seq.length}-${seq.length + 50}`, `${name}:1-1`);
      }
      made.push({ fixture, regions });
    }
    app = await testApp(data);
  });

  after(async () => {
    await app?.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** One get over every region of every file; the answer split back into the files' parts. */
  async function getAll(args: string[]): Promise<string> {
    const r = await run(['get', data, ...made.flatMap((m) => m.regions), ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  }

  function oracle(width: number, reverse: boolean): string {
    return made
      .flatMap(({ fixture, regions }) =>
        regions.map((region) => {
          const [name, coords] = region.split(':') as [string, string | undefined];
          const seq = fixture.sequences.get(name)!;
          const [a, b] = coords === undefined ? [1, seq.length] : coords.includes('-') ? coords.split('-').map(Number) : [Number(coords), seq.length];
          return naiveFasta(region, seq.slice(a! - 1, Math.min(b!, seq.length)), width, reverse);
        }),
      )
      .join('');
  }

  it('prints what samtools faidx prints, byte for byte, for every layout, width and strand', { skip: !hasSamtools() && 'samtools not installed' }, async () => {
    const copies = made.map((m) => new SamtoolsCopy(m.fixture.path));
    try {
      for (const [width, reverse] of [
        [60, false],
        [7, true],
        [80, false],
        [1, true],
      ] as const) {
        const args = [...(width === 60 ? [] : ['-n', String(width)]), ...(reverse ? ['-i'] : [])];
        const ours = await getAll(args);
        const theirs = copies
          .map((copy, i) => {
            copy.fai();
            return execFileSync('samtools', ['faidx', ...args, copy.fasta, ...made[i]!.regions], {
              encoding: 'latin1',
              maxBuffer: 1 << 28,
              stdio: ['ignore', 'pipe', 'ignore'],
            });
          })
          .join('');
        assert.ok(ours === theirs, `width ${width}${reverse ? ' -i' : ''}: the same bytes as samtools (${ours.length} vs ${theirs.length} bytes)`);
        assert.ok(ours === oracle(width, reverse), `width ${width}${reverse ? ' -i' : ''}: the same bytes as the naive reader`);
      }
    } finally {
      for (const c of copies) c.remove();
    }
  });

  it("prints what the server's POST /batch?format=fasta sends, for widths 60, 0 and 13 and both strands", async () => {
    const regions = made.flatMap((m) => m.regions);
    for (const [width, reverse] of [
      [60, false],
      [0, true],
      [13, false],
      [0, false],
    ] as const) {
      const ours = await getAll([...(width === 60 ? [] : ['--width', String(width)]), ...(reverse ? ['--reverse-complement'] : [])]);
      const res = await app.inject({
        method: 'POST',
        url: `/batch?format=fasta&width=${width}${reverse ? '&strand=-' : ''}`,
        headers: { 'content-type': 'text/plain' },
        payload: regions.join('\n'),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(ours === res.body, `width ${width}${reverse ? ' -i' : ''}: the server's bytes (${ours.length} vs ${res.body.length})`);
      assert.ok(ours === oracle(width, reverse), `width ${width}${reverse ? ' -i' : ''}: the naive reader's bytes`);
    }
  });

  it('refuses bad regions in one line before printing anything: 1 unknown or past the end, 2 malformed', async () => {
    const name = made[0]!.regions[0]!;
    const length = made[0]!.fixture.sequences.get(name)!.length;
    const cases: [string, number, RegExp][] = [
      ['nosuch:1-10', 1, /no sequence named "nosuch".*seqserve info/],
      [`${name}:${length + 1}-${length + 5}`, 1, /past the end/],
      [`${name}:10-5`, 2, /begin 10 after its end 5/],
      [`${name}:abc`, 2, /region/],
    ];
    const runs = await Promise.all(cases.map(([region]) => run(['get', data, name, region])));
    for (const [i, [region, code, message]] of cases.entries()) {
      const r = runs[i]!;
      assert.equal(r.code, code, `${region}: exit ${code}; ${r.stderr}`);
      assert.equal(r.stdout, '', `${region}: nothing printed, not even the good region before it`);
      assert.match(r.stderr, message, region);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${region}: one line: ${r.stderr}`);
    }
  });

  it('streams a long region at the pace of its reader, and stops quietly when the reader goes away', async () => {
    const dir = join(root, 'big');
    mkdirSync(dir);
    const raw = writeRaw(dir, 'big', { seed: 3, length: 24_000_000 });
    const expected = createHash('md5')
      .update(raw.sequence.match(/.{1,60}/g)!.join('\n') + '\n')
      .digest('hex');
    // A reader that takes everything, slowly at first: the answer arrives whole.
    const whole = spawn(process.execPath, ['--import', 'tsx', cli, 'get', dir, 'big']);
    const md5 = createHash('md5');
    let header = '';
    let first = true;
    whole.stdout.on('data', (c: Buffer) => {
      if (first) {
        first = false;
        const nl = c.indexOf(0x0a);
        header = c.subarray(0, nl).toString();
        md5.update(c.subarray(nl + 1));
        whole.stdout.pause();
        setTimeout(() => whole.stdout.resume(), 300);
      } else md5.update(c);
    });
    const code = await new Promise((resolve) => whole.on('close', resolve));
    assert.equal(code, 0, 'exit 0');
    assert.equal(header, '>big', 'the header');
    assert.equal(md5.digest('hex'), expected, '24 Mbp in lines of 60, all of it');
    // A reader that leaves after the first bytes (| head -c): exit 0, nothing said.
    const quitter = spawn(process.execPath, ['--import', 'tsx', cli, 'get', dir, 'big', '-n', '0']);
    let stderr = '';
    quitter.stderr.on('data', (d) => (stderr += d));
    quitter.stdout.once('data', () => quitter.stdout.destroy());
    const quitCode = await new Promise((resolve) => quitter.on('close', resolve));
    assert.equal(quitCode, 0, `exit 0 when the reader goes away: ${stderr}`);
    assert.equal(stderr, '', 'no error message');
    rmSync(dir, { recursive: true, force: true });
  });

  it('info lists every sequence with its length, format, file and aliases, then totals; digests once indexed', async () => {
    // The catalog reads a folder's files in name order.
    const files = [...made].sort((a, b) => (a.fixture.path < b.fixture.path ? -1 : 1));
    const sequences = files.flatMap((m) => [...m.fixture.sequences].map(([name, seq]) => ({ name, seq, file: m.fixture.path.split('/').pop()! })));
    const bases = sequences.reduce((sum, s) => sum + s.seq.length, 0);
    const fileBytes = made.reduce((sum, m) => sum + readFileSync(m.fixture.path).length, 0);
    const before = await run(['info', data]);
    assert.equal(before.code, 0, before.stderr);
    // The table's lines (the page-cache line above it is test/cli-info-residency.test.ts's).
    const rows = before.stdout.split('\n').filter((l) => /^ {2}\S/.test(l) && !l.startsWith('  page cache: '));
    assert.deepEqual(rows[0]!.trim().split(/\s+/), ['name', 'length', 'format', 'file', 'aliases', 'md5', 'ga4gh'], 'the columns');
    assert.equal(rows.length - 1, sequences.length, 'a row per sequence');
    for (const [i, s] of sequences.entries()) {
      // Aliases (column 5) are the built-in rule's here (w1_0 ↔ chrw1_0): checked on a folder of their own below.
      const cells = rows[i + 1]!.trim().split(/\s+/);
      assert.deepEqual([...cells.slice(0, 4), ...cells.slice(5)], [s.name, String(s.seq.length), 'fasta', s.file, '?', '?'], `row of ${s.name}`);
    }
    assert.match(before.stdout, new RegExp(`^${sequences.length} sequences, ${bases.toLocaleString('en-US')} bases \\(.*\\) in 1 assembly`, 'm'), 'the totals');
    assert.match(before.stdout, new RegExp(`refget digests: 0 of ${sequences.length} known .*seqserve index`), 'digests unknown, and how to compute them');

    const index = await run(['index', data], { SEQSERVE_PROGRESS_INTERVAL: '1' });
    assert.equal(index.code, 0, index.stderr);
    const json = await run(['info', data, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const info = JSON.parse(json.stdout) as {
      assemblies: { name: string; default: boolean; sequences: { name: string; length: number; md5: string | null; ga4gh: string | null }[] }[];
      totals: Record<string, unknown>;
    };
    assert.equal(info.assemblies.length, 1, 'one assembly');
    assert.equal(info.assemblies[0]!.default, true, 'the default one');
    assert.deepEqual(
      info.totals,
      { assemblies: 1, sequences: sequences.length, bases, fileBytes, digestsKnown: sequences.length, digestsComplete: true },
      'the totals',
    );
    for (const [i, s] of sequences.entries()) {
      const row = info.assemblies[0]!.sequences[i]!;
      assert.equal(row.name, s.name, 'in file order');
      assert.equal(row.md5, createHash('md5').update(s.seq.toUpperCase()).digest('hex'), `md5 of ${s.name}, by an independent hash`);
      assert.match(row.ga4gh!, /^SQ\.[A-Za-z0-9_-]{32}$/, 'a ga4gh digest');
    }
    const text = await run(['info', data]);
    assert.match(text.stdout, new RegExp(`refget digests: all ${sequences.length} known`), 'said complete');
  });

  it('info tells the assemblies of a folder apart, and reads aliases', async () => {
    const dir = join(root, 'two');
    mkdirSync(join(dir, 'hg'), { recursive: true });
    mkdirSync(join(dir, 'mm'), { recursive: true });
    writeFileSync(join(dir, 'hg', 'g.fa'), '>chr1\nACGT\n>chrM\nAC\n');
    writeFileSync(join(dir, 'mm', 'm.fa'), '>chrX\nAAAAAAAAAA\n');
    const r = await run(['info', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as {
      assemblies: { name: string; default: boolean; sequences: { name: string; aliases: string[]; file: string }[] }[];
      totals: { assemblies: number; bases: number };
    };
    assert.deepEqual(
      info.assemblies.map((a) => [a.name, a.default]),
      [
        ['hg', true],
        ['mm', false],
      ],
      'two assemblies, the first the default',
    );
    assert.deepEqual(
      info.assemblies[0]!.sequences.map((s) => [s.name, s.file]),
      [
        ['chr1', 'hg/g.fa'],
        ['chrM', 'hg/g.fa'],
      ],
      'names and files',
    );
    assert.ok(info.assemblies[0]!.sequences[0]!.aliases.includes('1'), 'chr1 is also 1');
    assert.ok(info.assemblies[0]!.sequences[1]!.aliases.includes('MT'), 'chrM is also MT');
    assert.equal(info.totals.bases, 16, 'bases over both');
    assert.match(r.stderr, /built index .*g\.fa\.fai/, 'a .fai built is said, on stderr');
    const get = await run(['get', dir, '--assembly', 'mm', 'chrX:2-3']);
    assert.equal(get.stdout, '>chrX:2-3\nAA\n', 'get --assembly reads another assembly');
  });
});
