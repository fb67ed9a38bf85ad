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
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { prng, randInt, removeDir, subDir, tempDir } from './helpers/fasta-fixtures.js';
import { readFasta, readFastaRecords, readRaw, rawName, reverseComplement } from './helpers/naive-fasta.js';
import { naiveLayouts, type Layout } from './helpers/naive-layout.js';
import { answers, ask, clip, enc, expected, inBatches, lightQueriesFor, queriesFor, report, type Answer, type Query, type Served } from './helpers/queries.js';
import { SamtoolsCopy, hasSamtools, type Region } from './helpers/samtools.js';
import { kinds, type Files } from './helpers/sequence-kinds.js';

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
      // Names and lengths only: aliases are test/aliases.test.ts's.
      const list = res.json<{ name: string; length: number }[]>().map(({ name, length }) => ({ name, length }));
      const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      assert.deepEqual([...list].sort(byName), [...served.values()].map((s) => ({ name: s.name, length: s.sequence.length })).sort(byName));
    });

    test('GET /chrom/:name describes where each sequence is stored', async () => {
      const layouts = new Map<string, Layout>();
      for (const f of files.fastas) for (const [name, layout] of naiveLayouts(f.path)) layouts.set(name, layout);
      const mismatches: string[] = [];
      await inBatches([...served.values()], 250, async (s) => {
        const res = await ask(app, `/chrom/${enc(s.name)}`);
        if (res.statusCode !== 200) return void mismatches.push(`${s.name}: status ${res.statusCode} ${res.body}`);
        const { aliases: _aliases, ...got } = res.json<Record<string, unknown>>();
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
        assert.ok(ours.equals(theirs), `the .fai written beside ${f.path} differs from samtools faidx`);
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
              if (r.statusCode !== 206 || rb !== whole.slice(1))
                mismatches.push(`${url} Range bytes=1-: status ${r.statusCode}, got ${clip(rb)}, want ${clip(whole.slice(1))}`);
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
          if (res[i]!.status !== 200 || res[i]!.body !== want)
            mismatches.push(`${q.url}: status ${res[i]!.status}, got ${clip(res[i]!.body)}, want ${clip(want)}`);
        });
        assert.deepEqual(report(mismatches), []);
      } finally {
        await again.close();
      }
    });

    if (kind.title.startsWith('raw files')) {
      test('an empty raw file is an empty sequence: empty ranges, base/0 is 416', async () => {
        const list = (await ask(app, '/chrom')).json<{ name: string; length: number }[]>();
        assert.deepEqual(list.find((s) => s.name === 'empty')?.length, 0, 'the empty sequence is listed with length 0');
        for (const url of ['/chrom/empty/range', '/chrom/empty/range?start=0&end=0', '/chrom/empty/range?strand=-']) {
          const res = await ask(app, url);
          assert.equal(res.statusCode, 200, url);
          assert.equal(res.body, '', url);
        }
        assert.equal((await ask(app, '/chrom/empty/base/0')).statusCode, 416);
        assert.equal((await ask(app, '/chrom/empty/range?start=1')).statusCode, 416);
        const meta = await ask(app, '/chrom/empty');
        assert.equal(meta.statusCode, 200);
        assert.equal(meta.json<{ length: number }>().length, 0);
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
