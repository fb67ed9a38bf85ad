/**
 * The comparison in words, for people: the spec's comparison object says how many elements two
 * collections share per attribute, which takes thought to read. This turns two level-2
 * collections (or names and lengths alone, as a .fai or .dict gives) into one headline from a
 * fixed set (identical, different order only, same sequences with different names, a subset,
 * same coordinate system, overlapping, unrelated) and detail lines saying what to do: the
 * renamed sequences and the chromAlias.txt lines that would serve A's names in B's folder, the
 * names on one side only, the sequences that differ under one name. Linear in the sequences.
 */
import type { Comparison } from './comparison.js';

/** A side as compared: names and lengths, and the refget digests of its sequences when known. */
export interface Compared {
  names: readonly string[];
  lengths: readonly number[];
  sequences?: readonly string[] | undefined;
}

export type VerdictKind =
  | 'identical'
  | 'different-order'
  | 'renamed'
  | 'b-in-a'
  | 'a-in-b'
  | 'same-coordinates'
  | 'same-coordinates-other-order'
  | 'same-coordinates-different-sequences'
  | 'overlapping'
  | 'unrelated';

export interface Verdict {
  kind: VerdictKind;
  headline: string;
  /** Whether sequence digests were compared, or names and lengths only (a side had no digests). */
  sequencesCompared: boolean;
  details: string[];
  /** Sequences under another name in B, paired by digest: [A's name, B's name]. */
  renames: [a: string, b: string][];
  /** A chromAlias.txt (UCSC table dump, alias<TAB>chrom) for B's folder that serves A's names there; '' when none can. */
  chromAlias: string;
}

/** Names shown in a detail line before "… and N more". */
const FEW = 5;

export function verdictOf(a: Compared, b: Compared, comparison: Comparison): Verdict {
  const sequencesCompared = a.sequences !== undefined && b.sequences !== undefined;
  const bIndex = indexOf(b.names);
  const renames = sequencesCompared ? renamed(a, b, bIndex) : [];
  const { kind, headline } = classify(a, b, sequencesCompared);
  const details: string[] = [];
  if (!sequencesCompared) {
    const without = [a.sequences ? '' : 'A', b.sequences ? '' : 'B'].filter(Boolean).join(' and ');
    details.push(`sequences not compared: ${without} ${without.length > 1 ? 'have' : 'has'} names and lengths only`);
  }
  const aliasable = renames.filter(([fromA]) => !bIndex.has(fromA));
  if (renames.length > 0) details.push(`renamed (A↔B, paired by sequence digest): ${few(renames.map(([x, y]) => `${x}↔${y}`))}`);
  const clashing = renames.filter(([fromA]) => bIndex.has(fromA));
  if (clashing.length > 0) {
    details.push(
      `no alias can serve ${few(clashing.map(([x]) => x))} in B: B has other sequences of ${clashing.length === 1 ? 'that name' : 'those names'}, and a sequence's own name wins over an alias; rename them in one of the files`,
    );
  }
  details.push(...differences(a, b, bIndex, sequencesCompared, new Set(renames.map(([x]) => x))));
  const order = orderLine(comparison);
  if (order && kind !== 'identical') details.push(order);
  const chromAlias = aliasable.length === 0 ? '' : `#alias\tchrom\n${aliasable.map(([x, y]) => `${x}\t${y}\n`).join('')}`;
  return { kind, headline, sequencesCompared, details, renames, chromAlias };
}

/** The headline: content first (digests when both sides have them), then names and lengths. */
function classify(a: Compared, b: Compared, sequencesCompared: boolean): { kind: VerdictKind; headline: string } {
  const n = a.names.length;
  const m = b.names.length;
  // Each overlap is a map over one side: made only when the answer so far needs it.
  const sharedPairs = () => overlap(entries(a, false), entries(b, false));
  if (!sequencesCompared) {
    const qualified = (h: string) => `${h} (by names and lengths)`;
    const shared = sharedPairs();
    if (n === m && shared === n) {
      return a.names.every((name, i) => name === b.names[i] && a.lengths[i] === b.lengths[i])
        ? { kind: 'same-coordinates', headline: 'same coordinate system (same names and lengths, same order)' }
        : { kind: 'same-coordinates-other-order', headline: 'same coordinate system in another order' };
    }
    if (shared === m && m < n) return { kind: 'b-in-a', headline: qualified('B is a subset of A') };
    if (shared === n && n < m) return { kind: 'a-in-b', headline: qualified('A is a subset of B') };
    if (shared > 0) return { kind: 'overlapping', headline: `overlapping: ${shared} names and lengths in common` };
    return { kind: 'unrelated', headline: 'unrelated: no name and length in common' };
  }
  if (n === m && overlap(entries(a, true), entries(b, true)) === n) {
    return sameOrder(a, b) ? { kind: 'identical', headline: 'identical' } : { kind: 'different-order', headline: 'different order only' };
  }
  // Same names and lengths first: coordinates that fit but lead to other bases are the costly surprise.
  if (n === m && sharedPairs() === n) return { kind: 'same-coordinates-different-sequences', headline: 'same coordinate system, different sequences' };
  const sharedSequences = overlap(a.sequences!, b.sequences!);
  if (n === m && sharedSequences === n) return { kind: 'renamed', headline: 'same sequences, different names' };
  if (sharedSequences === m && m < n) return { kind: 'b-in-a', headline: 'B is a subset of A' };
  if (sharedSequences === n && n < m) return { kind: 'a-in-b', headline: 'A is a subset of B' };
  if (sharedSequences > 0) return { kind: 'overlapping', headline: `overlapping: ${sharedSequences} sequences in common` };
  const shared = sharedPairs();
  if (shared > 0) return { kind: 'overlapping', headline: `overlapping: no sequence in common, but ${shared} names and lengths` };
  return { kind: 'unrelated', headline: 'unrelated: no sequence in common' };
}

