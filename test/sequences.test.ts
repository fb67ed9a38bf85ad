/**
 * End-to-end correctness of the bases served over HTTP, for many file layouts, against two
 * independent oracles: a naive whole-file FASTA reader (and the generator's own record of what it
 * wrote), and samtools faidx run on a copy of the same file.
 *
 * Run alone: node --import tsx --test test/sequences.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { testApp } from './helpers/app.js';
import {
  edgeLengths,
  prng,
  randInt,
  removeDir,
  subDir,
  tempDir,
  writeFasta,
  writeRaw,
  type FastaFixture,
  type RawFixture,
  type RecordSpec,
} from './helpers/fasta-fixtures.js';
import { readFasta, readFastaRecords, readRaw, rawName, reverseComplement } from './helpers/naive-fasta.js';
import { SamtoolsCopy, hasSamtools, type Region } from './helpers/samtools.js';

// ---------------------------------------------------------------------------------------------
// Fixture kinds: each is written to a folder of its own and served by an app of its own.

interface Files {
  fastas: FastaFixture[];
  raws: RawFixture[];
}

interface Kind {
  title: string;
  write(dir: string): Files;
  /** Random single bases and random ranges asked per sequence (edge cases come on top). */
  bases: number;
  ranges: number;
  /** Only this many sequences (spread over the file) get the full set of queries; the others a
   * light set (one base, the whole range, one reverse-complemented range). Default: all. */
  detailed?: number;
}

function specs(names: string[], lengths: number[], withDescriptions = true): RecordSpec[] {
  return names.map((name, i) => ({
    name,
    length: lengths[i]!,
    ...(withDescriptions && i % 2 === 0 ? { description: `description of ${name} len=${lengths[i]} x:y` } : {}),
  }));
}

function named(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
}

