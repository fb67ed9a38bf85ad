/** SequenceStore: every file of a catalog mapped, and each sequence found by name or alias. */
import type { Alias } from '../data/aliases.js';
import type { Catalog } from '../data/catalog.js';
import { MappedFile, defaultWindows, type WindowOptions } from './mapped-file.js';
import { MappedSequence } from './mapped-sequence.js';
import type { BlockCache } from '../formats/bgzf/block-cache.js';
import type { BgzfFile } from '../formats/bgzf/bgzf-file.js';
import { openReader } from './sequence-reader.js';

/** What a store is opened with besides its catalog. */
export interface StoreOptions {
  windows?: WindowOptions;
  /** Inflated BGZF blocks, shared by every bgzipped file of the process (config.bgzfCacheMib). */
  blockCache: BlockCache;
}

/** Every file of a catalog mapped once, and each sequence ready to read by name or alias. */
export class SequenceStore {
  /** Canonical names and aliases alike: resolving an alias costs the same one lookup as a name. */
  private byName = new Map<string, MappedSequence>();
  /** Canonical only, in catalog order. */
  sequences: readonly MappedSequence[];
  totalBases: number;
  mappedBytes: number;
  /** The newest mtime of the store's files when mapped (ms): Last-Modified of the catalog's JSON answers. */
  newestMtimeMs: number;
  private readonly swapListeners: (() => void)[] = [];

  private constructor(
    private files: MappedFile[],
    sequences: MappedSequence[],
    private byPath: ReadonlyMap<string, MappedFile | undefined>,
    private catalog: Catalog,
  ) {
    this.sequences = sequences;
    for (const s of sequences) this.byName.set(s.name, s);
    // The catalog never lets an alias shadow a real name, so these sets never overwrite one.
    for (const [alias, name] of catalog.aliases.canonical) {
      const s = this.byName.get(name);
      if (s && !this.byName.has(alias)) this.byName.set(alias, s);
    }
    this.totalBases = sequences.reduce((sum, s) => sum + s.length, 0);
    this.mappedBytes = files.reduce((sum, f) => sum + f.size, 0);
    this.newestMtimeMs = files.reduce((newest, f) => Math.max(newest, f.mtimeMs), 0);
  }

  /**
   * Takes over the sequences of `next` (a reload): routes keep this store object, and listeners
   * rebuild what they derived from it. The old mappings are not closed: streams in flight still
   * read from them, and they are unmapped once collected. `next` must not be used afterwards.
   */
  swap(next: SequenceStore): void {
    // Every field in one synchronous step: a request sees the old store or the new, never a mix.
    this.byName = next.byName;
    this.sequences = next.sequences;
    this.totalBases = next.totalBases;
    this.mappedBytes = next.mappedBytes;
    this.newestMtimeMs = next.newestMtimeMs;
    this.files = next.files;
    this.byPath = next.byPath;
    this.catalog = next.catalog;
    for (const listener of this.swapListeners) listener();
  }

  /** Calls `listener` after each swap (what a route pre-computed from the sequences is rebuilt there). */
  onSwap(listener: () => void): void {
    this.swapListeners.push(listener);
  }

  static open(catalog: Catalog, options: StoreOptions): SequenceStore {
    const files = new Map<string, MappedFile | undefined>();
    for (const path of catalog.files()) {
      const file = MappedFile.open(path, options.windows ?? defaultWindows);
      // An empty file cannot be mapped; it can only hold empty sequences.
      files.set(path, file.size > 0 ? file : undefined);
    }
    const { blockCache } = options;
    const bgzfFiles = new Map<string, BgzfFile>();
    const sequences = catalog.records.map((r) => {
      const file = files.get(r.file);
      return new MappedSequence(r, file, file && openReader(r, file, blockCache, bgzfFiles));
    });
    return new SequenceStore(
      [...files.values()].filter((f) => f !== undefined),
      sequences,
      files,
      catalog,
    );
  }

  /** A sequence by its name or any alias. */
  get(nameOrAlias: string): MappedSequence | undefined {
    return this.byName.get(nameOrAlias);
  }

  /** The other names of a sequence (its own name excluded). */
  aliasesOf(sequence: MappedSequence): readonly Alias[] {
    return this.catalog.aliasesOf(sequence.name);
  }

  /**
   * The mapping of a catalog file, by the path the catalog gave it (SequenceRecord.file);
   * undefined for an empty file (nothing to map) or a path the catalog does not hold.
   */
  mappedFile(path: string): MappedFile | undefined {
    return this.byPath.get(path);
  }

  /** Every mapped file of the store, once each (empty files are not mapped). */
  mappedFiles(): readonly MappedFile[] {
    return this.files;
  }

  close(): void {
    for (const f of this.files) f.close();
    this.byName.clear();
  }
}