/** Each element as one string: name and length, and the digest too when `withSequence`. */
function entries(c: Compared, withSequence: boolean): string[] {
  return c.names.map((name, i) => (withSequence ? `${name}\t${c.lengths[i]}\t${c.sequences![i]}` : `${name}\t${c.lengths[i]}`));
}

function sameOrder(a: Compared, b: Compared): boolean {
  return a.names.every((name, i) => name === b.names[i] && a.sequences![i] === b.sequences![i]);
}

/** How many elements of `a` are in `b`, duplicates counted as far as both have them. */
function overlap(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  let shared = 0;
  for (const x of a) {
    const c = counts.get(x);
    if (c) {
      shared++;
      counts.set(x, c - 1);
    }
  }
  return shared;
}

/**
 * A's sequences found in B under another name, paired by digest. Sequences kept under their own
 * name are set aside first, so that a repeated sequence (two copies of one contig) pairs each
 * copy once rather than every A copy with B's first.
 */
function renamed(a: Compared, b: Compared, bIndex: ReadonlyMap<string, number>): [string, string][] {
  const taken = new Set<number>();
  const unmatched: number[] = [];
  a.names.forEach((name, i) => {
    const j = bIndex.get(name);
    if (j !== undefined && b.sequences![j] === a.sequences![i]) taken.add(j);
    else unmatched.push(i);
  });
  const bySequence = new Map<string, number[]>();
  for (let j = b.names.length - 1; j >= 0; j--) {
    if (taken.has(j)) continue;
    const list = bySequence.get(b.sequences![j]!);
    if (list) list.push(j);
    else bySequence.set(b.sequences![j]!, [j]);
  }
  const out: [string, string][] = [];
  for (const i of unmatched) {
    // Lists were filled from the end: pop() gives B's copies in B's order.
    const j = bySequence.get(a.sequences![i]!)?.pop();
    if (j !== undefined) out.push([a.names[i]!, b.names[j]!]);
  }
  return out;
}

/** Names on one side only (renamed ones aside), and names on both sides whose length or bases differ. */
function differences(a: Compared, b: Compared, bIndex: ReadonlyMap<string, number>, sequencesCompared: boolean, renamedInA: ReadonlySet<string>): string[] {
  const aNames = new Set(a.names);
  const renamedInB = new Set<string>();
  if (sequencesCompared) {
    const aSequences = new Set(a.sequences);
    b.names.forEach((name, j) => {
      if (!aNames.has(name) && aSequences.has(b.sequences![j]!)) renamedInB.add(name);
    });
  }
  const onlyA = a.names.filter((name) => !bIndex.has(name) && !renamedInA.has(name));
  const onlyB = b.names.filter((name) => !aNames.has(name) && !renamedInB.has(name));
  const changed: string[] = [];
  a.names.forEach((name, i) => {
    const j = bIndex.get(name);
    if (j === undefined) return;
    if (a.lengths[i] !== b.lengths[j]) changed.push(`${name} (${a.lengths[i]} bp in A, ${b.lengths[j]} in B)`);
    else if (sequencesCompared && a.sequences![i] !== b.sequences![j]) changed.push(`${name} (${a.lengths[i]} bp, other bases)`);
  });
  const out: string[] = [];
  const what = sequencesCompared ? 'sequences' : 'names';
  if (onlyA.length > 0) out.push(`${what} only in A (${onlyA.length}): ${few(onlyA)}`);
  if (onlyB.length > 0) out.push(`${what} only in B (${onlyB.length}): ${few(onlyB)}`);
  if (changed.length > 0) out.push(`different under the same name (${changed.length}): ${few(changed)}`);
  return out;
}

/** Which shared arrays keep their order, from the comparison (the spec's same-order rule). */
function orderLine(comparison: Comparison): string | undefined {
  const order = comparison.array_elements.a_and_b_same_order;
  const of = (want: boolean) => ['names', 'lengths', 'sequences'].filter((k) => order[k] === want);
  const same = of(true);
  const other = of(false);
  if (other.length === 0) return undefined;
  return `order of the elements both have: ${[same.length > 0 ? `the same in ${same.join(', ')}` : '', `another in ${other.join(', ')}`].filter(Boolean).join('; ')}`;
}

/** Each name's position; a loop, not a map to pairs: 50,000 two-element arrays are most of the cost. */
function indexOf(names: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  for (let i = 0; i < names.length; i++) index.set(names[i]!, i);
  return index;
}

function few(items: readonly string[]): string {
  return items.length <= FEW ? items.join(', ') : `${items.slice(0, FEW).join(', ')} … and ${items.length - FEW} more`;
}
