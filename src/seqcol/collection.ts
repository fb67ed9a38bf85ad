/**
 * A sequence collection (GA4GH seqcol 1.0) built from what seqserve already knows of an
 * assembly: names, lengths and refget digests. No pass over the bases. The attributes are the
 * spec's inherent ones (names, sequences), lengths, and the recommended ancillary ones.
 */
import { digestJson } from './canonical-json.js';

// Type aliases, not interfaces: they fit the JSON types (src/seqcol/canonical-json.ts) without casts.
export type NameLengthPair = {
  length: number;
  name: string;
};

/** The canonical (level 2) representation, transient attributes left out as the spec says. */
type Level2 = {
  names: string[];
  lengths: number[];
  sequences: string[];
  name_length_pairs: NameLengthPair[];
  sorted_sequences: string[];
};

/** One digest per attribute, transient ones included. */
type Level1 = Record<keyof Level2 | 'sorted_name_length_pairs', string>;

export interface SequenceCollection {
  /** The level 0 (top-level) digest. */
  digest: string;
  level1: Level1;
  level2: Level2;
}

/** Attributes that make up the digest (the spec's recommended inherent list). */
const inherentAttributes = ['names', 'sequences'] as const;
/** Attributes with a level 1 digest only: never served at level 2 nor by /attribute. */
export const transientAttributes = ['sorted_name_length_pairs'] as const;
/** Every attribute a collection here has, in the schema's order. */
export const attributeNames = ['names', 'lengths', 'sequences', 'name_length_pairs', 'sorted_name_length_pairs', 'sorted_sequences'] as const;
export type AttributeName = (typeof attributeNames)[number];

export interface CollectionInput {
  names: readonly string[];
  lengths: readonly number[];
  /** Refget identifiers, 'SQ.' + 32 characters. */
  sequences: readonly string[];
}

/** Digests of each name-length pair, sorted: sorted_name_length_pairs's level 2 (the costly part: one SHA-512 a sequence). */
export function pairDigests(pairs: readonly NameLengthPair[], from = 0, to = pairs.length): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(digestJson(pairs[i]!));
  return out;
}

export function namesAndLengths(names: readonly string[], lengths: readonly number[]): NameLengthPair[] {
  return names.map((name, i) => ({ length: lengths[i]!, name }));
}

/** `sortedPairDigests`: pairDigests(...).sort() when the caller made them already (in steps: src/seqcol/collections.ts). */
export function buildCollection({ names, lengths, sequences }: CollectionInput, sortedPairDigests?: readonly string[]): SequenceCollection {
  if (names.length !== lengths.length || names.length !== sequences.length) {
    throw new RangeError(`a collection's arrays are collated: ${names.length} names, ${lengths.length} lengths, ${sequences.length} sequences`);
  }
  const name_length_pairs = namesAndLengths(names, lengths);
  const level2: Level2 = {
    names: [...names],
    lengths: [...lengths],
    sequences: [...sequences],
    name_length_pairs,
    sorted_sequences: [...sequences].sort(),
  };
  const level1: Level1 = {
    names: digestJson(level2.names),
    lengths: digestJson(level2.lengths),
    sequences: digestJson(level2.sequences),
    name_length_pairs: digestJson(name_length_pairs),
    // The spec's own encoding: each pair digested, the digests sorted, then the array digested.
    sorted_name_length_pairs: digestJson(sortedPairDigests ?? pairDigests(name_length_pairs).sort()),
    sorted_sequences: digestJson(level2.sorted_sequences),
  };
  return { digest: topLevelDigest(level1), level1, level2 };
}

/**
 * Level 1 → level 0: the canonical JSON of the inherent attributes' digests, digested. Another
 * inherent list gives another schema's digests (before 1.0, lengths was inherent too).
 */
export function topLevelDigest(level1: Readonly<Record<string, string>>, inherent: readonly string[] = inherentAttributes): string {
  return digestJson(Object.fromEntries(inherent.map((a) => [a, level1[a]!])));
}

/** The top-level digest alone, from the inherent arrays: no ancillary attribute is made (no pair hashed). */
export function collectionDigest(names: readonly string[], sequences: readonly string[]): string {
  return topLevelDigest({ names: digestJson(names), sequences: digestJson(sequences) });
}

/** A seqcol digest's shape: 32 base64url characters. */
export const seqcolDigest = /^[A-Za-z0-9_-]{32}$/;
