/**
 * fast-check generators of hostile headers and bodies: Range and conditional headers, Accept
 * values, /batch bodies in JSON and BED with right and wrong content types. URL parts:
 * fuzz-arbitraries.ts. No test cases here.
 */
import fc from 'fast-check';
import { nameText, numberText, regionText } from './fuzz-arbitraries.js';

/** Range headers: single, multi, suffix, reversed, huge, other units, garbage. */
export const rangeHeader = fc.oneof(
  fc.tuple(numberText, numberText).map(([a, b]) => `bytes=${a}-${b}`),
  fc.tuple(fc.nat(5000), fc.nat(5000)).map(([a, b]) => `bytes=${a}-${b}`),
  fc.nat(10_000).map((n) => `bytes=-${n}`),
  fc.nat(10_000).map((n) => `bytes=${n}-`),
  fc.array(fc.tuple(fc.nat(100), fc.nat(100)), { minLength: 2, maxLength: 5 }).map((rs) => `bytes=${rs.map(([a, b]) => `${a}-${b}`).join(',')}`),
  fc.constantFrom(
    '',
    'bytes',
    'bytes=',
    'bytes=-',
    'bytes=--1',
    'bytes=1--2',
    'bytes=0-0,',
    'items=0-1',
    'BYTES=0-1',
    'bytes = 0 - 1',
    'bytes=0-1 ,2-3',
    `bytes=0-${'9'.repeat(400)}`,
    `bytes=${'1-1,'.repeat(500)}1-1`,
    'bytes=١-٢',
    'bytes=１-２',
    'bytes=0x1-0x2',
    'bytes=1e3-',
    'bytes=-0',
    'bytes=+1-2',
  ),
  fc.string({ maxLength: 40 }),
);

/** If-Range, If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since values, mostly garbage. */
export const conditionalValue = fc.oneof(
  fc.constantFrom(
    '',
    '*',
    '"',
    '""',
    'W/',
    'W/"x"',
    '"x", W/"y"',
    '"a,b"',
    'Thu, 01 Jan 1970 00:00:00 GMT',
    'Sat, 01 Jan 2050 00:00:00 GMT',
    'not a date',
    '-1',
    '1e309',
    '0',
    '99999999999999',
    'Mon, 32 Foo 2025 25:61:61 GMT',
    `"${'x'.repeat(2000)}"`,
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
  fc.string({ maxLength: 30 }),
);

/** Optional hostile headers for a request (only ones undici/inject accept as header values). */
export const hostileHeaders = fc
  .record(
    {
      range: rangeHeader,
      'if-range': conditionalValue,
      'if-match': conditionalValue,
      'if-none-match': conditionalValue,
      'if-modified-since': conditionalValue,
      'if-unmodified-since': conditionalValue,
      accept: fc.oneof(
        fc.constantFrom(
          '',
          '*/*',
          'text/plain',
          'text/x-fasta',
          'application/json',
          'application/problem+json',
          'image/png',
          'text/*;q=0',
          '*/*;q=0',
          'text/plain;q=abc',
          ',,,',
          'application/vnd.ga4gh.refget.v2.0.0+json',
          'text/vnd.ga4gh.refget.v2.0.0+plain; charset=us-ascii',
        ),
        fc.string({ maxLength: 20 }),
      ),
    },
    { requiredKeys: [] },
  )
  .map((h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, headerSafe(v)])));

/** Header values may not hold control characters or non-Latin-1: drop those (inject would throw). */
export function headerSafe(v: string): string {
  return v.replace(/[^\x20-\x7e\t]/g, '');
}

/** /batch bodies: JSON garbage, wrong types, big arrays within limits, BED garbage, with a content type. */
export function batchBody(real: string[]): fc.Arbitrary<{ contentType: string; payload: string }> {
  const regionItem = fc.oneof(
    regionText(real),
    fc.record(
      {
        name: fc.oneof(nameText(real), fc.constant(undefined)),
        chrom: fc.oneof(nameText(real), fc.integer()),
        start: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-0, 2 ** 53, 2 ** 53 + 2, Number.MAX_VALUE), numberText),
        end: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-0, 2 ** 53, 1e308), numberText),
        strand: fc.oneof(fc.constantFrom('+', '-', '.', '', 'x', '--'), fc.integer()),
      },
      { requiredKeys: [] },
    ),
    fc.anything({ maxDepth: 2 }),
  );
  const json = fc.oneof(
    fc.array(regionItem, { maxLength: 8 }).map((regions) => JSON.stringify({ regions })),
    fc.nat({ max: 20_000 }).map((n) => JSON.stringify({ regions: Array.from({ length: n }, (_, i) => `chr1:${(i % 2900) + 1}-${(i % 2900) + 5}`) })),
    fc.anything({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.constantFrom(
      '',
      '{',
      '{"regions":',
      '{"regions": null}',
      '{"regions": {}}',
      '{"regions": "chr1"}',
      '[]',
      '"chr1"',
      'null',
      '1e309',
      '{"regions":[1e309]}',
      '{"__proto__":{"regions":["chr1"]}}',
      '{"regions":["chr1"],"regions":[5]}',
      '\ufeff{"regions":["chr1"]}',
    ),
    fc.string({ maxLength: 40 }),
  );
  const bedLine = fc.oneof(
    fc
      .tuple(nameText(real), numberText, numberText, fc.string({ maxLength: 5 }), fc.string({ maxLength: 3 }), fc.constantFrom('+', '-', '.', 'x', ''))
      .map((f) => f.join('\t')),
    regionText(real),
    fc.constantFrom(
      '#',
      'track name=x',
      'browser position chr1',
      '',
      '\t',
      '\t\t\t',
      'chr1\t0',
      'chr1\t-1\t5',
      'chr1\t5\t1',
      'chr1\t0\t1e3',
      'chr1\t0\t99999999999999999999',
    ),
  );
  const text = fc.tuple(fc.array(bedLine, { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r')).map(([lines, eol]) => lines.join(eol));
  return fc.oneof(
    json.map((payload) => ({ contentType: 'application/json', payload })),
    text.map((payload) => ({ contentType: 'text/plain', payload })),
    text.map((payload) => ({ contentType: 'text/x-bed', payload })),
    fc
      .tuple(
        fc.oneof(json, text),
        fc.constantFrom(
          'application/problem+json',
          'application/x-www-form-urlencoded',
          'multipart/form-data',
          'application/octet-stream',
          'text/plain; charset=latin1',
          'application/json; charset=utf-16',
          '',
          'garbage',
          'text/x-bed;;;',
        ),
      )
      .map(([payload, contentType]) => ({ contentType, payload })),
  );
}
