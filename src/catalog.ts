import { closeSync, existsSync, openSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError } from './errors.js';
import { buildFai } from './fasta/fai-build.js';
import { formatFai, parseFai, validateFai, type FaiEntry } from './fasta/fai.js';
import type { LineLayout } from './fasta/offset.js';

export type SequenceFormat = 'fasta' | 'raw';

/** What the server knows about one sequence: where its bases are and how its lines are laid out. */
export interface SequenceRecord extends LineLayout {
  name: string;
  length: number;
  /** Absolute path of the file holding the bases. */
  file: string;
  format: SequenceFormat;
}

export interface CatalogLog {
  info(msg: string): void;
  warn(msg: string): void;
}

const fastaExtension = /\.(fa|fasta|fna)$/i;
const rawExtension = /\.(raw|smalla)$/i;
const compressedFasta = /\.(fa|fasta|fna)\.(gz|bgz|bgzf)$/i;

/** The sequences of a data folder, by name, in the order of their files. */
export class Catalog {
  private readonly byName = new Map<string, SequenceRecord>();

  constructor(readonly records: readonly SequenceRecord[]) {
    for (const r of records) {
      const other = this.byName.get(r.name);
      if (other) {
        throw new DataError(
          `sequence "${r.name}" is in both ${other.file} and ${r.file}; names must be unique in the data folder: rename or remove one`,
        );
      }
      this.byName.set(r.name, r);
    }
  }

  get(name: string): SequenceRecord | undefined {
    return this.byName.get(name);
  }

  /** Each file once, in catalog order. */
  files(): string[] {
    return [...new Set(this.records.map((r) => r.file))];
  }
}

/** Reads a data folder: FASTA files with their .fai (built when missing) and raw sequence files. */
export function loadCatalog(dir: string, log: CatalogLog): Catalog {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DataError(`data folder ${dir} does not exist or is not a folder; pass --data DIR or set SEQSERVE_DATA`);
  }
  const records: SequenceRecord[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (fastaExtension.test(name)) records.push(...fastaRecords(path, log));
    else if (rawExtension.test(name)) records.push(rawRecord(path));
    else if (compressedFasta.test(name)) log.warn(`skipping ${path}: compressed FASTA is not served yet; decompress it (gunzip) and index it (samtools faidx)`);
  }
  if (records.length === 0) {
    throw new DataError(`no sequence files in ${dir}: expected FASTA (.fa, .fasta, .fna, with or without .fai) or raw files (.raw, .smalla)`);
  }
  return new Catalog(records);
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
  const entries = buildFai(path, (msg) => log.warn(msg));
  const took = Date.now() - started;
  try {
    // Write beside, then rename, so an interrupted start never leaves half an index.
    const tmp = `${faiPath}.tmp-${process.pid}`;
    writeFileSync(tmp, formatFai(entries));
    try {
      renameSync(tmp, faiPath);
    } catch (e) {
      unlinkSync(tmp);
      throw e;
    }
    log.info(`built index ${faiPath} (${entries.length} sequences, ${took} ms)`);
  } catch (e) {
    log.warn(`built index for ${path} in memory (${took} ms) but could not save ${faiPath} (${(e as NodeJS.ErrnoException).code ?? e}); it will be rebuilt at every start: run samtools faidx ${path} where the folder is writable`);
  }
  return entries;
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
    throw new DataError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? e}); check that the file exists and is readable by this user`);
  }
}
