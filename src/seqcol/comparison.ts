/**
 * The seqcol /comparison answer: which attributes two collections share, and per shared array
 * how many elements match and whether the matches come in the same order (the spec's
 * same-order rule). Linear in the arrays' length: elements are compared by their canonical JSON.
 */
import { atOnce, inTurns, type Steps } from '../core/steps.js';
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
  return atOnce(comparisonSteps(a, b, digests));
}

/** The same, in slices of SLICE elements that let requests through between them. */
export function compareCollectionsInTurns(a: Arrays, b: Arrays, digests: { a: string | null; b: string | null }): Promise<Comparison> {
  return inTurns(comparisonSteps(a, b, digests));
}

/** Elements handled between two yields: a few milliseconds of work. */
const SLICE = 5000;

function* comparisonSteps(a: Arrays, b: Arrays, digests: { a: string | null; b: string | null }): Steps<Comparison> {
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
    const { count, sameOrder } = yield* compareElements(a[k]!, b[k]!);
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
function* compareElements(a: readonly Json[], b: readonly Json[]): Steps<{ count: number; sameOrder: boolean | null }> {
  const left = yield* keyed(a);
  const right = yield* keyed(b);
  const matchedA = yield* found(left.keys, right.set);
  const matchedB = yield* found(right.keys, left.set);
  const count = Math.min(matchedA.length, matchedB.length);
  if (count < 1 || matchedA.length !== matchedB.length) return { count, sameOrder: null };
  return { count, sameOrder: matchedA.every((k, i) => k === matchedB[i]) };
}

function* found(keys: readonly Key[], set: ReadonlySet<Key>): Steps<Key[]> {
  const out: Key[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (set.has(keys[i]!)) out.push(keys[i]!);
    if (i % SLICE === SLICE - 1) yield;
  }
  return out;
}

type Key = string | number | boolean | null;
interface Keyed {
  keys: readonly Key[];
  set: ReadonlySet<Key>;
}

/** The keys of a served collection's arrays are made once: its arrays are the same objects on every comparison. */
const keyCache = new WeakMap<readonly Json[], Keyed>();

function* keyed(array: readonly Json[]): Steps<Keyed> {
  const cached = keyCache.get(array);
  if (cached) return cached;
  let keys = array as readonly Key[];
  if (array.some((v) => v !== null && typeof v === 'object')) {
    const made: Key[] = [];
    for (let i = 0; i < array.length; i++) {
      made.push(key(array[i]!));
      if (i % SLICE === SLICE - 1) yield;
    }
    keys = made;
  }
  const result = { keys, set: new Set(keys) };
  keyCache.set(array, result);
  return result;
}

/** Strings and numbers compare as themselves (a Set keeps 8 and "8" apart); objects by their canonical JSON. */
function key(value: Json): Key {
  return value !== null && typeof value === 'object' ? `\u0000${canonicalJson(value)}` : value;
}
