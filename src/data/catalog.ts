/** The catalog of a data folder: its sequence files, their indexes and their aliases, read at startup. */
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildAliases, parseChromAlias, type Alias, type AliasFile, type AliasTable } from './aliases.js';
import { readAssemblyReport } from './assembly-report.js';
import { readTextFile } from './text-file.js';
import { bgzfRecords } from './bgzf-catalog.js';
import { DataError } from '../core/errors.js';
import { buildFai } from '../formats/fasta/fai-build.js';
import { formatFai, parseFai, validateFai, type FaiEntry } from '../formats/fasta/fai.js';
import { saveIndex } from '../formats/index-file.js';
import { readTwoBitIndex } from '../formats/twobit/twobit-index.js';
import { indexProgress, type CatalogLog, type SequenceRecord } from './sequence-record.js';

const fastaExtension = /\.(fa|fasta|fna)$/i;
const rawExtension = /\.(raw|smalla)$/i;
const compressedFasta = /\.(fa|fasta|fna)\.(gz|bgz|bgzf)$/i;
const twoBitExtension = /\.2bit$/i;
/** UCSC's names: chromAlias.txt (table dump) and ASSEMBLY.chromAlias.txt (per-assembly download). */
const aliasFileName = /^(.+\.)?chromAlias\.txt$/;

/** The sequences of a data folder, by name, in the order of their files, and their other names. */
export class Catalog {
  private readonly byName = new Map<string, SequenceRecord>();
  readonly aliases: AliasTable;

  /**
   * aliases is called once the names are known to be unique (a duplicate's message is the one
   * to fix, not the alias warnings it would cause); by default the built-in rule alone (chr1 ↔ 1, chrM ↔ MT).
   */
  constructor(
    readonly records: readonly SequenceRecord[],
    aliases?: (names: string[]) => AliasTable,
    /** Other names of this assembly, from its assembly report (GRCh38.p14, GRCh38): namespaces of names such as GRCh38:1. */
    readonly assemblyNames: readonly string[] = [],
  ) {
    for (const r of records) {
      const other = this.byName.get(r.name);
      if (other) {
        throw new DataError(`sequence "${r.name}" is in both ${other.file} and ${r.file}; names must be unique in the data folder: rename or remove one`);
      }
      this.byName.set(r.name, r);
    }
    const names = records.map((r) => r.name);
    this.aliases = aliases ? aliases(names) : buildAliases(names, [], { info() {}, warn() {} });
  }

  /** By canonical name only. */
  get(name: string): SequenceRecord | undefined {
    return this.byName.get(name);
  }

  /** By canonical name or alias; a real name always wins. */
  resolve(nameOrAlias: string): SequenceRecord | undefined {
    const direct = this.byName.get(nameOrAlias);
    if (direct) return direct;
    const name = this.aliases.canonical.get(nameOrAlias);
    return name === undefined ? undefined : this.byName.get(name);
  }

  /** The other names of a sequence (not the name itself), alias-file spellings first. */
  aliasesOf(name: string): readonly Alias[] {
    return this.aliases.aliasesOf.get(name) ?? [];
  }

  /** Each file once, in catalog order. */
  files(): string[] {
    return [...new Set(this.records.map((r) => r.file))];
  }
}

/**
 * Reads the top level of one folder: FASTA files with their .fai (built when missing), raw
 * sequence files, the UCSC alias file (chromAlias.txt or ASSEMBLY.chromAlias.txt) and NCBI's
 * assembly report (*_assembly_report.txt), if any.
 */
export function loadCatalog(dir: string, log: CatalogLog): Catalog {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DataError(`data folder ${dir} does not exist or is not a folder; pass --data DIR or set SEQSERVE_DATA`);
  }
  const records: SequenceRecord[] = [];
  const entries = readdirSync(dir).sort();
  for (const name of entries) records.push(...(fileRecords(join(dir, name), log) ?? []));
  // May be empty: a folder of assemblies has its sequences in subfolders (src/data/assemblies.ts).
  if (records.length === 0) return new Catalog(records);
  const report = readAssemblyReport(dir, entries, records, log);
  const files = (names: string[]) =>
    buildAliases(
      names,
      [aliasFile(dir, entries, log), report].filter((f) => f !== undefined),
      log,
    );
  return new Catalog(records, files, report?.assemblyNames);
}

