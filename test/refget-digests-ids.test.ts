/**
 * parseRefgetId: the sequence ids refget clients send (md5, ga4gh, TRUNC512, with or without a
 * prefix, in either case where case does not matter), and everything else refused.
 *
 * Run alone: node --import tsx --test test/refget-digests-ids.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRefgetId } from '../src/refget/digests.js';
import { ACGT } from './helpers/refget-vectors.js';

describe('parseRefgetId', () => {
  const md5 = 'f1f8f4bf413b16ad135722aa4591043e';
  const accepted: [string, ReturnType<typeof parseRefgetId>][] = [
    [md5, { algorithm: 'md5', digest: md5 }],
    [md5.toUpperCase(), { algorithm: 'md5', digest: md5 }],
    [`md5:${md5}`, { algorithm: 'md5', digest: md5 }],
    [`MD5:${md5.toUpperCase()}`, { algorithm: 'md5', digest: md5 }],
    [ACGT.ga4gh, { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
    [`ga4gh:${ACGT.ga4gh}`, { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
    [`GA4GH:${ACGT.ga4gh}`, { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
    [ACGT.trunc512, { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
    [ACGT.trunc512.toUpperCase(), { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
    [`trunc512:${ACGT.trunc512}`, { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
    [`TRUNC512:${ACGT.trunc512}`, { algorithm: 'ga4gh', digest: ACGT.ga4gh }],
  ];
  const rejected = [
    '',
    'chr1',
    md5.slice(1),
    `${md5}0`,
    `md5:${md5.slice(1)}`,
    `md5 ${md5}`,
    `sha512:${md5}`,
    `${md5.slice(0, 31)}g`,
    `SQ.${ACGT.ga4gh.slice(4)}`,
    `${ACGT.ga4gh}A`,
    `sq.${ACGT.ga4gh.slice(3)}`,
    `SQ.${ACGT.ga4gh.slice(3, 34)}+`,
    `SQ.${ACGT.ga4gh.slice(3, 34)}=`,
    `ga4gh:${ACGT.trunc512}`,
    `trunc512:${ACGT.ga4gh}`,
    ACGT.trunc512.slice(1),
    ` ${md5}`,
    `${md5}\n`,
  ];

  for (const [id, want] of accepted) {
    it(`accepts ${id}`, () => assert.deepEqual(parseRefgetId(id), want, `parseRefgetId(${JSON.stringify(id)})`));
  }
  it('rejects everything else', () => {
    const wrong = rejected.filter((id) => parseRefgetId(id) !== undefined);
    assert.deepEqual(wrong, [], `accepted: ${JSON.stringify(wrong)}`);
  });
  it('keeps the case of a ga4gh digest (base64url is case-sensitive)', () => {
    const flipped = `SQ.${ACGT.ga4gh.slice(3).toLowerCase()}`;
    assert.deepEqual(parseRefgetId(flipped), { algorithm: 'ga4gh', digest: flipped }, 'parsed as given, not normalised');
    assert.notEqual(flipped, ACGT.ga4gh, 'the digest has upper-case letters to flip');
  });
});
