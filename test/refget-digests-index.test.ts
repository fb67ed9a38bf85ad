/**
 * DigestIndex: digests computed in a worker and found by every id form, sidecars used on the next
 * start, failures warned about file by file, a clean close, and a main thread left free (a 5 ms
 * timer keeps ticking while 66 Mbp are hashed).
 *
 * Run alone: node --import tsx --test test/refget-digests-index.test.ts
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCatalog } from '../src/data/catalog.js';
import type { SequenceRecord } from '../src/data/sequence-record.js';
import { DigestIndex } from '../src/refget/digest-index.js';
import { sidecarPath } from '../src/refget/digest-sidecar.js';
import { digestMismatches } from './helpers/digest-mismatches.js';
import { edgeRecords } from './helpers/edge-records.js';
import { prng, removeDir, subDir, tempDir, writeFasta } from './helpers/fasta-fixtures.js';
import { recordingLog, silent } from './helpers/recording-log.js';
import { oracleDigests, type ExpectedDigests } from './helpers/refget-oracle.js';

describe('DigestIndex', () => {
  type Item = { record: SequenceRecord };
  let dir: string;
  let items: Item[];
  const expected = new Map<string, string>();
  const open: DigestIndex<Item>[] = [];
  const started = (index: DigestIndex<Item>) => (open.push(index), index);

  before(() => {
    dir = tempDir('seqserve-digest-index-');
    const a = writeFasta(dir, 'a.fa', { seed: 40, lineWidth: 60, lowercase: true, nRuns: true, records: edgeRecords(20, 'a') });
    const b = writeFasta(dir, 'b.fa', { seed: 41, lineWidth: 61, crlf: true, alphabet: 'iupac', records: edgeRecords(8, 'b') });
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
    const bad = digestMismatches(
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
    const ok = writeFasta(sub, 'ok.fa', { seed: 50, lineWidth: 60, records: edgeRecords(3, 'ok') });
    const cut = writeFasta(sub, 'cut.fa', { seed: 51, lineWidth: 60, records: edgeRecords(3, 'cut') });
    const ro = writeFasta(sub, 'ro.fa', { seed: 52, lineWidth: 60, records: edgeRecords(3, 'ro') });
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
