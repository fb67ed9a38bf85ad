/** samtools region strings parsed and resolved exactly as `samtools faidx` reads them. */
import { badRequest, unknownSequence } from './errors.js';

/**
 * samtools region strings (`chr`, `chr:100`, `chr:1,000-2,000`, `{chr1:2}:10-20`), parsed as
 * htslib's `hts_parse_region` does with the flags `samtools faidx` passes (0, so
 * HTS_PARSE_THOUSANDS_SEP and not HTS_PARSE_ONE_COORD), and checked against samtools 1.16:
 *
 * - A string starting with `{` is quoted: the name runs to the first `}`; a `:` right after it
 *   starts the coordinates. With no such `:`, the name is the string minus its first and last
 *   characters (htslib's quirk: `{chr1}x` looks up `chr1}`). No `}` at all is refused.
 * - Unquoted, with no `:`: the whole string is the name. With a `:`, the whole string is tried
 *   as a name first (then it must not be ambiguous: if the part before the LAST `:` is also a
 *   name, samtools refuses with "Range is ambiguous. Use {a:b} or {a}:b"); otherwise the name
 *   is the part before the last `:` and the rest are coordinates.
 * - Coordinates are 1-based inclusive, read by `hts_parse_decimal`: leading white space, a sign,
 *   digits with any commas in them, a fraction, and an `e` exponent or a k/M/G suffix
 *   (`1.5k` = 1500; a fraction left over is dropped: `1.9` = 1).
 *   `chr:` and `chr:0` and `chr:,` are the whole sequence; `chr:100` and `chr:100-` and
 *   `chr:100-0` run from 100 to the end; `chr:-100` is `chr:1-100`; a begin after the end
 *   (`chr:10-5`) is refused, `chr:10-10` is one base.
 *
 * The name is looked up before the coordinates are read, as htslib does, so `nope:abc` is an
 * unknown sequence (404), not a malformed region.
 */
export interface ParsedRegion {
  name: string;
  /** 0-based, inclusive. */
  start: number;
  /** 0-based, exclusive; undefined = to the end of the sequence. */
  end: number | undefined;
}

/** HTS_POS_MAX: htslib's "to the end". */
const POS_MAX = (1n << 63n) - 1n;

/**
 * Parses a region the way `hts_parse_region(s, ..., flags = 0)` does. Refusals:
 * unknown name → 404 (samtools: "Reference ... not found"); everything else samtools refuses
 * (mismatched braces, ambiguity, junk after a number, a negative begin with an end, begin > end)
 * → 400. Two cases samtools does not refuse but answers with nothing ("Zero length sequence"),
 * `chr:0-10` and `chr:-` (begin 0 with an explicit end), are 400 here too: position 0 does not
 * exist in 1-based coordinates. Checks against the sequence length are the caller's.
 */
