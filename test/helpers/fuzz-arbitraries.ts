/**
 * fast-check generators of hostile request parts: numbers that are not quite numbers, names
 * that are not quite names, query strings with repeated and empty parameters, Range and
 * conditional headers, /files paths that try to leave the data folder, /batch bodies.
 * No test cases here.
 */
import fc from 'fast-check';

/** Strings that parse as numbers somewhere, but are not plain non-negative decimal integers. */
export const weirdNumberText = fc.constantFrom(
  '',
  ' ',
  '0',
  '-0',
  '+0',
  '+1',
  '-1',
  '1e3',
  '1E3',
  '1e309',
  '-1e309',
  '1e-3',
  '0x10',
  '0b1',
  '0o7',
  '1_000',
  '1.0',
  '1.',
  '.5',
  'NaN',
  'Infinity',
  '-Infinity',
  '9007199254740991',
  '9007199254740992',
  '9007199254740993',
  '18446744073709551616',
  '99999999999999999999999999999',
  '4294967295',
  '4294967296',
  '00000000000000000001',
  '١٢٣',
  '١',
  '１',
  '１２３',
  '٣',
  '۳',
  '߁',
  '१२',
  ' 1',
  '1 ',
  '\t1',
  '1\n',
  '\u00a01',
  '1\u2003',
  '1,000',
  '1%00',
  'null',
  'true',
  '[]',
  '{}',
);

/** Any number text: the weird ones, or digits of any length, or a double printed as JS prints it. */
export const numberText = fc.oneof(
  weirdNumberText,
  fc.nat({ max: 5000 }).map(String),
  fc.bigInt({ min: 0n, max: 10n ** 40n }).map(String),
  fc.double().map(String),
  fc.string({ unit: fc.constantFrom('0', '1', '9', '-', '+', 'e', '.', ' ', '١', '１'), maxLength: 12 }),
);

/** Names a client might send: real ones, near misses, traversal and punctuation, unicode. */
export function nameText(real: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...real),
    fc.constantFrom(
      '',
      '.',
      '..',
      '../..',
      '/',
      '\\',
      'chr1/',
      'CHR1',
      'chr1%00',
      'chr1\u0000',
      'chr1 ',
      ' chr1',
      ':',
      '::',
      '{',
      '}',
      '{}',
      '{chr1}',
      '{chr1:2}',
      '*',
      '?',
      '#',
      '%',
      '%%',
      '%zz',
      'ü',
      '名',
      '\u202e',
      '\ud800',
      'a'.repeat(101),
      'a'.repeat(5000),
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
    ),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc.tuple(fc.constantFrom(...real), fc.constantFrom(':', '::', '{', '}', '/', '.', '%2F', ' ')).map(([n, s]) => `${n}${s}`),
  );
}

/** samtools region strings, well-formed or not. */
export function regionText(real: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    nameText(real),
    fc.tuple(nameText(real), numberText).map(([n, a]) => `${n}:${a}`),
    fc.tuple(nameText(real), numberText, numberText).map(([n, a, b]) => `${n}:${a}-${b}`),
    fc.tuple(fc.constantFrom(...real), numberText, numberText).map(([n, a, b]) => `{${n}}:${a}-${b}`),
    fc.tuple(fc.constantFrom(...real), numberText, numberText, fc.constantFrom(',', ' ', '--', '-+', ':')).map(([n, a, b, s]) => `${n}:${a}${s}${b}`),
  );
}

/** A query string from [key, value] pairs: repeated keys, empty values, keys without '='. */
export function queryText(keys: string[]): fc.Arbitrary<string> {
  const pair = fc.tuple(
    fc.oneof(fc.constantFrom(...keys), fc.constantFrom('', '__proto__', 'start[]', 'a[b]', 'constructor'), fc.string({ maxLength: 6 })),
    fc.oneof(
      numberText,
      fc.constantFrom('+', '-', '.', 'json', 'fasta', 'bed', 'upper', 'lower', 'as-is', 'soft', 'hard', 'N', 'n', 'x'),
      fc.string({ maxLength: 8 }),
    ),
    fc.constantFrom('encoded', 'raw', 'key-only'),
  );
  return fc
    .array(pair, { maxLength: 6 })
    .map((pairs) => pairs.map(([k, v, how]) => (how === 'key-only' ? enc(k) : how === 'raw' ? `${enc(k)}=${rawSafe(v)}` : `${enc(k)}=${enc(v)}`)).join('&'));
}

/** encodeURIComponent that survives lone surrogates (which it throws on). */
export function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

/** Printable ASCII as typed, everything else encoded: '+', '%', ',' and ':' arrive as written. */
function rawSafe(s: string): string {
  return [...s].map((c) => (/^[!-~]$/.test(c) && !'#&'.includes(c) ? c : enc(c))).join('');
}

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

/** /files paths that try to leave the data folder or find a file that is not served. */
export function filesPath(absData: string): fc.Arbitrary<string> {
  const piece = fc.constantFrom(
    '..',
    '.',
    '%2e%2e',
    '%2E%2E',
    '.%2e',
    '%2e.',
    '%252e%252e',
    '%2f',
    '%2F',
    '%5c',
    '%5C',
    '\\',
    '..%2f',
    '..%5c',
    '%00',
    '%2500',
    'genome.fa',
    'genome.fa.fai',
    'r.raw',
    'asm2',
    'a.fa',
    'a.fa.fai',
    'linked.fa',
    'linked.fa.fai',
    'escape',
    'outside.fa',
    'secret.txt',
    'secret-link.txt',
    'secret.fa.fai',
    'elsewhere',
    'notes.txt',
    'data',
    'etc',
    'passwd',
    '',
    '%',
    '%zz',
    '%c0%ae',
    '%e0%80%ae',
    '..;',
    '~',
    'genome.fa%00.txt',
    'GENOME.FA',
  );
  return fc.oneof(
    fc.array(piece, { minLength: 1, maxLength: 6 }).map((ps) => `/files/${ps.join('/')}`),
    fc.array(piece, { minLength: 1, maxLength: 6 }).map((ps) => `/files/${ps.join('%2f')}`),
    fc.constantFrom(
      `/files/${absData}/genome.fa`,
      `/files/${encodeURIComponent(absData)}%2fgenome.fa`,
      `/files//${absData.slice(1)}/genome.fa`,
      `/files/${absData}/../elsewhere/secret.txt`,
      '/files//etc/passwd',
      '/files/%2fetc%2fpasswd',
      '/files/../elsewhere/secret.txt',
      '/files/..%2felsewhere%2fsecret.txt',
      '/files/%2e%2e/elsewhere/secret.txt',
      '/files/escape/secret.txt',
      '/files/escape/outside.fa',
      '/files/asm2/../linked.fa',
      '/files/asm2/..%2f..%2felsewhere%2fsecret.txt',
      '/files/genome.fa/../../elsewhere/secret.txt',
      '/files/%252e%252e%252felsewhere%252fsecret.txt',
      '/files/..%5celsewhere%5csecret.txt',
      '/files/genome.fa%00',
      '/files/genome.fa\\..\\..\\elsewhere\\secret.txt',
    ),
  );
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
