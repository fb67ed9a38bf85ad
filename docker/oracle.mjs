#!/usr/bin/env node
// Test genome and independent oracle for docker/check-image.sh. Uses node built-ins only and
// none of seqserve's code: it reads the FASTA the plain way (headers, lines joined) and compares
// what a running container answers with it.
//   node docker/oracle.mjs make DIR [SEED]         write DIR/test.fa (3 sequences, no .fai) and DIR/extra.raw
//   node docker/oracle.mjs check-demo URL FASTA   the bare image: a base and a range of the demo genome
//   node docker/oracle.mjs check URL DIR          the mounted test genome: every sequence, .fai, refget
// Exits 1 with a message naming the first mismatch.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [cmd, ...args] = process.argv.slice(2);
let checks = 0;

function fail(msg) {
  console.error(`oracle: MISMATCH: ${msg}`);
  process.exit(1);
}

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBases(n, next) {
  const out = [];
  for (let i = 0; i < n; i++) out.push('ACGT'[Math.floor(next() * 4)]);
  // an N run and a soft-masked stretch
  for (let i = Math.floor(n / 3); i < Math.min(n, Math.floor(n / 3) + 200); i++) out[i] = 'N';
  for (let i = Math.floor(n / 2); i < Math.min(n, Math.floor(n / 2) + 300); i++) out[i] = out[i].toLowerCase();
  return out.join('');
}

function wrap(seq, width) {
  const lines = [];
  for (let i = 0; i < seq.length; i += width) lines.push(seq.slice(i, i + width));
  return lines.join('\n') + '\n';
}

/** name -> sequence, the plain way. Also the .fai samtools would write (LF files, fixed width). */
function readFasta(path) {
  const text = readFileSync(path, 'latin1');
  const seqs = new Map();
  const fai = [];
  let at = 0;
  for (const block of text.split(/^>/m).slice(1)) {
    const start = text.indexOf('>' + block, at);
    at = start + 1;
    const nl = block.indexOf('\n');
    const name = block.slice(0, nl).trim().split(/\s/)[0];
    const lines = block.slice(nl + 1).split('\n');
    if (lines.at(-1) === '') lines.pop();
    const seq = lines.join('');
    seqs.set(name, seq);
    fai.push(`${name}\t${seq.length}\t${start + nl + 2}\t${lines[0].length}\t${lines[0].length + 1}\n`);
  }
  return { seqs, fai: fai.join('') };
}

async function get(url, init) {
  const r = await fetch(url, init);
  const body = await r.text();
  return { status: r.status, body, headers: r.headers };
}

async function expectText(url, want) {
  const { status, body } = await get(url);
  checks++;
  if (status !== 200 && status !== 206) fail(`GET ${url}: status ${status}: ${body.slice(0, 200)}`);
  if (body !== want) fail(`GET ${url}: got ${body.length} bytes "${body.slice(0, 40)}...", want ${want.length} "${want.slice(0, 40)}..."`);
}

const complement = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N', a: 't', c: 'g', g: 'c', t: 'a', n: 'n' };
const revcomp = (s) =>
  [...s]
    .reverse()
    .map((c) => complement[c] ?? fail(`no complement for ${c}`))
    .join('');