const kinds: Kind[] = [
  {
    title: 'width 60, ACGT with lowercase stretches and N runs (.fa)',
    bases: 40,
    ranges: 40,
    write: (dir) => {
      // Names that need escaping in a URL path ('|', '/', '%', '?', '#') are served too.
      const names = ['chr1', 'chr2', 'gi|5524211|gb|AAD44166.1|', 'scaffold-7.2', 'chrUn_KI270302v1', 'a/b', 'x%y', 'q?z', 'h#1', ...named('s', 4)];
      const lengths = edgeLengths(prng(1), 60, names.length, 4000);
      return { fastas: [writeFasta(dir, 'genome.fa', { seed: 11, lineWidth: 60, lowercase: true, nRuns: true, records: specs(names, lengths) })], raws: [] };
    },
  },
  {
    title: 'width 61, IUPAC mixed case, blank lines between records (.fasta)',
    bases: 40,
    ranges: 40,
    write: (dir) => {
      const names = named('w61_', 10);
      const lengths = edgeLengths(prng(2), 61, names.length, 3000);
      return {
        fastas: [writeFasta(dir, 'w61.fasta', { seed: 12, lineWidth: 61, alphabet: 'iupac', lowercase: true, blankLines: true, records: specs(names, lengths) })],
        raws: [],
      };
    },
  },
  {
    title: 'width 80, IUPAC, lowercase, N runs (.fna)',
    bases: 40,
    ranges: 40,
    write: (dir) => {
      const names = named('w80_', 10);
      const lengths = edgeLengths(prng(3), 80, names.length, 5000);
      return {
        fastas: [
          writeFasta(dir, 'w80.fna', { seed: 13, lineWidth: 80, alphabet: 'iupac', lowercase: true, nRuns: true, records: specs(names, lengths) }),
        ],
        raws: [],
      };
    },
  },
  {
    title: 'width 1 (one base per line)',
    bases: 40,
    ranges: 40,
    write: (dir) => {
      const names = named('one_', 6);
      const lengths = [1, 2, 3, ...edgeLengths(prng(4), 1, 3, 400)];
      return { fastas: [writeFasta(dir, 'w1.fa', { seed: 14, lineWidth: 1, lowercase: true, records: specs(names, lengths) })], raws: [] };
    },
  },
  {
    title: 'unwrapped (whole sequence on one line)',
    bases: 40,
    ranges: 40,
    write: (dir) => {
      const names = named('unwrapped_', 8);
      const lengths = [1, 2, ...edgeLengths(prng(5), 'unwrapped', 6, 6000)];
      return {
        fastas: [writeFasta(dir, 'unwrapped.fa', { seed: 15, lineWidth: 'unwrapped', lowercase: true, nRuns: true, records: specs(names, lengths) })],
        raws: [],
      };
    },
  },
  {
    title: 'CRLF, width 60, IUPAC mixed case, blank CRLF lines between records',
    bases: 40,
    ranges: 40,
    write: (dir) => {
      const names = named('crlf_', 10);
      const lengths = edgeLengths(prng(6), 60, names.length, 3000);
      return {
        fastas: [
          writeFasta(dir, 'crlf.fa', { seed: 16, lineWidth: 60, crlf: true, blankLines: true, alphabet: 'iupac', lowercase: true, nRuns: true, records: specs(names, lengths) }),
        ],
        raws: [],
      };
    },
  },
  {
    title: 'CRLF, unwrapped, no final line end',
    bases: 30,
    ranges: 30,
    write: (dir) => {
      const names = named('crlf_unwrapped_', 4);
      const lengths = [1, 777, 61, 2500];
      return {
        fastas: [
          writeFasta(dir, 'crlf-unwrapped.fa', { seed: 17, lineWidth: 'unwrapped', crlf: true, finalNewline: false, lowercase: true, records: specs(names, lengths) }),
        ],
        raws: [],
      };
    },
  },
  {
    title: 'width 70, short last lines, no final line end',
    bases: 30,
    ranges: 30,
    write: (dir) => {
      const names = named('nofinal_', 5);
      const lengths = [71, 139, 1, 700, 1234];
      return {
        fastas: [writeFasta(dir, 'nofinal.fa', { seed: 18, lineWidth: 70, finalNewline: false, alphabet: 'iupac', records: specs(names, lengths, false) })],
        raws: [],
      };
    },
  },
  {
    title: 'many sequences: 2,000 small contigs in one file',
    bases: 1,
    ranges: 2,
    detailed: 150,
    write: (dir) => {
      const rng = prng(7);
      const names = Array.from({ length: 2000 }, (_, i) => `contig_${String(i).padStart(5, '0')}`);
      const lengths = names.map(() => randInt(rng, 1, 300));
      return {
        fastas: [writeFasta(dir, 'contigs.fa', { seed: 19, lineWidth: 60, lowercase: true, nRuns: true, records: specs(names, lengths, false) })],
        raws: [],
      };
    },
  },
  {
    title: 'empty records and duplicated names in one FASTA',
    bases: 20,
    ranges: 20,
    write: (dir) => {
      // samtools faidx does not index a header without bases, and keeps the first of a duplicated
      // name (with a warning); a file whose LAST record is empty cannot be indexed at all.
      const records: RecordSpec[] = [
        { name: 'first', length: 120, description: 'kept' },
        { name: 'gap', length: 0, description: 'header with no bases' },
        { name: 'second', length: 75 },
        { name: 'first', length: 40, description: 'duplicate: samtools ignores it' },
        { name: 'gap2', length: 0 },
        { name: 'single', length: 1 },
        { name: 'tail', length: 51 },
      ];
      return { fastas: [writeFasta(dir, 'empties.fa', { seed: 20, lineWidth: 50, lowercase: true, records })], raws: [] };
    },
  },
  {
    title: 'raw files (with an empty one) beside a small FASTA',
    bases: 40,
    ranges: 40,
    write: (dir) => ({
      fastas: [writeFasta(dir, 'mixed.fa', { seed: 21, lineWidth: 60, records: specs(['mixed1', 'mixed2'], [130, 61]) })],
      raws: [
        writeRaw(dir, 'rawIupac', { seed: 22, length: 3001, alphabet: 'iupac', lowercase: true, nRuns: true }),
        writeRaw(dir, 'chr.M', { seed: 23, length: 1, alphabet: 'acgt' }),
        writeRaw(dir, 'rawAcgt', { seed: 24, length: 2048, alphabet: 'acgt', lowercase: true }),
        writeRaw(dir, 'empty', { seed: 25, length: 0 }),
      ],
    }),
  },
];