export function parseRegion(text: string, isName: (name: string) => boolean): ParsedRegion {
  const refuse = (why: string) =>
    badRequest(`region "${text}" ${why}; regions are samtools-style, 1-based inclusive: NAME, NAME:BEGIN, NAME:BEGIN-END, {NAME}:BEGIN-END`);

  let s = text;
  let colon = -1; // index in s of the ':' that starts the coordinates
  let quoted = 0;
  if (s.startsWith('{')) {
    const close = s.indexOf('}');
    if (close < 0) throw refuse('has a "{" without its "}"');
    s = s.slice(1);
    if (s[close] === ':') colon = close; // close[1] in the original string
    quoted = 1;
  } else {
    colon = s.lastIndexOf(':');
  }

  if (colon < 0) {
    const name = s.slice(0, s.length - quoted);
    if (!isName(name)) throw unknownSequence(name);
    return { name, start: 0, end: undefined };
  }

  if (!quoted && isName(s)) {
    // The whole string names a sequence; refused if the part before the last colon does too.
    const prefix = s.slice(0, colon);
    if (isName(prefix)) {
      throw badRequest(`region "${text}" is ambiguous: sequences "${s}" and "${prefix}" both exist; write {${s}} or {${prefix}}${s.slice(colon)}`);
    }
    return { name: s, start: 0, end: undefined };
  }

  const name = s.slice(0, colon - quoted);
  if (!isName(name)) throw unknownSequence(name);

  const coords = s.slice(colon + 1);
  const first = parseDecimal(coords, 0);
  const beg = BigInt.asIntN(64, first.value - 1n);
  let hyphen = first.end;
  const at = (i: number) => coords[i] ?? ''; // '' plays C's terminating NUL
  let end: bigint;

  if (beg < 0n) {
    if (beg !== -1n && at(hyphen) === '-' && coords.length > 0) throw refuse('has a negative begin; coordinates must be > 0');
    if (/^[0-9]$/.test(at(hyphen)) || at(hyphen) === '' || at(hyphen) === ',') {
      // chr:-100 is chr:1-100; chr:0 (and chr:) the whole sequence.
      return { name, start: 0, end: beg === -1n ? undefined : toNumber(BigInt.asIntN(64, -(beg + 1n))) };
    } else if (beg < -1n) {
      throw refuse(`has unexpected "${coords.slice(hyphen)}" after the coordinates`);
    }
  }

  if (at(hyphen) === '') {
    end = POS_MAX;
  } else if (at(hyphen) === '-') {
    const second = parseDecimal(coords, hyphen + 1);
    end = second.value;
    hyphen = second.end;
    if (at(hyphen) !== '' && at(hyphen) !== ',') throw refuse(`has unexpected "${coords.slice(hyphen)}" after the coordinates`);
  } else {
    throw refuse(`has unexpected "${coords.slice(hyphen)}" after the coordinates`);
  }

  if (end === 0n) end = POS_MAX; // chr:100- (and chr:100-0) run to the end
  if (beg >= end) throw refuse(`has its begin ${beg + 1n} after its end ${end}`);
  // htslib passes beg = -1 on (chr:0-10, chr:-); samtools then prints an empty sequence.
  if (beg < 0n) throw refuse('begins at position 0; coordinates must be > 0');
  return { name, start: toNumber(beg), end: end === POS_MAX ? undefined : toNumber(end) };
}

/** Exact below 2^53; above it, only order against sequence lengths matters, and that is kept. */
function toNumber(n: bigint): number {
  return Number(n);
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
const isDigit = (c: string) => c >= '0' && c <= '9' && c.length === 1;

/**
 * htslib's `hts_parse_decimal(str, &end, HTS_PARSE_THOUSANDS_SEP)` on text.slice(from): the
 * value and the index where it stopped (back at `from` when there were no digits). The
 * arithmetic is htslib's 64-bit integer arithmetic, wrapping as it does on overflow (samtools
 * reads `chr:2999-1e30` as 2999 to 5076944270305263616, i.e. to the end), so that every string
 * means what it means to samtools.
 */
function parseDecimal(text: string, from: number): { value: bigint; end: number } {
  const wrap = (n: bigint) => BigInt.asIntN(64, n);
  let i = from;
  while (i < text.length && isSpace(text[i]!)) i++;
  let sign = '+';
  if (text[i] === '+' || text[i] === '-') sign = text[i++]!;
  let n = 0n;
  let digits = 0;
  let decimals = 0;
  let e = 0;
  for (;;) {
    const c = text[i] ?? '';
    if (isDigit(c)) {
      n = wrap(n * 10n + BigInt(c.charCodeAt(0) - 48));
      digits++;
      i++;
    } else if (c === ',') i++;
    else break;
  }
  if (text[i] === '.') {
    i++;
    while (isDigit(text[i] ?? '')) {
      n = wrap(n * 10n + BigInt(text.charCodeAt(i) - 48));
      decimals++;
      digits++;
      i++;
    }
  }
  switch (text[i]) {
    case 'e':
    case 'E': {
      i++;
      let esign = '+';
      if (text[i] === '+' || text[i] === '-') esign = text[i++]!;
      // An int in htslib, wrapping too.
      while (isDigit(text[i] ?? '')) e = (e * 10 + text.charCodeAt(i++) - 48) | 0;
      if (esign === '-') e = -e | 0;
      break;
    }
    case 'k':
    case 'K':
      e += 3;
      i++;
      break;
    case 'm':
    case 'M':
      e += 6;
      i++;
      break;
    case 'g':
    case 'G':
      e += 9;
      i++;
      break;
  }
  e = (e - decimals) | 0;
  // htslib multiplies or divides by 10, e times; once n is 0 (after at most 64 wrapping
  // multiplications, or 20 divisions) the rest change nothing.
  for (; e > 0 && n !== 0n; e--) n = wrap(n * 10n);
  for (; e < 0 && n !== 0n; e++) n /= 10n; // truncates toward zero, as C does
  return { value: sign === '-' ? wrap(-n) : n, end: digits > 0 ? i : from };
}
