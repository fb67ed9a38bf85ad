/**
 * The seqcol algorithm itself (src/seqcol/): RFC 8785 canonical JSON, the spec's worked
 * example, each fixture file's digests computed from a naive reading of the FASTA, and the
 * comparison function against all twenty fixture answers, including the five made before 1.0.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { canonicalJson, digestJson, sha512t24u } from '../src/seqcol/canonical-json.js';
import { buildCollection, topLevelDigest } from '../src/seqcol/collection.js';
import { compareCollections } from '../src/seqcol/comparison.js';
import { fixtureFiles, seqcolFixtures } from './helpers/seqcol-fixtures.js';

/** The oracle: a FASTA read line by line, and refget's digest of each sequence upper-cased. */
function naiveCollection(file: string): { names: string[]; lengths: number[]; sequences: string[] } {
  const names: string[] = [];
  const bases: string[] = [];
  for (const line of readFileSync(join(seqcolFixtures.dir, file), 'utf8').split(/\r?\n/)) {
    if (line.startsWith('>')) {
      names.push(line.slice(1).split(/\s/)[0]!);
      bases.push('');
    } else if (line !== '') bases[bases.length - 1] += line.toUpperCase();
  }
  const sequences = bases.map((b) => `SQ.${createHash('sha512').update(b).digest().subarray(0, 24).toString('base64url')}`);
  return { names, lengths: bases.map((b) => b.length), sequences };
}

describe('seqcol digests', () => {
  test('canonical JSON: sorted keys (UTF-16 order), no blanks, JSON.stringify escapes; floats refused', () => {
    assert.equal(canonicalJson({ b: 1, a: [1, 'x', { d: null, c: true }] }), '{"a":[1,"x",{"c":true,"d":null}],"b":1}');
    // RFC 8785 §3.2.3: keys sort by UTF-16 code units, so U+1F600 (a surrogate pair) sorts before U+FFFD.
    assert.equal(canonicalJson({ '\uFFFD': 1, '😀': 2, é: 3, z: 4 }), '{"z":4,"é":3,"😀":2,"\uFFFD":1}');
    assert.equal(canonicalJson(['\u0000\n"\\', 'ü']), '["\\u0000\\n\\"\\\\","ü"]');
    assert.throws(() => canonicalJson([1.5]), RangeError);
    assert.throws(() => canonicalJson([2 ** 60]), RangeError);
  });

  test('sha512t24u of a known input (VRS: the empty sequence)', () => {
    assert.equal(sha512t24u(''), 'z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXc');
  });

  test("the spec's worked example: attribute digests and the top-level digest", () => {
    const example = {
      lengths: [248956422, 242193529, 198295559],
      names: ['chr1', 'chr2', 'chr3'],
      sequences: ['SQ.2YnepKM7OkBoOrKmvHbGqguVfF9amCST', 'SQ.lwDyBi432Py-7xnAISyQlnlhWDEaBPv2', 'SQ.Eqk6_SvMMDCc6C-uEfickOUWTatLMDQZ'],
    };
    const c = buildCollection(example);
    assert.equal(c.level1.lengths, '5K4odB173rjao1Cnbk5BnvLt9V7aPAa2');
    assert.equal(c.level1.names, 'g04lKdxiYtG3dOGeUC5AdKEifw65G0Wp');
    assert.equal(c.level1.sequences, 'rD29ZKmEqwwHRXjiQ36p6UMZQ5hemmsb');
    assert.equal(
      canonicalJson({ names: c.level1.names, sequences: c.level1.sequences }),
      '{"names":"g04lKdxiYtG3dOGeUC5AdKEifw65G0Wp","sequences":"rD29ZKmEqwwHRXjiQ36p6UMZQ5hemmsb"}',
    );
    assert.equal(c.digest, 'sjNNwm4zov3Dl0FRWbRTcZwzqrTQKIqL');
  });

  test('each fixture file: level 0, 1 and 2 from a naive reading equal the expected ones', () => {
    for (const file of fixtureFiles) {
      const want = seqcolFixtures.digests[file]!;
      const c = buildCollection(naiveCollection(file));
      assert.equal(c.digest, want.top_level_digest, file);
      assert.deepEqual(c.level1, want.level1, file);
      assert.deepEqual(c.level2, want.level2, file);
      assert.equal(c.level1.sorted_name_length_pairs, want.sorted_name_length_pairs_digest, file);
    }
  });

  test('the comparison function gives the 15 fixture answers, both ways', () => {
    for (const { a, b, answer } of seqcolFixtures.pairComparisons()) {
      const [ca, cb] = [buildCollection(naiveCollection(a)), buildCollection(naiveCollection(b))];
      const [la, lb] = [ca.level2, cb.level2];
      assert.deepEqual(compareCollections(la, lb, { a: ca.digest, b: cb.digest }), answer, `${a} ${b}`);
      assert.deepEqual(compareCollections(lb, la, { a: cb.digest, b: ca.digest }), seqcolFixtures.swapped(answer), `${b} ${a}`);
    }
  });

  test('the five answers made before 1.0 (lengths inherent, sorted_name_length_pairs at level 2) come out too', () => {
    const older = seqcolFixtures.olderComparisons();
    assert.equal(older.length, 5);
    const arrays = (file: string) => {
      const c = buildCollection(naiveCollection(file));
      const sorted = c.level2.name_length_pairs.map((p) => digestJson(p)).sort();
      const level2 = { lengths: c.level2.lengths, names: c.level2.names, sequences: c.level2.sequences, sorted_name_length_pairs: sorted };
      return { level2, digest: topLevelDigest(c.level1, ['lengths', 'names', 'sequences']) };
    };
    const base = arrays('base.fa');
    for (const { b, answer } of older) {
      const other = arrays(b);
      assert.deepEqual(compareCollections(base.level2, other.level2, { a: base.digest, b: other.digest }), answer, b);
    }
  });

  test('same order: null without overlap or with unbalanced duplicates; balanced duplicates keep an order', () => {
    const order = (a: string[], b: string[]) => compareCollections({ x: a }, { x: b }, { a: null, b: null }).array_elements;
    assert.deepEqual(order(['a', 'b'], ['c', 'd']).a_and_b_same_order, { x: null });
    assert.deepEqual(order(['a', 'b', 'b'], ['a', 'b']).a_and_b_same_order, { x: null });
    assert.deepEqual(order(['a', 'b', 'b'], ['a', 'b']).a_and_b_count, { x: 2 });
    assert.deepEqual(order(['a', 'b', 'b'], ['a', 'b', 'b', 'c']).a_and_b_same_order, { x: true });
    assert.deepEqual(order(['b', 'a', 'b'], ['a', 'b', 'b']).a_and_b_same_order, { x: false });
    // One shared element: the reference implementation (and so the fixtures) say true, where the spec's prose says null.
    assert.deepEqual(order(['a', 'z'], ['y', 'a']).a_and_b_same_order, { x: true });
  });
});