// ---------------------------------------------------------------------------------------------
// Queries and their expected answers.

interface Served {
  name: string;
  sequence: string;
  file: string;
  format: 'fasta' | 'raw';
  /** Bases per line as laid out in the file (the sequence length for raw and unwrapped). */
  lineWidth: number;
}

interface Query {
  name: string;
  /** 'base' asks /base/:start; 'range' asks /range for [start, end). */
  kind: 'base' | 'range';
  start: number;
  end: number;
  reverse: boolean;
  url: string;
}

const enc = encodeURIComponent;

function baseQuery(name: string, offset: number): Query {
  return { name, kind: 'base', start: offset, end: offset + 1, reverse: false, url: `/chrom/${enc(name)}/base/${offset}` };
}

/** A range query; the URL leaves out defaults now and then, to test them too. */
function rangeQuery(s: Served, start: number, end: number, reverse: boolean, rng: () => number): Query {
  const params: string[] = [];
  if (start !== 0 || rng() < 0.5) params.push(`start=${start}`);
  if (end !== s.sequence.length || rng() < 0.5) params.push(`end=${end}`);
  if (reverse) params.push('strand=-');
  else if (rng() < 0.3) params.push('strand=%2B');
  const qs = params.length > 0 ? `?${params.join('&')}` : '';
  return { name: s.name, kind: 'range', start, end, reverse, url: `/chrom/${enc(s.name)}/range${qs}` };
}

function expected(s: Served, q: Query): string {
  const bases = s.sequence.slice(q.start, q.end);
  return q.reverse ? reverseComplement(bases) : bases;
}

/** Edge-case and random queries for one sequence, both strands for every range. */
function queriesFor(s: Served, kind: Kind, rng: () => number): Query[] {
  const L = s.sequence.length;
  const w = s.lineWidth;
  const out: Query[] = [];
  if (L > 0) {
    const offsets = new Set([0, L - 1]);
    for (const o of [w - 1, w, w + 1, 2 * w - 1, 2 * w]) if (o >= 0 && o < L) offsets.add(o);
    for (let k = 0; k < kind.bases; k++) offsets.add(randInt(rng, 0, L - 1));
    for (const o of offsets) out.push(baseQuery(s.name, o));
  }
  const ranges: [number, number][] = [
    [0, L], // whole sequence
    [0, 0], // empty at the start
    [L, L], // empty at the very end
  ];
  if (L > 0) {
    const i = randInt(rng, 0, L);
    ranges.push([i, i]); // empty anywhere
    ranges.push([0, 1], [L - 1, L]); // first and last base
    const j = randInt(rng, 0, L - 1);
    ranges.push([j, j + 1]); // one base
    ranges.push([randInt(rng, 0, L - 1), L]); // up to the very end
    ranges.push([0, randInt(rng, 1, L)]); // from the start
    // Across line ends: a few bases either side of the end of a random line.
    const lines = Math.floor((L - 1) / w);
    for (let k = 0; k < 3 && lines > 0; k++) {
      const edge = randInt(rng, 1, lines) * w;
      ranges.push([Math.max(0, edge - randInt(rng, 0, 3)), Math.min(L, edge + randInt(rng, 1, 3))]);
      ranges.push([Math.max(0, edge - randInt(rng, 1, 2 * w)), Math.min(L, edge + randInt(rng, 1, 2 * w))]);
    }
    for (let k = 0; k < kind.ranges; k++) {
      const a = randInt(rng, 0, L);
      const b = randInt(rng, 0, L);
      ranges.push([Math.min(a, b), Math.max(a, b)]);
    }
  }
  for (const [start, end] of ranges) {
    out.push(rangeQuery(s, start, end, false, rng));
    out.push(rangeQuery(s, start, end, true, rng));
  }
  return out;
}

