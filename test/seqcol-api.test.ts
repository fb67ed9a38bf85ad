/**
 * GA4GH seqcol over HTTP, against the reference implementation's test data
 * (../shared/specs/seqcol/test_fasta, copied into test/fixtures/seqcol): each of the six FASTA
 * files served as an assembly answers the expected level 0, 1 and 2, and every comparison of a
 * pair equals the expected one, both ways and by POST. The refget digests come from the server's
 * own background worker; the expected values are the fixture's, computed by another program.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { removeDir, tempDir } from './helpers/fasta-fixtures.js';
import { assertProblem } from './helpers/problem.js';
import { fixtureFiles, seqcolFixtures, type ExpectedCollection } from './helpers/seqcol-fixtures.js';

describe('seqcol API on the reference test data', () => {
  let root: string;
  let app: FastifyInstance;
  const expected: Record<string, ExpectedCollection> = seqcolFixtures.digests;

  before(async () => {
    root = tempDir('seqserve-seqcol-');
    // Each file an assembly of its own (a subfolder), named after the file.
    for (const file of fixtureFiles) {
      const dir = join(root, file.replace(/\.fa$/, ''));
      mkdirSync(dir);
      copyFileSync(join(seqcolFixtures.dir, file), join(dir, file));
    }
    app = await testApp(root, { digests: true });
    await app.digests.done;
  });
  after(async () => {
    await app?.close();
    removeDir(root);
  });

  const get = async (url: string) => {
    const res = await app.inject({ url });
    return { res, json: res.json<unknown>() };
  };

  test('each file served as an assembly: level 0, 1 and 2 as expected', async () => {
    for (const file of fixtureFiles) {
      const want = expected[file]!;
      const { res, json } = await get(`/collection/${want.top_level_digest}?level=1`);
      assert.equal(res.statusCode, 200, file);
      assert.deepEqual(json, want.level1, `${file} level 1`);
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
      // Level 2 leaves out the transient sorted_name_length_pairs, as the fixture does.
      for (const url of [`/collection/${want.top_level_digest}`, `/collection/${want.top_level_digest}?level=2`]) {
        assert.deepEqual((await get(url)).json, want.level2, `${file} ${url}`);
      }
    }
  });

  test('every comparison of the fixture pairs, both ways', async () => {
    for (const { a, b, answer } of seqcolFixtures.pairComparisons()) {
      const { res, json } = await get(`/comparison/${expected[a]!.top_level_digest}/${expected[b]!.top_level_digest}`);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(json, answer, `${a} vs ${b}`);
      const back = (await get(`/comparison/${expected[b]!.top_level_digest}/${expected[a]!.top_level_digest}`)).json;
      assert.deepEqual(back, seqcolFixtures.swapped(answer), `${b} vs ${a}`);
    }
  });

  test('POST /comparison/{digest} with a level 2 collection gives the same answer, with the posted digest', async () => {
    for (const { a, b, answer } of seqcolFixtures.pairComparisons()) {
      const res = await app.inject({ method: 'POST', url: `/comparison/${expected[a]!.top_level_digest}`, payload: expected[b]!.level2 });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), answer, `${a} vs posted ${b}`);
      // Only the spec's required attributes: the server makes the ancillary ones from them, as for its own.
      const { names, lengths, sequences } = expected[b]!.level2;
      const bare = await app.inject({ method: 'POST', url: `/comparison/${expected[a]!.top_level_digest}`, payload: { names, lengths, sequences } });
      assert.deepEqual(bare.json(), answer, `${a} vs posted ${b} (names, lengths, sequences)`);
    }
  });

  test('/list/collection pages through every collection, filters by level 1 digests with AND', async () => {
    const all = (await get('/list/collection')).json as { results: string[]; pagination: { page: number; page_size: number; total: number } };
    assert.deepEqual(all.pagination, { page: 0, page_size: 100, total: 6 });
    assert.deepEqual([...all.results].sort(), fixtureFiles.map((f) => expected[f]!.top_level_digest).sort());
    const paged = [0, 1, 2].map(async (page) => ((await get(`/list/collection?page=${page}&page_size=2`)).json as typeof all).results);
    assert.deepEqual((await Promise.all(paged)).flat(), all.results);
    // base, different_names and pair_swap share the sequences array; different_names alone adds its names.
    const sequences = expected['base.fa']!.level1.sequences;
    const bySequences = (await get(`/list/collection?sequences=${sequences}`)).json as typeof all;
    const withSequences = fixtureFiles.filter((f) => expected[f]!.level1.sequences === sequences);
    assert.deepEqual([...bySequences.results].sort(), withSequences.map((f) => expected[f]!.top_level_digest).sort());
    const names = expected['different_names.fa']!.level1.names;
    const both = (await get(`/list/collection?sequences=${sequences}&names=${names}`)).json as typeof all;
    assert.deepEqual(both.results, [expected['different_names.fa']!.top_level_digest]);
    // A transient attribute filters too (its level 1 digest is kept).
    const snlp = expected['base.fa']!.level1.sorted_name_length_pairs;
    const bySnlp = (await get(`/list/collection?sorted_name_length_pairs=${snlp}`)).json as typeof all;
    assert.ok(bySnlp.results.includes(expected['base.fa']!.top_level_digest));
    assertProblem(await app.inject({ url: '/list/collection?colour=blue' }), 400);
    assertProblem(await app.inject({ url: '/list/collection?page_size=0' }), 400);
  });

  test('/attribute/collection/{attribute}/{digest} answers level 2 values; transient and unknown ones are 404', async () => {
    const base = expected['base.fa']!;
    for (const attribute of ['names', 'lengths', 'sequences', 'name_length_pairs', 'sorted_sequences'] as const) {
      const { res, json } = await get(`/attribute/collection/${attribute}/${base.level1[attribute]}`);
      assert.equal(res.statusCode, 200, attribute);
      assert.deepEqual(json, base.level2[attribute], attribute);
    }
    assertProblem(await app.inject({ url: `/attribute/collection/sorted_name_length_pairs/${base.level1.sorted_name_length_pairs}` }), 404);
    assertProblem(await app.inject({ url: `/attribute/collection/names/${base.level1.lengths}` }), 404);
    assertProblem(await app.inject({ url: `/attribute/collection/topologies/${base.level1.names}` }), 404);
  });

  test('unknown digests 404, malformed ones 400, a bad level 400, all problem+json', async () => {
    const unknown = 'A'.repeat(32);
    assertProblem(await app.inject({ url: `/collection/${unknown}` }), 404);
    assertProblem(await app.inject({ url: `/comparison/${unknown}/${expected['base.fa']!.top_level_digest}` }), 404);
    assertProblem(await app.inject({ method: 'POST', url: `/comparison/${unknown}`, payload: expected['base.fa']!.level2 }), 404);
    assertProblem(await app.inject({ url: '/collection/not-a-digest' }), 400);
    assertProblem(await app.inject({ url: `/collection/${expected['base.fa']!.top_level_digest}?level=3` }), 400);
  });

  test('a conditional GET of a collection is 304 (it is addressed by its content)', async () => {
    const url = `/collection/${expected['base.fa']!.top_level_digest}`;
    const first = await app.inject({ url });
    const again = await app.inject({ url, headers: { 'if-none-match': first.headers.etag as string } });
    assert.equal(again.statusCode, 304);
  });

  test('fixture comparisons are all covered', () => {
    assert.equal(seqcolFixtures.pairComparisons().length, 15);
    assert.ok(readdirSync(join(seqcolFixtures.dir, '..', 'comparison')).length >= 15);
    assert.ok(readFileSync(join(seqcolFixtures.dir, 'base.fa'), 'utf8').startsWith('>chrX'));
  });
});
