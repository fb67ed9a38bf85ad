/**
 * The seqcol /comparison answer: which attributes two collections share, and per shared array
 * how many elements match and whether the matches come in the same order (the spec's
 * same-order rule). Linear in the arrays' length: elements are compared by their canonical JSON.
 */
import { canonicalJson, type Json } from './canonical-json.js';

/** A collection as compared: its level 2 arrays by attribute name. */
export type Arrays = Readonly<Record<string, readonly Json[]>>;

export interface Comparison {
  digests: { a: string | null; b: string | null };
  attributes: { a_only: string[]; b_only: string[]; a_and_b: string[] };
  array_elements: {
    a_count: Record<string, number>;
    b_count: Record<string, number>;
    a_and_b_count: Record<string, number>;
    a_and_b_same_order: Record<string, boolean | null>;
  };
}

export function compareCollections(a: Arrays, b: Arrays, digests: { a: string | null; b: string | null }): Comparison {
  const inA = Object.keys(a).sort();
  const inB = Object.keys(b).sort();
  const shared = inA.filter((k) => k in b);
  const answer: Comparison = {
    digests,
    attributes: { a_only: inA.filter((k) => !(k in b)), b_only: inB.filter((k) => !(k in a)), a_and_b: shared },
    array_elements: { a_count: {}, b_count: {}, a_and_b_count: {}, a_and_b_same_order: {} },
  };
  const elements = answer.array_elements;
  for (const k of shared) {
    const { count, sameOrder } = compareElements(a[k]!, b[k]!);
    elements.a_count[k] = a[k]!.length;
    elements.b_count[k] = b[k]!.length;
    elements.a_and_b_count[k] = count;
    elements.a_and_b_same_order[k] = sameOrder;
  }
  return answer;
}

/**
 * Elements of each array found anywhere in the other, kept in order. Their count is the
 * overlap (the smaller side's, so duplicates count as far as both have them). The order is
 * undefined (null) without a match, or when one side matches more often than the other
 * (unbalanced duplicates); otherwise the two filtered lists are equal or not. The spec's prose
 * says null below 2 matches; its reference implementation, and so its test data, say so below 1.
 */
function compareElements(a: readonly Json[], b: readonly Json[]): { count: number; sameOrder: boolean | null } {
  const [left, right] = [keyed(a), keyed(b)];
  const matchedA = left.keys.filter((k) => right.set.has(k));
  const matchedB = right.keys.filter((k) => left.set.has(k));
  const count = Math.min(matchedA.length, matchedB.length);
  if (count < 1 || matchedA.length !== matchedB.length) return { count, sameOrder: null };
  return { count, sameOrder: matchedA.every((k, i) => k === matchedB[i]) };
}

type Key = string | number | boolean | null;

/** The keys of a served collection's arrays are made once: its arrays are the same objects on every comparison. */
const keyCache = new WeakMap<readonly Json[], { keys: readonly Key[]; set: ReadonlySet<Key> }>();

function keyed(array: readonly Json[]): { keys: readonly Key[]; set: ReadonlySet<Key> } {
  let found = keyCache.get(array);
  if (!found) {
    const keys = array.some((v) => v !== null && typeof v === 'object') ? array.map(key) : (array as readonly Key[]);
    keyCache.set(array, (found = { keys, set: new Set(keys) }));
  }
  return found;
}

/** Strings and numbers compare as themselves (a Set keeps 8 and "8" apart); objects by their canonical JSON. */
function key(value: Json): Key {
  return value !== null && typeof value === 'object' ? `\u0000${canonicalJson(value)}` : value;
}
