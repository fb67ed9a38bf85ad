/**
 * Seqcol where assemblies are shown and named: /assemblies with their digests, an assembly
 * under /assemblies/{digest}/..., service-info's schema, /openapi.json, POST bodies refused
 * with 400 and 413, `seqserve info`, and an assembly of 50,000 contigs whose collection equals
 * one computed here from the written FASTA (sha512 and JSON.stringify: no src/seqcol code).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { runCli } from './helpers/cli-server.js';
import { prng, randomBases, removeDir, tempDir } from './helpers/fasta-fixtures.js';
import { assertProblem } from './helpers/problem.js';
import { openAssemblies } from '../src/data/assemblies.js';
import { DigestIndex } from '../src/refget/digest-index.js';
import { refgetItems } from '../src/refget/refget-item.js';
import { Collections } from '../src/seqcol/collections.js';
import { seqcolFixtures } from './helpers/seqcol-fixtures.js';

const t24u = (text: string) => createHash('sha512').update(text).digest().subarray(0, 24).toString('base64url');
const expected = seqcolFixtures.digests;
const base = expected['base.fa']!;
const subset = expected['subset.fa']!;

describe('seqcol on the assemblies', () => {
  let root: string;
  let app: FastifyInstance;

  before(async () => {
    root = tempDir('seqserve-seqcol-serving-');
    // base.fa at the top (the default assembly, named after the folder), subset.fa in a subfolder.
    copyFileSync(join(seqcolFixtures.dir, 'base.fa'), join(root, 'base.fa'));
    mkdirSync(join(root, 'subset'));
    copyFileSync(join(seqcolFixtures.dir, 'subset.fa'), join(root, 'subset', 'subset.fa'));
    app = await testApp(root, { digests: true, batchBodyLimit: 4096 });
    await app.digests.done;
  });
  after(async () => {
    await app?.close();
    removeDir(root);
  });

  test('/assemblies and /assemblies/NAME show each collection digest and where to get it', async () => {
    const list = (await app.inject('/assemblies')).json<{ name: string; collection: string; collection_url: string }[]>();
    assert.deepEqual(
      list.map((a) => a.collection),
      [base.top_level_digest, subset.top_level_digest],
    );
    assert.equal(list[1]!.collection_url, `/collection/${subset.top_level_digest}`);
    assert.equal((await app.inject('/assemblies/subset')).json<{ collection: string }>().collection, subset.top_level_digest);
  });

  test('an assembly answers under /assemblies/{digest}/... as under its name', async () => {
    for (const path of ['', '/chrom', '/chrom/chr1', '/chrom/chr1/range?start=1&end=3', '/chrom/chrX/base/7']) {
      const byName = await app.inject(`/assemblies/subset${path}`);
      const byDigest = await app.inject(`/assemblies/${subset.top_level_digest}${path}`);
      assert.equal(byDigest.statusCode, 200, `${path}: ${byDigest.body}`);
      assert.equal(byDigest.body, byName.body, path);
    }
    assert.equal((await app.inject(`/assemblies/${subset.top_level_digest}/chrom/chrX/range?start=0&end=8`)).body, 'TTGGGGAA');
    assertProblem(await app.inject(`/assemblies/${'B'.repeat(32)}/chrom`), 404);
  });

  test('/service-info: GA4GH service-info with the seqcol schema; refget keeps /sequence/service-info', async () => {
    const info = (await app.inject('/service-info')).json<{ type: { artifact: string; version: string }; seqcol: { schema: Record<string, unknown> } }>();
    assert.deepEqual(info.type, { group: 'org.ga4gh', artifact: 'refget-seqcol', version: '1.0.0' });
    const schema = info.seqcol.schema as { properties: Record<string, unknown>; ga4gh: { inherent: string[]; transient: string[] }; required: string[] };
    assert.deepEqual(schema.ga4gh, { inherent: ['names', 'sequences'], transient: ['sorted_name_length_pairs'] });
    assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(base.level1).sort());
    assert.equal((await app.inject('/sequence/service-info')).json<{ type: { artifact: string } }>().type.artifact, 'refget');
  });

  test('/openapi.json is the OpenAPI document of /docs, listing every seqcol route', async () => {
    const doc = (await app.inject('/openapi.json')).json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    assert.match(doc.openapi, /^3\./);
    assert.deepEqual(doc, (await app.inject('/docs/json')).json());
    for (const [path, method] of [
      ['/service-info', 'get'],
      ['/collection/{digest}', 'get'],
      ['/comparison/{digest1}/{digest2}', 'get'],
      ['/comparison/{digest1}', 'post'],
      ['/list/collection', 'get'],
      ['/attribute/collection/{attribute}/{digest}', 'get'],
    ] as const) {
      assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
    }
  });

  test('POST /comparison: a malformed collection is 400 naming the attribute; past the body cap 413; nothing changes', async () => {
    const post = (payload: unknown, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: `/comparison/${base.top_level_digest}`,
        payload: JSON.stringify(payload),
        headers: { 'content-type': 'application/json', ...headers },
      });
    for (const [body, word] of [
      [{ names: 'chr1' }, 'names'],
      [{ names: ['chr1'], lengths: [-1] }, 'lengths'],
      [{ names: ['a', 'b'], lengths: [1] }, 'collated'],
      [{ sequences: ['SQ.short'] }, 'sequences'],
      [{ name_length_pairs: [{ name: 'a' }] }, 'name_length_pairs'],
      [{}, 'no attributes'],
      [['names'], ''],
    ] as const) {
      const problem = assertProblem(await post(body), 400);
      assert.match(problem.detail, new RegExp(word), JSON.stringify(body));
    }
    assertProblem(await post({ names: Array.from({ length: 1000 }, (_, i) => `chr${i}`) }), 413);
    // A partial collection (a chrom.sizes: names and lengths) compares what it has; its digest is unknown.
    const partial = (await post({ names: ['chr1', 'chr2'], lengths: [4, 4] })).json<{ digests: { b: null }; attributes: { a_only: string[] } }>();
    assert.equal(partial.digests.b, null);
    // name_length_pairs is made from the names and lengths sent, as for a served collection.
    assert.deepEqual(partial.attributes.a_only, ['sequences', 'sorted_sequences']);
    assert.equal((await app.inject(`/collection/${base.top_level_digest}`)).statusCode, 200);
  });

  test('seqserve info shows each assembly digest once the sidecars hold every refget digest', async () => {
    const before = await runCli(['info', root, '--json']);
    assert.equal(before.code, 0, before.stderr);
    const indexed = await runCli(['index', root]);
    assert.equal(indexed.code, 0, indexed.stderr);
    const after = await runCli(['info', root, '--json']);
    const info = JSON.parse(after.stdout) as { assemblies: { name: string; collection: string | null }[] };
    assert.deepEqual(
      info.assemblies.map((a) => a.collection),
      [base.top_level_digest, subset.top_level_digest],
    );
    assert.match((await runCli(['info', root])).stdout, new RegExp(`seqcol digest: ${subset.top_level_digest}`));
  });
});

describe('seqcol on 50,000 contigs', () => {
  let root: string;
  let app: FastifyInstance;
  const names: string[] = [];
  const lengths: number[] = [];
  const sequences: string[] = [];

  before(async () => {
    root = tempDir('seqserve-seqcol-contigs-');
    const rng = prng(14);
    let text = '';
    for (let i = 0; i < 50_000; i++) {
      const bases = randomBases(rng, 1 + Math.floor(rng() * 60), { lowercase: true });
      names.push(`contig_${i}`);
      lengths.push(bases.length);
      sequences.push(`SQ.${t24u(bases.toUpperCase())}`);
      text += `>contig_${i}\n${bases}\n`;
    }
    writeFileSync(join(root, 'contigs.fa'), text);
    app = await testApp(root, { digests: true });
    await app.digests.done;
  });
  after(async () => {
    await app?.close();
    removeDir(root);
  });

  test('its collection equals one computed from the written file; it compares with itself and with a renamed copy', async () => {
    // JSON.stringify of strings and integers is already RFC 8785's form: an oracle free of src/seqcol.
    const digest = t24u(`{"names":"${t24u(JSON.stringify(names))}","sequences":"${t24u(JSON.stringify(sequences))}"}`);
    const [assembly] = (await app.inject('/assemblies')).json<{ collection: string }[]>();
    assert.equal(assembly!.collection, digest);
    const level2 = (await app.inject(`/collection/${digest}`)).json<{ names: string[]; lengths: number[]; sequences: string[] }>();
    assert.deepEqual([level2.names, level2.lengths, level2.sequences], [names, lengths, sequences]);
    const same = (await app.inject(`/comparison/${digest}/${digest}`)).json<{ array_elements: { a_and_b_count: Record<string, number> } }>();
    assert.equal(same.array_elements.a_and_b_count.sequences, 50_000);
    const renamed = names.map((n, i) => (i % 2 === 0 ? n.replace('contig_', 'ctg') : n));
    // The work is done in slices: a timer (a stand-in for other requests) runs while it is answered.
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    const res = await app.inject({ method: 'POST', url: `/comparison/${digest}`, payload: { names: renamed, lengths, sequences } });
    clearInterval(counting);
    assert.ok(turns > 2, `the event loop turned ${turns} times while a 50,000-sequence collection was compared`);
    const answer = res.json<{ array_elements: { a_and_b_count: Record<string, number>; a_and_b_same_order: Record<string, boolean | null> } }>();
    const all = { lengths: 50_000, sequences: 50_000, sorted_sequences: 50_000 };
    assert.deepEqual(answer.array_elements.a_and_b_count, { ...all, names: 25_000, name_length_pairs: 25_000 });
    assert.deepEqual(answer.array_elements.a_and_b_same_order, {
      lengths: true,
      names: true,
      name_length_pairs: true,
      sequences: true,
      sorted_sequences: true,
    });
  });

  test('built in the background in steps, or at once on demand: the same collection', async () => {
    const quiet = { info() {}, warn() {} };
    const assemblies = openAssemblies(root, quiet);
    const digests = DigestIndex.start(refgetItems(assemblies), quiet);
    try {
      await digests.done;
      const stepped = new Collections(assemblies, digests);
      let turns = 0;
      const counting = setInterval(() => turns++, 0);
      await stepped.warm();
      clearInterval(counting);
      assert.ok(turns > 0, 'requests (here a timer) ran while it was built');
      const atOnce = new Collections(assemblies, digests).of(assemblies.default)!;
      assert.deepEqual(stepped.list()[0]!.collection, atOnce.collection);
    } finally {
      await digests.close();
      assemblies.close();
    }
  });
});
