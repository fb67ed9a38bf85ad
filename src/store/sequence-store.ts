import type { Alias } from '../aliases.js';
import type { Catalog } from '../catalog.js';
import { MappedFile, defaultWindows, type WindowOptions } from './mapped-file.js';
import { MappedSequence } from './mapped-sequence.js';

/** Every file of a catalog mapped once, and each sequence ready to read by name or alias. */
export class SequenceStore {
  /** Canonical names and aliases alike: resolving an alias costs the same one lookup as a name. */
  private readonly byName = new Map<string, MappedSequence>();
  /** Canonical only, in catalog order. */
  readonly sequences: readonly MappedSequence[];
  readonly totalBases: number;
  readonly mappedBytes: number;

  private constructor(
    private readonly files: MappedFile[],
    sequences: MappedSequence[],
    private readonly byPath: ReadonlyMap<string, MappedFile | undefined>,
    private readonly catalog: Catalog,
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
  }

  static open(catalog: Catalog, windows: WindowOptions = defaultWindows): SequenceStore {
    const files = new Map<string, MappedFile | undefined>();
    for (const path of catalog.files()) {
      const file = MappedFile.open(path, windows);
      // An empty file cannot be mapped; it can only hold empty sequences.
      files.set(path, file.size > 0 ? file : undefined);
    }
    const sequences = catalog.records.map((r) => new MappedSequence(r, files.get(r.file)));
    return new SequenceStore([...files.values()].filter((f) => f !== undefined), sequences, files, catalog);
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
