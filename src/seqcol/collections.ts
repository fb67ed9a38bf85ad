/**
 * Every assembly as a sequence collection: built from the catalog's names and lengths and the
 * refget digests the digest index already holds (sidecars or the background worker), so no
 * pass over the bases. An assembly's collection exists once all its sequences have digests;
 * it is built on first use, or in the background when the digests are done, and kept.
 */
import type { Assemblies, Assembly } from '../data/assemblies.js';
import type { DigestIndex } from '../refget/digest-index.js';
import type { RefgetItem } from '../refget/refget-item.js';
import type { Json } from './canonical-json.js';
import { attributeNames, buildCollection, transientAttributes, type AttributeName, type SequenceCollection } from './collection.js';

export interface ServedCollection {
  assembly: Assembly;
  collection: SequenceCollection;
}

export class Collections {
  private readonly built = new Map<Assembly, ServedCollection>();
  private readonly byDigest = new Map<string, ServedCollection>();

  constructor(
    private readonly assemblies: Assemblies,
    private readonly digests: DigestIndex<RefgetItem>,
  ) {}

  /** The assembly's collection, or undefined while some of its sequences have no digests yet. */
  of(assembly: Assembly): ServedCollection | undefined {
    const done = this.built.get(assembly);
    if (done) return done;
    const sequences: string[] = [];
    for (const s of assembly.store.sequences) {
      const d = this.digests.digestsOfRecord(s.record);
      if (!d) return undefined;
      sequences.push(d.ga4gh);
    }
    const records = assembly.store.sequences.map((s) => s.record);
    const collection = buildCollection({ names: records.map((r) => r.name), lengths: records.map((r) => r.length), sequences });
    const served = { assembly, collection };
    this.built.set(assembly, served);
    // Two assemblies with the same content are one collection: the first in the server's order answers.
    if (!this.byDigest.has(collection.digest)) this.byDigest.set(collection.digest, served);
    return served;
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
    this.list();
    return this.byDigest.get(digest);
  }

  /** The level 2 value of an attribute by its level 1 digest, from any collection; transient attributes have none. */
  attribute(name: AttributeName, digest: string): Json | undefined {
    if ((transientAttributes as readonly string[]).includes(name)) return undefined;
    for (const { collection } of this.list()) {
      if (collection.level1[name] === digest) return collection.level2[name as Exclude<AttributeName, 'sorted_name_length_pairs'>];
    }
    return undefined;
  }
}

export const isAttributeName = (name: string): name is AttributeName => (attributeNames as readonly string[]).includes(name);
