/**
 * One side of `seqserve compare`, read from the local disk without a server: a data folder (its
 * default assembly, as serve would pick it; an assembly is named by its folder, DIR/NAME), one
 * sequence file (FASTA, bgzipped FASTA, .2bit, raw) with its refget digests from the sidecar
 * `seqserve index` writes or hashed here and saved the same way, or an index that has names
 * and lengths only: a samtools .fai, or a SAM sequence dictionary (.dict), whose M5 is an MD5
 * and not the ga4gh digest a collection is made of.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError } from '../core/errors.js';
import { openAssemblies } from '../data/assemblies.js';
import { fileRecords } from '../data/catalog.js';
import type { CatalogLog, SequenceRecord } from '../data/sequence-record.js';
import { parseFai } from '../formats/fasta/fai.js';
import { fileStamp, groupByFile, readSidecar, sidecarPath, writeSidecar } from '../refget/digest-sidecar.js';
import { fileDigests, type SequenceDigests } from '../refget/digests.js';
import { buildCollection, namesAndLengths, type SequenceCollection } from './collection.js';
import type { Arrays } from './comparison.js';

export interface LocalCollection {
  path: string;
  /** What the path is, in words: "assembly hg38 (folder)", "FASTA file", "samtools .fai index"... */
  kind: string;
  names: string[];
  lengths: number[];
  /** Present when the sequences' refget digests are known; a .fai or .dict has names and lengths only. */
  collection?: SequenceCollection;
  /** Why the sequences are not compared, when they are not. */
  note?: string;
}

export interface LoadOptions {
  log: CatalogLog;
  /** While hashing sequences with no saved digests: bases hashed so far, and to hash in all. */
  onHashProgress?: (basesDone: number, basesTotal: number) => void;
}

const formatNames: Record<SequenceRecord['format'], string> = {
  fasta: 'FASTA file',
  bgzf: 'bgzipped FASTA file',
  '2bit': '.2bit file',
  raw: 'raw sequence file',
};

/** Reads one side; a path that is missing, unreadable or of no known kind is a DataError naming it. */
export function loadLocalCollection(path: string, options: LoadOptions): LocalCollection {
  let folder: boolean;
  try {
    folder = statSync(path).isDirectory();
  } catch (e) {
    throw new DataError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)}); give a data folder, an assembly's folder or a sequence file`);
  }
  if (folder) return folderSide(path, options);
  if (/\.fai$/i.test(path)) return namesOnly(path, 'samtools .fai index', readIndex(path, parseFai), 'a .fai has names and lengths only');
  if (/\.dict$/i.test(path)) {
    const note = 'a .dict has names and lengths; its M5 is an MD5, not the ga4gh digest a collection holds, so sequences are not compared';
    return namesOnly(path, 'sequence dictionary (.dict)', readIndex(path, parseDict), note);
  }
  const records = fileRecords(path, options.log);
  if (!records) {
    throw new DataError(
      `${path}: not a file seqserve compare reads; give a data folder, an assembly's folder, or a FASTA (.fa, .fasta, .fna, bgzipped .fa.gz), .2bit, .fai or .dict file`,
    );
  }
  if (records.length === 0) throw new DataError(`${path} holds no sequences; compare a file with at least one`);
  return sequenceSide(path, formatNames[records[0]!.format], records, options);
}

/** The arrays compared: the level 2 collection, or names, lengths and their pairs for a side without digests. */
export function arraysOf(side: LocalCollection): Arrays {
  if (side.collection) return side.collection.level2;
  return { names: side.names, lengths: side.lengths, name_length_pairs: namesAndLengths(side.names, side.lengths) };
}

/** A folder: its default assembly, as serve picks it (its own files, else its first subfolder). */
function folderSide(path: string, options: LoadOptions): LocalCollection {
  const assemblies = openAssemblies(path, options.log);
  const chosen = assemblies.default;
  // The records are plain data: the mappings are not needed to hash, which maps each file itself.
  const records = chosen.catalog.records;
  assemblies.close();
  if (assemblies.list.length > 1) {
    const others = assemblies.list.filter((a) => a !== chosen).map((a) => a.name);
    options.log.info(`${path} holds ${assemblies.list.length} assemblies; comparing ${chosen.name}, its default (another one: ${join(path, others[0]!)})`);
  }
  return sequenceSide(chosen.dir, `assembly ${chosen.name} (folder)`, records, options);
}

