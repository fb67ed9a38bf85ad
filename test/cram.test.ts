/**
 * htslib decoding CRAM with seqserve as its only reference: the CRAM is made against a copy of
 * the FASTA that is then deleted, so every reference base samtools needs to rebuild the reads
 * comes from GET /sequence/{md5} (refget), found through REF_PATH by the @SQ M5 tag. Expected
 * values come from the generated reads and from samtools on the local copy, never the server.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import {
  generateReads,
  md5Upper,
  samRecords,
  samText,
  samtoolsAsync,
  sqLines,
  writeReference,
  type Read,
  type Reference,
  type Run,
} from './helpers/cram-fixtures.js';
import { removeDir, subDir, tempDir } from './helpers/fasta-fixtures.js';
import { reverseComplement } from './helpers/naive-fasta.js';
import { hasSamtools } from './helpers/samtools.js';

const skip = !hasSamtools() && 'samtools not installed';

describe('htslib decodes CRAM fetching its reference from seqserve by MD5 (REF_PATH)', { skip }, () => {
  let root: string;
  let work: string;
  let reference: Reference;
  let reads: Read[];
  let sortedSam: string;
  let calmdSam: string;
  let cramHeader: string;
  let app: FastifyInstance | undefined;
  let url: string;
  // Answers under /sequence/ (and the 404 path /nowhere/), by status: proof htslib asked seqserve.
  const served = new Map<number, number>();
  let caches = 0;

  /** A fresh, empty REF_CACHE for each decode, so nothing is read from an earlier one. */
  const freshCache = () => subDir(root, `ref-cache-${caches++}`);
  const decode = (args: string[], refPath: string, cache: string): Promise<Run> =>
    samtoolsAsync(args, { cwd: work, env: { REF_PATH: refPath, REF_CACHE: cache } });
  // htslib 1.16 takes http://127.0.0.1:PORT/sequence/%s as is (http: entries keep host:port; "::" works, not needed).
  const refPath = () => `${url}/sequence/%s`;

  before(async () => {
    root = tempDir('seqserve-cram-');
    const data = subDir(root, 'data');
    work = subDir(root, 'work');
    const scratch = subDir(root, 'scratch');
    reference = writeReference(data, 'ref.fa', 2024);
    reads = generateReads(reference, 300, 2025);
    writeFileSync(join(work, 'reads.sam'), samText(reference, reads));
    // Nothing listens yet, but samtools runs asynchronously all the same (see samtoolsAsync).
    const ok = (r: Run, what: string) => assert.equal(r.code, 0, `${what} failed: ${r.stderr}`);
    ok(await samtoolsAsync(['sort', '-O', 'sam', '-o', 'sorted.sam', 'reads.sam'], { cwd: work }), 'samtools sort');
    sortedSam = readFileSync(join(work, 'sorted.sam'), 'latin1');
    const copy = join(scratch, 'copy.fa');
    copyFileSync(reference.path, copy);
    ok(await samtoolsAsync(['view', '-C', '-T', copy, '-o', 'reads.cram', 'sorted.sam'], { cwd: work }), 'samtools view -C');
    // MD and NM as samtools computes them from the local FASTA: the decoder regenerates both.
    const calmd = await samtoolsAsync(['calmd', 'sorted.sam', copy], { cwd: work });
    ok(calmd, 'samtools calmd');
    calmdSam = calmd.stdout;
    // No local FASTA (nor .fai) may be left for the decoder to fall back on through UR:.
    removeDir(scratch);
    const header = await samtoolsAsync(['view', '-H', 'reads.cram'], { cwd: work });
    ok(header, 'samtools view -H');
    cramHeader = header.stdout;

    // listeningApp's app, but with a look at the raw server's requests (below the routes).
    // Digests on: testApp leaves the background hashing off unless a test asks for it.
    app = await testApp(data, { digests: true });
    app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (/^\/(sequence|nowhere)\//.test(req.url ?? '')) res.on('finish', () => served.set(res.statusCode, (served.get(res.statusCode) ?? 0) + 1));
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    // Digests are computed in the background after startup; until then /sequence/{md5} is a 404.
    const deadline = Date.now() + 20_000;
    for (const r of reference.records) {
      const md5 = md5Upper(r.sequence);
      for (;;) {
        const res = await fetch(`${url}/sequence/${md5}`);
        const body = await res.text();
        if (res.status === 200) break;
        if (Date.now() > deadline) {
          throw new Error(`GET /sequence/${md5} (${r.name}) still answers ${res.status} 20 s after startup, digests never became known: ${body.slice(0, 300)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    served.clear();
  });

  after(async () => {
    await app?.close();
    if (root) removeDir(root);
  });

  it("made a CRAM whose @SQ lines carry each sequence's MD5, with a UR that points at no file", () => {
    const sq = sqLines(cramHeader);
    assert.deepEqual(
      sq.map((t) => [t.get('SN'), t.get('LN')]),
      reference.records.map((r) => [r.name, String(r.sequence.length)]),
      '@SQ SN/LN',
    );
    for (const [i, r] of reference.records.entries()) {
      assert.equal(sq[i]!.get('M5'), md5Upper(r.sequence), `@SQ M5 of ${r.name} (samtools vs MD5 of the generated bases upper-cased)`);
      const ur = sq[i]!.get('UR');
      if (ur !== undefined) assert.ok(!existsSync(ur.replace(/^file:\/\//, '')), `UR:${ur} of ${r.name} must not exist`);
    }
    assert.ok(
      reads.some((r) => /[RYKMSWBDHV]/.test(r.seq)),
      'some read lies over an IUPAC code of the reference',
    );
    assert.ok(
      reads.some((r) => /N{5}/.test(r.seq)),
      'some read lies over an N run',
    );
  });

  it('decodes every record exactly as written, from bases served by GET /sequence/{md5}', async () => {
    const cache = freshCache();
    // decode_md=0: records as stored, without the MD/NM htslib otherwise adds (checked below).
    const run = await decode(['view', '-h', '--input-fmt-option', 'decode_md=0', 'reads.cram'], refPath(), cache);
    assert.equal(run.code, 0, `samtools view of the CRAM failed: ${run.stderr}`);
    const got = samRecords(run.stdout);
    const want = samRecords(sortedSam);
    assert.equal(got.length, want.length, 'record count');
    for (let i = 0; i < want.length; i++) assert.equal(got[i], want[i], `record ${i}`);
    const sq = sqLines(run.stdout).map((t) => [t.get('SN'), t.get('LN'), t.get('M5')]);
    assert.deepEqual(
      sq,
      reference.records.map((r) => [r.name, String(r.sequence.length), md5Upper(r.sequence)]),
      'decoded @SQ SN/LN/M5',
    );
    // htslib fetched each sequence from the server (whole, once) and cached what it got.
    assert.equal(served.get(200), reference.records.length, `GET /sequence/ answered 200 ${served.get(200) ?? 0} times, one per sequence expected`);
    const cached = new Map(cacheFiles(cache).map((f) => [f.split('/').pop()!, readFileSync(f, 'latin1')]));
    for (const r of reference.records) {
      assert.equal(cached.get(md5Upper(r.sequence)), r.sequence.toUpperCase(), `REF_CACHE holds ${r.name}, upper-cased, under its MD5`);
    }
  });

  it('regenerates MD and NM from the served bases as samtools calmd does from the local FASTA', async () => {
    const run = await decode(['view', '--output-fmt', 'SAM', 'reads.cram'], refPath(), freshCache());
    assert.equal(run.code, 0, `samtools view of the CRAM failed: ${run.stderr}`);
    // Tag order differs (calmd appends NM before MD), so tags are compared as sorted sets.
    const norm = (line: string) => {
      const f = line.split('\t');
      return [...f.slice(0, 11), ...f.slice(11).sort()].join('\t');
    };
    const got = samRecords(run.stdout).map(norm);
    const want = samRecords(calmdSam).map(norm);
    assert.equal(got.length, want.length, 'record count');
    for (let i = 0; i < want.length; i++) assert.equal(got[i], want[i], `record ${i} with MD/NM`);
  });

  it("gives each read's bases in sequencing orientation through samtools fasta", async () => {
    const run = await decode(['fasta', 'reads.cram'], refPath(), freshCache());
    assert.equal(run.code, 0, `samtools fasta of the CRAM failed: ${run.stderr}`);
    const lines = run.stdout.split('\n').filter((l) => l.length > 0);
    const got = new Map<string, string>();
    for (let i = 0; i < lines.length; i += 2) got.set(lines[i]!.slice(1), lines[i + 1] ?? '');
    assert.equal(got.size, reads.length, 'one FASTA record per read');
    for (const r of reads) {
      assert.equal(got.get(r.qname), r.flag & 16 ? reverseComplement(r.seq) : r.seq, `bases of ${r.qname} (flag ${r.flag})`);
    }
  });

  it('fails to decode when REF_PATH points where the server answers 404', async () => {
    const cache = freshCache();
    const run = await decode(['view', 'reads.cram'], `${url}/nowhere/%s`, cache);
    assert.notEqual(run.code, 0, `decoding without a reference must fail; it printed ${run.stdout.length} bytes`);
    assert.match(run.stderr, /reference/i, 'htslib says a reference is missing');
    assert.ok((served.get(404) ?? 0) > 0, 'htslib asked the server (and got 404)');
    assert.deepEqual(cacheFiles(cache), [], 'nothing cached from a 404');
  });
});

/** Every file under a REF_CACHE folder (htslib may nest them by digest prefix). */
function cacheFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name));
}
