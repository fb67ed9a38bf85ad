/**
 * What samtools region strings mean, as htslib's hts_parse_region reads them: sequence names that
 * make region strings odd, a table of strings and their meanings (or the refusal status), and
 * random well-formed regions written in the many ways htslib reads the same numbers.
 */
import { prng, randInt } from './fasta-fixtures.js';

// Names that make region strings odd: colons (one of them also a region of another name), an
// HLA allele, a number, braces.
export const records = [
  { name: 'chr1', length: 3000, description: 'plain' },
  { name: 'chr1:2', length: 2500 },
  { name: '11', length: 4000, description: 'a number' },
  { name: 'HLA-A*01:01', length: 1800 },
  { name: 'x:1-5', length: 500 },
  { name: 'x', length: 700 },
  { name: '{w}', length: 130 },
  { name: 'chrM', length: 61 },
];

/** What a region string means: [name, first base (1-based), last base (inclusive; undefined = the end)], or a refusal status. */
type Meaning = { seq: [string, number, number | undefined] } | { status: 400 | 404 | 416 };

// The meaning of each string, written from htslib's source and then confirmed with samtools 1.16.
export const table: [string, Meaning][] = [
  ['chr1', { seq: ['chr1', 1, undefined] }],
  ['11', { seq: ['11', 1, undefined] }],
  ['11:1000', { seq: ['11', 1000, undefined] }], // one number: from there to the end
  ['11:1,000-2,000', { seq: ['11', 1000, 2000] }],
  ['11:1,0,0,0-2,,000', { seq: ['11', 1000, 2000] }], // commas anywhere in the digits
  ['chr1:1-1', { seq: ['chr1', 1, 1] }],
  ['chr1:3000-3000', { seq: ['chr1', 3000, 3000] }],
  ['chr1:2990-', { seq: ['chr1', 2990, undefined] }],
  ['chr1:2990-0', { seq: ['chr1', 2990, undefined] }], // end 0 means the end
  ['chr1:', { seq: ['chr1', 1, undefined] }],
  ['chr1:0', { seq: ['chr1', 1, undefined] }],
  ['chr1:,', { seq: ['chr1', 1, undefined] }],
  ['chr1:-100', { seq: ['chr1', 1, 100] }], // chr:-N is chr:1-N
  ['chr1:1e2-2e2', { seq: ['chr1', 100, 200] }],
  ['chr1:1.5k-2k', { seq: ['chr1', 1500, 2000] }],
  ['chr1:0.1K-0.11k', { seq: ['chr1', 100, 110] }],
  ['chr1:1.9-3', { seq: ['chr1', 1, 3] }], // the fraction is dropped
  ['chr1: 10- 20', { seq: ['chr1', 10, 20] }], // white space before a number
  ['chr1:+10-+12', { seq: ['chr1', 10, 12] }],
  ['chr1:10-20,', { seq: ['chr1', 10, 20] }],
  ['chr1:2900-99999', { seq: ['chr1', 2900, 3000] }], // end cut to the length, as samtools does
  ['chr1:2999-1e30', { seq: ['chr1', 2999, 3000] }],
  ['{chr1}', { seq: ['chr1', 1, undefined] }],
  ['{chr1}:2', { seq: ['chr1', 2, undefined] }],
  ['{chr1:2}', { seq: ['chr1:2', 1, undefined] }],
  ['{chr1:2}:10-20', { seq: ['chr1:2', 10, 20] }],
  ['{chr1:2}:', { seq: ['chr1:2', 1, undefined] }],
  ['chr1:2:10-20', { seq: ['chr1:2', 10, 20] }], // split at the LAST colon
  ['HLA-A*01:01', { seq: ['HLA-A*01:01', 1, undefined] }], // whole string is a name, "HLA-A*01" is not
  ['HLA-A*01:01:5-7', { seq: ['HLA-A*01:01', 5, 7] }],
  ['{HLA-A*01:01}:1,000-1,100', { seq: ['HLA-A*01:01', 1000, 1100] }],
  ['x:1-6', { seq: ['x', 1, 6] }],
  ['{x:1-5}', { seq: ['x:1-5', 1, undefined] }],
  ['{x}:1-5', { seq: ['x', 1, 5] }],
  ['{{w}}', { seq: ['{w}', 1, undefined] }], // name = the string minus its first and last characters
  ['{{w}}:3-4', { status: 404 }],
  ['{w}:1-5', { status: 404 }], // looks up "w"
  ['chr1:1e19-5', { status: 400 }], // 1e19 wraps to a negative number in htslib
  ['chr1:100-1e20', { seq: ['chr1', 100, 3000] }], // 1e20 wraps to 7766279631452241920 // the name ends at the first "}", so "{w" is looked up
  ['chrM:61', { seq: ['chrM', 61, 61] }],
  ['chrM:60-70', { seq: ['chrM', 60, 61] }],
  // Refused by samtools (exit 1): unknown names (looked up before the coordinates are read)...
  ['nope', { status: 404 }],
  ['nope:1-5', { status: 404 }],
  ['nope:abc', { status: 404 }],
  ['HLA-A*01', { status: 404 }],
  ['{w}', { status: 404 }], // quoted: looks up "w"
  ['{chr1}x', { status: 404 }], // no ":" after "}": looks up "chr1}"
  ['CHR1', { status: 404 }],
  // ... and malformed ones.
  ['chr1:2', { status: 400 }], // ambiguous: "chr1:2" and "chr1" both exist
  ['x:1-5', { status: 400 }], // ambiguous
  ['{chr1', { status: 400 }], // no closing brace
  ['chr1:abc', { status: 400 }],
  ['chr1:10-20x', { status: 400 }],
  ['chr1:10x', { status: 400 }],
  ['chr1:10-5', { status: 400 }], // begin after end
  ['chr1:11-10', { status: 400 }],
  ['chr1:10-5e0', { status: 400 }],
  ['chr1:5--3', { status: 400 }],
  ['chr1:-5-10', { status: 400 }], // "Coordinates must be > 0"
  ['chr1:1-2-3', { status: 400 }],
  // samtools answers these with an empty sequence ("Zero length sequence"): refused here.
  ['chr1:0-10', { status: 400 }],
  ['chr1:-', { status: 400 }],
  ['chr1:3001', { status: 416 }],
  ['chr1:3001-3005', { status: 416 }],
  ['chrM:62-', { status: 416 }],
  ['chr1:1e30', { status: 416 }],
];

/** Random well-formed regions, written in the many ways htslib reads the same numbers. */
export function randomRegions(sequences: Map<string, string>, count: number): [string, Meaning][] {
  const rng = prng(99);
  // A name starting with "{" cannot take coordinates at all (the braces end at its first "}").
  const names = [...sequences.keys()].filter((n) => !n.startsWith('{'));
  const out: [string, Meaning][] = [];
  const commas = (n: number) => n.toLocaleString('en-US');
  for (let k = 0; k < count; k++) {
    const name = names[randInt(rng, 0, names.length - 1)]!;
    const length = sequences.get(name)!.length;
    const a = randInt(rng, 1, length);
    const b = randInt(rng, a, length);
    // Braces for names with a colon (or always, at random): unbraced ones may be ambiguous.
    const braced = name.includes(':') || name.startsWith('{') || rng() < 0.3 ? `{${name}}` : name;
    const style = randInt(rng, 0, 3);
    const text = style === 0 ? `${braced}:${a}-${b}` : style === 1 ? `${braced}:${commas(a)}-${commas(b)}` : style === 2 ? `${braced}:${a}` : `${braced}:${a}-`;
    out.push([text, { seq: [name, a, style >= 2 ? undefined : b] }]);
  }
  return out;
}
