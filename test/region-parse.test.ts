/**
 * parseRegion, the pure parser of samtools region strings (as htslib's hts_parse_region reads
 * them): every string of the table in test/helpers/region-table.ts, 0-based half-open output with
 * htslib's 64-bit wrap-around, and details that name the region, the ambiguity and its fix.
 *
 * Run alone: node --import tsx --test test/region-parse.test.ts
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProblemError } from '../src/core/errors.js';
import { parseRegion } from '../src/core/region.js';
import { records, table } from './helpers/region-table.js';

describe('parseRegion (pure)', () => {
  const names = new Set(records.map((r) => r.name));
  const isName = (n: string) => names.has(n);

  test('every string of the table', () => {
    for (const [text, meaning] of table) {
      if ('seq' in meaning) {
        const [name, first, last] = meaning.seq;
        const got = parseRegion(text, isName);
        const end = got.end === undefined ? undefined : Math.min(got.end, records.find((r) => r.name === name)!.length);
        assert.equal(got.name, name, `${text}: name`);
        assert.equal(got.start, first - 1, `${text}: start`);
        if (last !== undefined && last !== records.find((r) => r.name === name)!.length) assert.equal(end, last, `${text}: end`);
      } else if (meaning.status !== 416) {
        assert.throws(
          () => parseRegion(text, isName),
          (e: unknown) => e instanceof ProblemError && e.status === meaning.status,
          `${text}: expected a ${meaning.status} problem`,
        );
      }
    }
  });

  test('0-based half-open output, end undefined for "to the end"', () => {
    assert.deepEqual(parseRegion('chr1:1,000-2,000', isName), { name: 'chr1', start: 999, end: 2000 });
    assert.deepEqual(parseRegion('chr1:1000', isName), { name: 'chr1', start: 999, end: undefined });
    assert.deepEqual(parseRegion('chr1', isName), { name: 'chr1', start: 0, end: undefined });
    // htslib's 64-bit arithmetic wraps: 1e30 is 5076944270305263616 to it (and to samtools).
    assert.deepEqual(parseRegion('chr1:1e30', isName), { name: 'chr1', start: Number(5076944270305263615n), end: undefined });
    assert.deepEqual(parseRegion('chr1:10-1e20', isName), { name: 'chr1', start: 9, end: Number(7766279631452241920n) });
    // 1e19 wraps negative: a negative begin, and "-5" after it is refused as htslib does.
    assert.throws(
      () => parseRegion('chr1:1e19-5', isName),
      (e: unknown) => e instanceof ProblemError && e.status === 400,
      'wrapped negative begin',
    );
  });

  test('details name the region, the ambiguity and its fix', () => {
    const detail = (text: string) => {
      try {
        parseRegion(text, isName);
      } catch (e) {
        return (e as ProblemError).detail;
      }
      return '';
    };
    assert.match(detail('chr1:2'), /"chr1:2" is ambiguous.*\{chr1:2\} or \{chr1\}:2/);
    assert.match(detail('chr1:10-5'), /region "chr1:10-5"/);
    assert.match(detail('nope:1-5'), /"nope"/);
  });
});