/**
 * The records of one file of a data folder by its extension (FASTA with its .fai, built when
 * missing; raw; .2bit; bgzipped FASTA); undefined for a file that is not a sequence file.
 */
export function fileRecords(path: string, log: CatalogLog): SequenceRecord[] | undefined {
  const name = basename(path);
  if (fastaExtension.test(name)) return fastaRecords(path, log);
  if (rawExtension.test(name)) return [rawRecord(path)];
  if (twoBitExtension.test(name)) return twoBitRecords(path);
  if (compressedFasta.test(name)) {
    checkReadable(path);
    return bgzfRecords(path, log);
  }
  return undefined;
}

/** The folder's alias file, parsed; undefined when there is none. */
function aliasFile(dir: string, entries: readonly string[], log: CatalogLog): AliasFile | undefined {
  const found = entries.filter((e) => aliasFileName.test(e));
  if (found.length === 0) return undefined;
  // chromAlias.txt is what a user writes by hand; several downloads side by side must be chosen between.
  const chosen = found.includes('chromAlias.txt') ? 'chromAlias.txt' : found.length === 1 ? found[0]! : undefined;
  if (chosen === undefined) {
    throw new DataError(`${dir} holds several alias files (${found.join(', ')}); keep one, or name the one to use chromAlias.txt`);
  }
  if (found.length > 1) log.info(`${dir}: using chromAlias.txt, not ${found.filter((f) => f !== chosen).join(', ')}`);
  const path = join(dir, chosen);
  const text = readTextFile(path, 'alias file', 'without its aliases');
  return { path, groups: parseChromAlias(text, path) };
}

function fastaRecords(path: string, log: CatalogLog): SequenceRecord[] {
  checkReadable(path);
  const entries = fastaIndex(path, log);
  return entries.map((e) => ({ ...e, file: path, format: 'fasta' as const }));
}

function fastaIndex(path: string, log: CatalogLog): FaiEntry[] {
  const faiPath = `${path}.fai`;
  if (existsSync(faiPath)) {
    checkReadable(faiPath);
    const entries = parseFai(readFileSync(faiPath, 'latin1'), faiPath);
    validateFai(entries, path, faiPath);
    return entries;
  }
  const started = Date.now();
  const entries = buildFai(path, (msg) => log.warn(msg), { onProgress: indexProgress(log, path) });
  saveIndex(faiPath, Buffer.from(formatFai(entries), 'utf8'), path, log, `${entries.length} sequences, ${Date.now() - started} ms`);
  return entries;
}

function twoBitRecords(path: string): SequenceRecord[] {
  checkReadable(path);
  const { littleEndian, sequences } = readTwoBitIndex(path);
  return sequences.map((layout) => ({
    name: layout.name,
    length: layout.length,
    // No lines: one "line" from the packed bases on, so that code reading layouts never splits one.
    offset: layout.dnaOffset,
    lineBases: Math.max(layout.length, 1),
    lineBytes: Math.max(layout.length, 1),
    file: path,
    format: '2bit' as const,
    twoBit: { layout, littleEndian },
  }));
}

function rawRecord(path: string): SequenceRecord {
  const size = checkReadable(path);
  const name = basename(path).replace(rawExtension, '');
  // A raw file is one unbroken line: every range is one contiguous span.
  const lineBases = Math.max(size, 1);
  return { name, length: size, offset: 0, lineBases, lineBytes: lineBases, file: path, format: 'raw' };
}

/** Returns the file size; fails with the file's name and the fix when it cannot be read. */
function checkReadable(path: string): number {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new DataError(`${path} is not a regular file; remove it from the data folder`);
    closeSync(openSync(path, 'r'));
    return stat.size;
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)}); check that the file exists and is readable by this user`);
  }
}
