/**
 * The data folder as assemblies: its top level and each subfolder, one catalog and one mapped store
 * each.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadCatalog, type Catalog } from './catalog.js';
import type { CatalogLog } from './sequence-record.js';
import { DataError } from '../core/errors.js';
import { defaultWindows, type FileState, type WindowOptions } from '../store/mapped-file.js';
import { BlockCache } from '../formats/bgzf/block-cache.js';
import { defaults } from './config.js';
import { SequenceStore } from '../store/sequence-store.js';

/** One genome build: the sequences of one folder, mapped. */
export interface Assembly {
  name: string;
  dir: string;
  catalog: Catalog;
  store: SequenceStore;
}

/**
 * A name usable as one URL path segment as it is (/assemblies/NAME/...): GRCh38, hg19,
 * T2T-CHM13v2.0, Mus_musculus.
 */
const assemblyName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The assemblies of a data folder. Sequence files at its top level form one assembly, named
 * after the folder; each subfolder holding sequence files is another, named after the
 * subfolder. One of them is the default, served under /chrom/...; every one is served under
 * /assemblies/NAME/chrom/....
 */
export class Assemblies {
  private readonly byName: ReadonlyMap<string, Assembly>;
  readonly default: Assembly;

  /** Inflated BGZF blocks shared by every bgzipped file of these assemblies; a reload reuses it. */
  constructor(
    readonly list: readonly Assembly[],
    defaultName: string | undefined,
    readonly blockCache: BlockCache,
  ) {
    this.byName = new Map(list.map((a) => [a.name, a]));
    const chosen = defaultName === undefined ? list[0] : this.byName.get(defaultName);
    if (!chosen) {
      throw new DataError(`--default-assembly ${defaultName}: no such assembly; this data folder holds ${list.map((a) => a.name).join(', ')}`);
    }
    this.default = chosen;
  }

  get(name: string): Assembly | undefined {
    return this.byName.get(name);
  }

  /** Totals over every assembly. */
  get totals(): { sequences: number; bases: number; mappedBytes: number } {
    let sequences = 0;
    let bases = 0;
    let mappedBytes = 0;
    for (const { store } of this.list) {
      sequences += store.sequences.length;
      bases += store.totalBases;
      mappedBytes += store.mappedBytes;
    }
    return { sequences, bases, mappedBytes };
  }

  close(): void {
    for (const a of this.list) a.store.close();
  }

  /**
   * A reload: `next` (the data folder read and mapped afresh) takes the place of these assemblies,
   * each store swapped in place, so that routes registered at startup serve the new data. Adding or
   * removing an assembly folder needs a restart (routes are registered per assembly): refused with
   * a DataError, and nothing changes. `next` is used up either way.
   */
  adopt(next: Assemblies): void {
    const names = this.list.map((a) => a.name).join(', ');
    const nextNames = next.list.map((a) => a.name).join(', ');
    if (names !== nextNames || next.default.name !== this.default.name) {
      next.close();
      throw new DataError(
        `the data folder now holds the assemblies ${nextNames} (default ${next.default.name}) where this server serves ${names} (default ${this.default.name}); adding or removing an assembly folder needs a restart, so the old data is still served`,
      );
    }
    for (const assembly of this.list) {
      const fresh = next.get(assembly.name)!;
      assembly.catalog = fresh.catalog;
      assembly.store.swap(fresh.store);
    }
  }

  /** Checks every mapped file against the disk (see MappedFile.check); returns the ones not the same. */
  checkFiles(): { path: string; state: Exclude<FileState, 'same'> }[] {
    const found: { path: string; state: Exclude<FileState, 'same'> }[] = [];
    for (const { store } of this.list) {
      for (const file of store.mappedFiles()) {
        const state = file.check();
        if (state !== 'same') found.push({ path: file.path, state });
      }
    }
    return found;
  }
}

const MiB = 1024 * 1024;

export interface OpenOptions {
  defaultAssembly?: string;
  windows?: WindowOptions;
  /** Inflated BGZF blocks shared by every assembly's bgzipped files (see config.bgzfCacheMib). */
  blockCache?: BlockCache;
}

/** Reads the data folder and its subfolders (one level) and maps every sequence file. */
export function openAssemblies(dataDir: string, log: CatalogLog, options: OpenOptions = {}): Assemblies {
  const folders = assemblyFolders(dataDir, log);
  const catalogs = folders.map(({ name, dir }) => ({ name, dir, catalog: loadCatalog(dir, log) })).filter(({ catalog }) => catalog.records.length > 0);
  if (catalogs.length === 0) {
    throw new DataError(
      `no sequence files in ${dataDir} or its subfolders: expected FASTA (.fa, .fasta, .fna, with or without .fai), bgzipped FASTA (.fa.gz), .2bit or raw files (.raw, .smalla)`,
    );
  }
  const list: Assembly[] = [];
  const blockCache = options.blockCache ?? new BlockCache(defaults.bgzfCacheMib * MiB);
  try {
    for (const c of catalogs) list.push({ ...c, store: SequenceStore.open(c.catalog, { windows: options.windows ?? defaultWindows, blockCache }) });
    return new Assemblies(list, options.defaultAssembly, blockCache);
  } catch (e) {
    for (const a of list) a.store.close();
    throw e;
  }
}

/** The data folder itself, then its subfolders in name order. */
function assemblyFolders(dataDir: string, log: CatalogLog): { name: string; dir: string }[] {
  if (!isFolder(dataDir)) {
    throw new DataError(`data folder ${dataDir} does not exist or is not a folder; pass --data DIR or set SEQSERVE_DATA`);
  }
  const topName = basename(realpathSync(dataDir));
  const folders = [{ name: assemblyName.test(topName) ? topName : 'default', dir: dataDir }];
  for (const entry of readdirSync(dataDir).sort()) {
    const dir = join(dataDir, entry);
    if (entry.startsWith('.') || !isFolder(dir)) continue;
    if (!assemblyName.test(entry)) {
      log.warn(`skipping folder ${dir}: an assembly name may only hold letters, digits, '.', '_' and '-'; rename the folder to serve it`);
      continue;
    }
    if (entry === folders[0]!.name) {
      throw new DataError(`subfolder ${dir} has the same name as its data folder, so the two assemblies would share a name; rename the subfolder`);
    }
    folders.push({ name: entry, dir });
  }
  return folders;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