/** One base, the whole sequence and one random reverse-complemented range. */
function lightQueriesFor(s: Served, rng: () => number): Query[] {
  const L = s.sequence.length;
  const a = randInt(rng, 0, L);
  const b = randInt(rng, 0, L);
  return [
    ...(L > 0 ? [baseQuery(s.name, randInt(rng, 0, L - 1))] : []),
    rangeQuery(s, 0, L, false, rng),
    rangeQuery(s, Math.min(a, b), Math.max(a, b), true, rng),
  ];
}

// ---------------------------------------------------------------------------------------------
// Asking the app.

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

async function ask(app: FastifyInstance, url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url, headers });
}

async function answers(app: FastifyInstance, queries: readonly Query[]): Promise<Answer[]> {
  return inBatches(queries, 250, async (q) => {
    const res = await ask(app, q.url);
    return { status: res.statusCode, contentType: res.headers['content-type'] as string | undefined, body: res.rawPayload.toString('latin1') };
  });
}

/** Mismatches as short lines (at most 10 shown), so one failure tells what and where. */
function report(mismatches: string[]): string[] {
  return mismatches.length <= 10 ? mismatches : [...mismatches.slice(0, 10), `... and ${mismatches.length - 10} more`];
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 40)}...${s.slice(-40)} (${s.length})` : JSON.stringify(s);
}

// ---------------------------------------------------------------------------------------------
// Line layout as samtools describes it, computed independently from the file bytes.

interface Layout {
  offset: number;
  lineBases: number;
  lineBytes: number;
}

/**
 * For each non-empty record (first of a name): offset of its first base, bases on its first line,
 * and bytes of that line counting one byte for a missing final \n (as htslib does).
 */
function naiveLayouts(file: string): Map<string, Layout> {
  const bytes = readFileSync(file, 'latin1');
  const out = new Map<string, Layout>();
  let pos = 0;
  let pending: { name: string; offset: number } | undefined;
  while (pos < bytes.length) {
    const nl = bytes.indexOf('\n', pos);
    const lineEnd = nl < 0 ? bytes.length : nl;
    const line = bytes.slice(pos, lineEnd);
    if (line.startsWith('>')) {
      const name = line.slice(1).trimStart().split(/\s/)[0] ?? '';
      pending = out.has(name) ? undefined : { name, offset: lineEnd + 1 };
    } else if (pending && line.replace(/\r$/, '').length > 0) {
      out.set(pending.name, { offset: pending.offset, lineBases: line.replace(/\r$/, '').length, lineBytes: line.length + 1 });
      pending = undefined;
    }
    pos = lineEnd + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const root = tempDir('seqserve-sequences-');
after(() => removeDir(root));

kinds.forEach((kind, index) => {
  describe(kind.title, () => {
    let dir = '';
    let files: Files = { fastas: [], raws: [] };
    let app: FastifyInstance;
    /** name → what the naive oracle says it serves. */
    const served = new Map<string, Served>();
    let queries: Query[] = [];
    let got: Promise<Answer[]> | undefined;
    const samtools = new Map<string, SamtoolsCopy>();

    before(async () => {
      dir = subDir(root, `kind-${index}`);
      files = kind.write(dir);
      for (const f of files.fastas) {
        const layouts = naiveLayouts(f.path);
        for (const [name, sequence] of readFasta(f.path)) {
          served.set(name, { name, sequence, file: f.path, format: 'fasta', lineWidth: layouts.get(name)?.lineBases ?? 1 });
        }
      }
      for (const r of files.raws) {
        const name = rawName(r.path);
        const sequence = readRaw(r.path);
        served.set(name, { name, sequence, file: r.path, format: 'raw', lineWidth: Math.max(1, sequence.length) });
      }
      const rng = prng(1000 + index);
      const all = [...served.values()];
      const every = kind.detailed === undefined ? 1 : Math.max(1, Math.floor(all.length / kind.detailed));
      queries = all.flatMap((s, i) => (i % every === 0 ? queriesFor(s, kind, rng) : lightQueriesFor(s, rng)));
      app = await testApp(dir);
    });

    after(async () => {
      await app?.close();
      for (const copy of samtools.values()) copy.remove();
    });

    const serverAnswers = () => (got ??= answers(app, queries));
    const samtoolsCopy = (fasta: string) => {
      let copy = samtools.get(fasta);
      if (!copy) samtools.set(fasta, (copy = new SamtoolsCopy(fasta)));
      return copy;
    };

    test('the generator and the naive reader agree on every record (oracle self-check)', () => {
      for (const f of files.fastas) {
        assert.deepEqual(
          readFastaRecords(f.path).map((r) => [r.name, r.sequence]),
          f.records.map((r) => [r.name, r.sequence]),
        );
        assert.deepEqual([...readFasta(f.path)], [...f.sequences]);
      }
      for (const r of files.raws) assert.equal(readRaw(r.path), r.sequence);
    });

    test('GET /chrom lists exactly the names and lengths the naive reader finds', async () => {
      const res = await ask(app, '/chrom');
      assert.equal(res.statusCode, 200);
      const list = res.json() as { name: string; length: number }[];
      const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      assert.deepEqual(
        [...list].sort(byName),
        [...served.values()].map((s) => ({ name: s.name, length: s.sequence.length })).sort(byName),
      );
    });

    test('GET /chrom/:name describes where each sequence is stored', async () => {
      const layouts = new Map<string, Layout>();
      for (const f of files.fastas) for (const [name, layout] of naiveLayouts(f.path)) layouts.set(name, layout);
      const mismatches: string[] = [];
      await inBatches([...served.values()], 250, async (s) => {
        const res = await ask(app, `/chrom/${enc(s.name)}`);
        if (res.statusCode !== 200) return void mismatches.push(`${s.name}: status ${res.statusCode} ${res.body}`);
        const got = res.json() as Record<string, unknown>;
        const want: Record<string, unknown> =
          s.format === 'fasta'
            ? { name: s.name, length: s.sequence.length, format: 'fasta', file: basename(s.file), ...layouts.get(s.name) }
            : { name: s.name, length: s.sequence.length, format: 'raw', file: basename(s.file), offset: 0, lineBases: got.lineBytes, lineBytes: got.lineBytes };
        try {
          assert.deepEqual(got, want);
          if (s.format === 'raw') assert.ok((got.lineBases as number) >= s.sequence.length, 'a raw file is one line');
        } catch {
          mismatches.push(`${s.name}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
        }
      });
      assert.deepEqual(report(mismatches), []);
    });

    test('the .fai the server wrote is byte-identical to the one samtools faidx writes', (t) => {
      if (files.fastas.length === 0) return t.skip('no FASTA in this folder');
      if (!hasSamtools()) return t.skip('samtools not installed');
      for (const f of files.fastas) {
        const fai = `${f.path}.fai`;
        assert.ok(existsSync(fai), `server did not write ${fai}`);
        const ours = readFileSync(fai);
        const theirs = samtoolsCopy(f.path).fai();
        assert.equal(ours.toString('latin1'), theirs.toString('latin1'), `${basename(fai)} differs from samtools faidx`);
        assert.ok(ours.equals(theirs));
      }
    });

    test('bases and ranges (both strands) match the naive reader', async (t) => {
      const res = await serverAnswers();
      t.diagnostic(`${queries.length} queries over ${served.size} sequences`);
      const mismatches: string[] = [];
      queries.forEach((q, i) => {
        const a = res[i]!;
        const want = expected(served.get(q.name)!, q);
        if (a.status !== 200 || a.body !== want || !a.contentType?.startsWith('text/plain')) {
          mismatches.push(`${q.url}: status ${a.status} (${a.contentType}) got ${clip(a.body)}, want ${clip(want)}`);
        }
      });
      assert.ok(queries.length > 40, 'too few queries');
      assert.deepEqual(report(mismatches), []);
    });

    test('bases and ranges (both strands) match samtools faidx on a copy of the file', async (t) => {
      if (files.fastas.length === 0) return t.skip('no FASTA in this folder');
      if (!hasSamtools()) return t.skip('samtools not installed');
      const res = await serverAnswers();
      const mismatches: string[] = [];
      for (const f of files.fastas) {
        const names = new Set(f.sequences.keys());
        for (const reverse of [false, true]) {
          // samtools cannot fetch an empty region; those are checked against the naive reader only.
          const picked = queries.map((q, i) => [q, i] as const).filter(([q]) => names.has(q.name) && q.end > q.start && q.reverse === reverse);
          const regions: Region[] = picked.map(([q]) => ({ name: q.name, start: q.start, end: q.end }));
          const theirs = samtoolsCopy(f.path).faidx(regions, { reverse });
          picked.forEach(([q, i], k) => {
            const ours = res[i]!.body;
            const naive = expected(served.get(q.name)!, q);
            if (ours !== theirs[k]) mismatches.push(`${q.url}: server ${clip(ours)}, samtools ${clip(theirs[k]!)}`);
            if (naive !== theirs[k]) mismatches.push(`oracles disagree on ${q.url}: naive ${clip(naive)}, samtools ${clip(theirs[k]!)}`);
          });
        }
      }
      assert.deepEqual(report(mismatches), []);
    });

    test('coordinates past the end are 416', async () => {
      const mismatches: string[] = [];
      await inBatches([...served.values()].slice(0, 50), 50, async (s) => {
        const L = s.sequence.length;
        for (const url of [
          `/chrom/${enc(s.name)}/base/${L}`,
          `/chrom/${enc(s.name)}/base/${L + 1000}`,
          `/chrom/${enc(s.name)}/range?start=0&end=${L + 1}`,
          `/chrom/${enc(s.name)}/range?start=${L + 1}`,
        ]) {
          const res = await ask(app, url);
          if (res.statusCode !== 416) mismatches.push(`${url}: status ${res.statusCode}, want 416`);
        }
      });
      assert.deepEqual(report(mismatches), []);
    });

    test('HTTP Range selects bytes of the answer: 206 with Content-Range', async () => {
      const rng = prng(2000 + index);
      const candidates = [...served.values()].filter((s) => s.sequence.length >= 10).slice(0, 6);
      const mismatches: string[] = [];
      for (const s of candidates) {
        const L = s.sequence.length;
        for (const reverse of [false, true]) {
          const start = randInt(rng, 0, Math.floor(L / 3));
          const end = randInt(rng, start + 5, L);
          const size = end - start;
          const whole = reverse ? reverseComplement(s.sequence.slice(start, end)) : s.sequence.slice(start, end);
          const url = `/chrom/${enc(s.name)}/range?start=${start}&end=${end}${reverse ? '&strand=-' : ''}`;
          const a = randInt(rng, 0, size - 2);
          const b = randInt(rng, a, size - 1);
          const n = randInt(rng, 1, size);
          const cases: [header: string, status: number, from: number, to: number][] = [
            [`bytes=${a}-${b}`, 206, a, b + 1],
            [`bytes=${a}-`, 206, a, size],
            [`bytes=-${n}`, 206, size - n, size],
            [`bytes=-${size + 100}`, 206, 0, size], // more than there is: all of it
            [`bytes=${a}-${size + 100}`, 206, a, size], // last byte past the end: clipped
            [`bytes=0-0`, 206, 0, 1],
            [`bytes=${size - 1}-`, 206, size - 1, size],
            [`bytes=${size}-`, 416, 0, 0],
          ];
          for (const [header, status, from, to] of cases) {
            const res = await ask(app, url, { range: header });
            const body = res.rawPayload.toString('latin1');
            const where = `${url} Range: ${header}`;
            if (res.statusCode !== status) {
              mismatches.push(`${where}: status ${res.statusCode}, want ${status}`);
              continue;
            }
            if (status !== 206) continue;
            const want = whole.slice(from, to);
            if (body !== want) mismatches.push(`${where}: got ${clip(body)}, want ${clip(want)}`);
            const cr = res.headers['content-range'];
            if (cr !== `bytes ${from}-${to - 1}/${size}`) mismatches.push(`${where}: Content-Range ${cr}, want bytes ${from}-${to - 1}/${size}`);
          }
        }
      }
      if (candidates.length === 0) return;
      assert.deepEqual(report(mismatches), []);
    });

    test('large answers streamed (streamThreshold 1024) match the naive reader, with and without Range', async () => {
      const big = [...served.values()].filter((s) => s.sequence.length > 1024);
      if (big.length === 0) return;
      const streaming = await testApp(dir, { streamThreshold: 1024 });
      try {
        const rng = prng(3000 + index);
        const mismatches: string[] = [];
        for (const s of big.slice(0, 8)) {
          const L = s.sequence.length;
          const start = randInt(rng, 0, L - 1025);
          for (const [from, to] of [
            [0, L],
            [start, L],
            [start, start + 1025],
          ] as const) {
            for (const reverse of [false, true]) {
              const bases = s.sequence.slice(from, to);
              const whole = reverse ? reverseComplement(bases) : bases;
              const url = `/chrom/${enc(s.name)}/range?start=${from}&end=${to}${reverse ? '&strand=-' : ''}`;
              const res = await ask(streaming, url);
              const body = res.rawPayload.toString('latin1');
              if (res.statusCode !== 200 || body !== whole) mismatches.push(`${url}: status ${res.statusCode}, got ${clip(body)}, want ${clip(whole)}`);
              const r = await ask(streaming, url, { range: 'bytes=1-' });
              const rb = r.rawPayload.toString('latin1');
              if (r.statusCode !== 206 || rb !== whole.slice(1)) mismatches.push(`${url} Range bytes=1-: status ${r.statusCode}, got ${clip(rb)}, want ${clip(whole.slice(1))}`);
              if (r.headers['content-range'] !== `bytes 1-${whole.length - 1}/${whole.length}`) {
                mismatches.push(`${url} Range bytes=1-: Content-Range ${r.headers['content-range']}`);
              }
            }
          }
        }
        assert.deepEqual(report(mismatches), []);
      } finally {
        await streaming.close();
      }
    });

    test('a restart on the same folder (reading the .fai it wrote) serves the same', async () => {
      const again = await testApp(dir);
      try {
        const first = await ask(app, '/chrom');
        const second = await ask(again, '/chrom');
        assert.equal(second.statusCode, 200);
        assert.deepEqual(second.json(), first.json());
        const sample = queries.filter((_, i) => i % 7 === 0);
        const res = await answers(again, sample);
        const mismatches: string[] = [];
        sample.forEach((q, i) => {
          const want = expected(served.get(q.name)!, q);
          if (res[i]!.status !== 200 || res[i]!.body !== want) mismatches.push(`${q.url}: status ${res[i]!.status}, got ${clip(res[i]!.body)}, want ${clip(want)}`);
        });
        assert.deepEqual(report(mismatches), []);
      } finally {
        await again.close();
      }
    });

    if (kind.title.startsWith('raw files')) {
      test('an empty raw file is an empty sequence: empty ranges, base/0 is 416', async () => {
        const list = (await ask(app, '/chrom')).json() as { name: string; length: number }[];
        assert.deepEqual(list.find((s) => s.name === 'empty'), { name: 'empty', length: 0 });
        for (const url of ['/chrom/empty/range', '/chrom/empty/range?start=0&end=0', '/chrom/empty/range?strand=-']) {
          const res = await ask(app, url);
          assert.equal(res.statusCode, 200, url);
          assert.equal(res.body, '', url);
        }
        assert.equal((await ask(app, '/chrom/empty/base/0')).statusCode, 416);
        assert.equal((await ask(app, '/chrom/empty/range?start=1')).statusCode, 416);
        const meta = await ask(app, '/chrom/empty');
        assert.equal(meta.statusCode, 200);
        assert.equal((meta.json() as { length: number }).length, 0);
      });
    }

    if (kind.title.startsWith('empty records')) {
      test('a FASTA header without bases is not served, as samtools does not index it', async () => {
        for (const name of ['gap', 'gap2']) {
          const res = await ask(app, `/chrom/${name}/range`);
          assert.equal(res.statusCode, 404, `${name}: ${res.statusCode} ${res.body}`);
        }
        // The duplicated name serves its FIRST record.
        const first = files.fastas[0]!.records.find((r) => r.name === 'first')!.sequence;
        const res = await ask(app, '/chrom/first/range');
        assert.equal(res.body, first);
      });
    }
  });
});