function sequenceSide(path: string, kind: string, records: readonly SequenceRecord[], options: LoadOptions): LocalCollection {
  const names = records.map((r) => r.name);
  const lengths = records.map((r) => r.length);
  const sequences = digestsOf(records, options);
  return { path, kind, names, lengths, collection: buildCollection({ names, lengths, sequences }) };
}

function namesOnly(path: string, kind: string, { names, lengths }: { names: string[]; lengths: number[] }, note: string): LocalCollection {
  return { path, kind, names, lengths, note };
}

/**
 * Each record's ga4gh digest: from its file's sidecar when it is there and up to date, else
 * hashed, then saved as `seqserve index` would, so that the next comparison is instant.
 */
function digestsOf(records: readonly SequenceRecord[], { log, onHashProgress }: LoadOptions): string[] {
  const known = new Map<string, SequenceDigests>();
  const key = (r: SequenceRecord) => `${r.file}\0${r.name}`;
  const toHash: [string, SequenceRecord[]][] = [];
  for (const [file, group] of groupByFile(records)) {
    const saved = readSidecar(file, group);
    if (saved) for (const r of group) known.set(key(r), saved.get(r.name)!);
    else toHash.push([file, group]);
  }
  const total = toHash.reduce((sum, [, group]) => sum + group.reduce((s, r) => s + r.length, 0), 0);
  let done = 0;
  if (toHash.length > 0) onHashProgress?.(0, total);
  for (const [file, group] of toHash) {
    const stamp = fileStamp(file);
    const computed = new Map<string, SequenceDigests>();
    for (const [r, d] of fileDigests(group)) {
      computed.set(r.name, d);
      known.set(key(r), d);
      onHashProgress?.((done += r.length), total);
    }
    try {
      writeSidecar(file, group, computed, stamp);
      log.info(`computed the refget digests of ${file}, saved to ${sidecarPath(file)}`);
    } catch (e) {
      log.info(
        `computed the refget digests of ${file}; could not save them (${(e as NodeJS.ErrnoException).code ?? String(e)}), so they are hashed again next time`,
      );
    }
  }
  return records.map((r) => known.get(key(r))!.ga4gh);
}

function readIndex(path: string, parse: (text: string, path: string) => { name: string; length: number }[]): { names: string[]; lengths: number[] } {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    throw new DataError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)}); check that the file is readable by this user`);
  }
  const entries = parse(text, path);
  if (entries.length === 0) throw new DataError(`${path} lists no sequences; compare a file with at least one`);
  return { names: entries.map((e) => e.name), lengths: entries.map((e) => e.length) };
}

/** A SAM header's @SQ lines (SN: name, LN: length), as samtools dict and Picard write them; other lines skipped. */
function parseDict(text: string, path: string): { name: string; length: number }[] {
  const out: { name: string; length: number }[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.startsWith('@SQ\t')) return;
    const fields = line.split('\t');
    const tag = (t: string) => fields.find((f) => f.startsWith(`${t}:`))?.slice(t.length + 1);
    const name = tag('SN');
    const length = tag('LN');
    if (!name || length === undefined || !/^\d+$/.test(length)) {
      throw new DataError(
        `${path}:${i + 1}: an @SQ line needs SN:NAME and LN:LENGTH, tab-separated; fix the line, or write the file again with: samtools dict FASTA`,
      );
    }
    out.push({ name, length: Number(length) });
  });
  if (out.length === 0 && !/^@(HD|SQ)/.test(text)) {
    throw new DataError(`${path} is not a sequence dictionary (no @HD or @SQ header line); write one with: samtools dict ${basename(path, '.dict')}.fa`);
  }
  return out;
}
