/**
 * Every assembly as a sequence collection: built from the catalog's names and lengths and the
 * refget digests the digest index already holds (sidecars or the background worker), so no
 * pass over the bases. An assembly's collection exists once all its sequences have digests.
 * It is built in the background, in steps that let requests through (a 50,000-contig assembly
 * hashes 50,000 name-length pairs), or at once if a request needs it first; then kept.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Assemblies, Assembly } from '../data/assemblies.js';
import type { DigestIndex } from '../refget/digest-index.js';
import type { RefgetItem } from '../refget/refget-item.js';
import type { Json } from './canonical-json.js';
import {
  attributeNames,
  buildCollection,
  namesAndLengths,
  pairDigests,
  transientAttributes,
  type AttributeName,
  type CollectionInput,
  type SequenceCollection,
} from './collection.js';
import { compareCollectionsInTurns } from './comparison.js';

export interface ServedCollection {
  assembly: Assembly;
  collection: SequenceCollection;
}

/** Name-length pairs hashed between two turns of the event loop while building in the background. */
const PAIRS_PER_STEP = 2000;
/** Comparisons kept as answered (each is one small JSON object). */
const KEPT_COMPARISONS = 256;

export class Collections {
  private readonly built = new Map<Assembly, ServedCollection>();
  private readonly byDigest = new Map<string, ServedCollection>();
  private readonly bodies = new Map<string, string>();
  private readonly comparisons = new Map<string, Promise<string>>();

  constructor(
    private readonly assemblies: Assemblies,
    private readonly digests: DigestIndex<RefgetItem>,
  ) {}

  /** The assembly's collection, or undefined while some of its sequences have no digests yet. */
  of(assembly: Assembly): ServedCollection | undefined {
    const done = this.built.get(assembly);
    if (done) return done;
    const input = this.inputOf(assembly);
    return input && this.keep(assembly, buildCollection(input));
  }

  /** Builds every collection whose digests are all known, yielding to requests between steps. */
  async warm(): Promise<void> {
    for (const assembly of this.assemblies.list) {
      const input = this.built.has(assembly) ? undefined : this.inputOf(assembly);
      if (!input) continue;
      const pairs = namesAndLengths(input.names, input.lengths);
      const digests: string[] = [];
      for (let i = 0; i < pairs.length; i += PAIRS_PER_STEP) {
        digests.push(...pairDigests(pairs, i, Math.min(i + PAIRS_PER_STEP, pairs.length)));
        await nextTurn();
      }
      if (!this.built.has(assembly)) this.keep(assembly, buildCollection(input, digests.sort()));
    }
  }

  /** Every collection ready now, in the assemblies' order. */
  list(): ServedCollection[] {
    return this.assemblies.list.map((a) => this.of(a)).filter((c) => c !== undefined);
  }

  /** Assemblies whose collection waits for digests. */
  pending(): Assembly[] {
    return this.assemblies.list.filter((a) => !this.of(a));
  }

  find(digest: string): ServedCollection | undefined {
    return this.byDigest.get(digest) ?? (this.list(), this.byDigest.get(digest));
  }

  /** The level 2 value of an attribute by its level 1 digest, from any collection; transient attributes have none. */
  attribute(name: AttributeName, digest: string): Json | undefined {
    if ((transientAttributes as readonly string[]).includes(name)) return undefined;
    for (const { collection } of this.list()) {
      if (collection.level1[name] === digest) return collection.level2[name as Exclude<AttributeName, 'sorted_name_length_pairs'>];
    }
    return undefined;
  }

  /** A collection's JSON at level 1 or 2, serialized once (level 2 of 50,000 contigs is 7 MB). */
  body(collection: SequenceCollection, level: '1' | '2'): string {
    return this.remember(`${level}.${collection.digest}`, () => JSON.stringify(level === '1' ? collection.level1 : collection.level2));
  }

  /** The comparison of two collections served here, as JSON, made in slices; kept, since it never changes. */
  comparison(a: SequenceCollection, b: SequenceCollection): Promise<string> {
    const key = `${a.digest}.${b.digest}`;
    let body = this.comparisons.get(key);
    if (!body) {
      if (this.comparisons.size >= KEPT_COMPARISONS) this.comparisons.clear();
      body = compareCollectionsInTurns(a.level2, b.level2, { a: a.digest, b: b.digest }).then((c) => JSON.stringify(c));
      this.comparisons.set(key, body);
    }
    return body;
  }

  private remember(key: string, make: () => string): string {
    let body = this.bodies.get(key);
    if (body === undefined) this.bodies.set(key, (body = make()));
    return body;
  }

  private inputOf(assembly: Assembly): CollectionInput | undefined {
    const sequences: string[] = [];
    for (const s of assembly.store.sequences) {
      const d = this.digests.digestsOfRecord(s.record);
      if (!d) return undefined;
      sequences.push(d.ga4gh);
    }
    const records = assembly.store.sequences.map((s) => s.record);
    return { names: records.map((r) => r.name), lengths: records.map((r) => r.length), sequences };
  }

  private keep(assembly: Assembly, collection: SequenceCollection): ServedCollection {
    const served = { assembly, collection };
    this.built.set(assembly, served);
    // Two assemblies with the same content are one collection: the first in the server's order answers.
    if (!this.byDigest.has(collection.digest)) this.byDigest.set(collection.digest, served);
    return served;
  }
}

export const isAttributeName = (name: string): name is AttributeName => (attributeNames as readonly string[]).includes(name);