if (cmd === 'make') {
  const [dir, seedArg] = args;
  const seed = seedArg ? Number(seedArg) : Date.now() % 100000;
  const next = rng(seed);
  mkdirSync(dir, { recursive: true });
  const fa =
    `>chrA test sequence A (seed ${seed})\n` +
    wrap(randomBases(25_013, next), 60) +
    `>chrB\n` +
    wrap(randomBases(9_999, next), 80) +
    `>MT test mitochondrion\n` +
    wrap(randomBases(16_569, next), 70);
  writeFileSync(join(dir, 'test.fa'), fa);
  writeFileSync(join(dir, 'extra.raw'), randomBases(5_000, next));
  console.log(`oracle: test genome in ${dir} (seed ${seed}): test.fa (chrA, chrB, MT, no .fai), extra.raw`);
} else if (cmd === 'check-demo') {
  const [url, fasta] = args;
  const { seqs } = readFasta(fasta);
  const chr11 = seqs.get('11') ?? fail('demo FASTA has no sequence 11');
  await expectText(`${url}/chrom/11/base/5000000`, chr11[5000000]);
  await expectText(`${url}/chrom/11/range?start=5000000&end=5000100`, chr11.slice(5000000, 5000100));
  await expectText(`${url}/chrom/MT/range?start=0&end=60&strand=-`, revcompIupac(seqs.get('MT').slice(0, 60)));
  const ready = JSON.parse((await get(`${url}/readyz`)).body);
  checks++;
  if (ready.digests.known !== ready.digests.total) fail(`bundled digests: ${JSON.stringify(ready.digests)} (the sidecars should be in the image)`);
  console.log(`oracle: demo genome: ${checks} checks passed (${ready.sequences} sequences, digests ${ready.digests.known}/${ready.digests.total} bundled)`);
} else if (cmd === 'check') {
  const [url, dir] = args;
  const { seqs, fai } = readFasta(join(dir, 'test.fa'));
  seqs.set('extra', readFileSync(join(dir, 'extra.raw'), 'latin1'));
  const next = rng(7);
  const list = JSON.parse((await get(`${url}/chrom`)).body);
  checks++;
  const got = list
    .map((c) => `${c.name}:${c.length}`)
    .sort()
    .join(' ');
  const want = [...seqs]
    .map(([n, s]) => `${n}:${s.length}`)
    .sort()
    .join(' ');
  if (got !== want) fail(`/chrom lists ${got}, want ${want}`);
  for (const [name, seq] of seqs) {
    const len = seq.length;
    for (const i of [0, 59, 60, 61, len - 1, ...Array.from({ length: 5 }, () => Math.floor(next() * len))])
      await expectText(`${url}/chrom/${name}/base/${i}`, seq[i]);
    await expectText(`${url}/chrom/${name}/range`, seq);
    for (let k = 0; k < 5; k++) {
      const s = Math.floor(next() * len);
      const e = Math.min(len, s + 1 + Math.floor(next() * 3000));
      await expectText(`${url}/chrom/${name}/range?start=${s}&end=${e}`, seq.slice(s, e));
      await expectText(`${url}/region/${name}:${s + 1}-${e}`, seq.slice(s, e));
      await expectText(`${url}/chrom/${name}/range?start=${s}&end=${e}&strand=-`, revcomp(seq.slice(s, e)));
    }
  }
  // The .fai the server built in memory (it cannot write beside a read-only volume).
  await expectText(`${url}/files/test.fa.fai`, fai);
  await expectText(`${url}/files/test.fa`, readFileSync(join(dir, 'test.fa'), 'latin1'));
  // refget digests are computed in the background, in memory: wait for them, then fetch by MD5.
  for (let t = 0; ; t++) {
    const ready = JSON.parse((await get(`${url}/readyz`)).body);
    if (ready.digests.known === ready.digests.total) break;
    if (t > 100) fail(`digests still ${JSON.stringify(ready.digests)} after 20 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const [, seq] of seqs) {
    const md5 = createHash('md5').update(seq.toUpperCase()).digest('hex');
    await expectText(`${url}/sequence/${md5}?start=10&end=250`, seq.slice(10, 250).toUpperCase());
  }
  console.log(`oracle: mounted genome: ${checks} checks passed (${seqs.size} sequences)`);
} else {
  console.error('usage: oracle.mjs make DIR [SEED] | check-demo URL FASTA | check URL DIR');
  process.exit(2);
}

/** Reverse complement with IUPAC codes, case kept (the demo genome has them). */
function revcompIupac(s) {
  const pairs = 'ACGTRYKMSWBDHVN';
  const comps = 'TGCAYRMKSWVHDBN';
  return [...s]
    .reverse()
    .map((c) => {
      const i = pairs.indexOf(c.toUpperCase());
      if (i < 0) fail(`no complement for ${c}`);
      return c === c.toUpperCase() ? comps[i] : comps[i].toLowerCase();
    })
    .join('');
}
