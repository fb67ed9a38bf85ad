/**
 * fast-check generators of hostile URL parts: numbers that are not quite numbers, names that
 * are not quite names, query strings with repeated and empty parameters, /files paths that try
 * to leave the data folder. Headers and /batch bodies: fuzz-headers-bodies.ts. No test cases here.
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
