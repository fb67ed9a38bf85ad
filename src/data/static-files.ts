/**
 * The /files map: which files of the data folder are servable under which name, decided when the data
 * is opened.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { formatFai, type FaiEntry } from '../formats/fasta/fai.js';
import type { Validators } from '../http/range.js';
import { ChunkStream } from '../store/chunk-stream.js';
import type { MappedFile } from '../store/mapped-file.js';
import type { Assemblies } from './assemblies.js';
import type { SequenceFormat, SequenceRecord } from './sequence-record.js';
import { formatGzi } from '../formats/bgzf/gzi.js';
import { readSidecar, sidecarPath } from '../refget/digest-sidecar.js';
import type { SequenceStore } from '../store/sequence-store.js';

/**
 * The files of the data folder served as they are under /files/NAME: each FASTA file and its
 * .fai, each bgzipped FASTA with its .fai and .gzi, each .2bit and raw file, and each valid refget digest sidecar (an assembly subfolder's under
 * /files/ASSEMBLY/NAME). Everything is decided once, at startup: which names exist (a map from
 * name to file, so a URL is only ever a key, never a path), their sizes and validators, and
 * the bytes of each .fai (read from disk, or built from the catalog when the server built the
 * index in memory). The request path reads no file: FASTA and raw bytes come from the store's
 * mappings, .fai bytes from memory.
 */
export interface StaticFile extends Validators {
  name: string;
  size: number;
  /** Bytes [start, end): a view of the mapping or of the in-memory bytes where it can be. */
  bytes(start: number, end: number): Buffer;
  /** Bytes [start, end) as a stream of chunks, pushed as the socket drains. */
  stream(start: number, end: number): Readable;
}

export interface StaticFilesLog {
  warn(msg: string): void;
}

/** Where the bytes of a served file come from. */
interface Source {
  size: number;
  bytes(start: number, end: number): Buffer;
}

function mappedSource(file: MappedFile | undefined): Source {
  if (!file) return { size: 0, bytes: () => Buffer.alloc(0) };
  return {
    size: file.size,
    // A view of the mapping; a copy only for a span crossing a window (files over 1 GiB).
    bytes: (start, end) => file.bytes(start, end),
  };
}

function memorySource(buffer: Buffer): Source {
  return { size: buffer.length, bytes: (start, end) => buffer.subarray(start, end) };
}

function staticFile(name: string, source: Source, validators: Validators): StaticFile {
  return {
    name,
    size: source.size,
    ...validators,
    bytes: (start, end) => source.bytes(start, end),
    stream: (start, end) => new ChunkStream((a, b) => source.bytes(a, b), start, end),
  };
}

/** Validators of a file on disk: ETag from size, mtime (ns) and inode, taken now. */
function fileValidators(path: string, size: number, now: number): Validators {
  const st = statSync(path, { bigint: true });
  const lastModified = Math.floor(Number(st.mtimeMs) / 1000) * 1000;
  return {
    etag: `"${size.toString(36)}-${st.mtimeNs.toString(36)}-${st.ino.toString(36)}"`,
    lastModified,
    lastModifiedStrong: now - Number(st.mtimeMs) >= 1000,
  };
}

/** Validators of bytes held in memory (an index built at startup): ETag from their digest. */
function memoryValidators(bytes: Buffer, lastModified: Validators): Validators {
  const digest = createHash('sha256').update(bytes).digest('base64url').slice(0, 27);
  return { etag: `"fai-${digest}"`, lastModified: lastModified.lastModified, lastModifiedStrong: lastModified.lastModifiedStrong };
}

/**
 * Whether `path` really lies inside `realDir` once every symlink is resolved.
 *
 * A symlink in the data folder that points outside it is NOT served under /files, whether it
 * is the FASTA, its .fai or a raw file: /files publishes the data folder's own bytes, and a link
 * must not turn it into a window onto the rest of the filesystem. (Its sequences are still served
 * by /chrom, which the catalog has always done: those answers are bases, not arbitrary bytes.)
 * A link whose target lies inside the data folder is served.
 */
function inside(path: string, realDir: string): boolean {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return false;
  }
  const rel = relative(realDir, real);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * The servable files of every assembly, by name, built once at startup: the data folder's own
 * files by file name, an assembly subfolder's as ASSEMBLY/NAME.
 */
export function buildStaticFiles(dataDir: string, assemblies: Assemblies, log: StaticFilesLog): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const realDir = realpathSync(dataDir);
  for (const { name, dir, store } of assemblies.list) {
    const prefix = realpathSync(dir) === realDir ? '' : `${name}/`;
    addStoreFiles(files, prefix, store, realDir, dataDir, log);
  }
  return files;
}

function addStoreFiles(files: Map<string, StaticFile>, prefix: string, store: SequenceStore, realDir: string, dataDir: string, log: StaticFilesLog): void {
  const now = Date.now();
  // The catalog's files in its order, each with its records (a FASTA's .fai lines, in order).
  const byFile = new Map<string, { format: SequenceFormat; entries: FaiEntry[]; records: SequenceRecord[] }>();
  for (const { record } of store.sequences) {
    const group = byFile.get(record.file) ?? { format: record.format, entries: [], records: [] };
    group.entries.push({ name: record.name, length: record.length, offset: record.offset, lineBases: record.lineBases, lineBytes: record.lineBytes });
    group.records.push(record);
    byFile.set(record.file, group);
  }

  for (const [path, { format, entries, records }] of byFile) {
    const name = `${prefix}${basename(path)}`;
    if (!inside(path, realDir)) {
      log.warn(`not serving ${path} under /files: it is a symlink to a file outside the data folder ${dataDir}`);
      continue;
    }
    const source = mappedSource(store.mappedFile(path));
    const validators = fileValidators(path, source.size, now);
    files.set(name, staticFile(name, source, validators));

    // Digests computed later, in the background, are served from the next start on.
    const sidecar = sidecarPath(path);
    if (exists(sidecar) && inside(sidecar, realDir) && readSidecar(path, records)) {
      const bytes = readFileSync(sidecar);
      files.set(`${prefix}${basename(sidecar)}`, staticFile(`${prefix}${basename(sidecar)}`, memorySource(bytes), fileValidators(sidecar, bytes.length, now)));
    }
    // A FASTA's .fai and a bgzipped FASTA's .fai and .gzi: what samtools and igv.js fetch beside it.
    if (format === 'fasta' || format === 'bgzf') {
      // UTF-8, as the catalog decodes names and writes the .fai (see formatFai).
      addIndex(files, `${name}.fai`, `${path}.fai`, () => Buffer.from(formatFai(entries), 'utf8'), { path, realDir, now, validators, log });
    }
    if (format === 'bgzf') addIndex(files, `${name}.gzi`, `${path}.gzi`, () => formatGzi(records[0]!.gzi!), { path, realDir, now, validators, log });
  }
}

/**
 * An index served beside its data file: read once from disk, or, when it was built in memory (a
 * read-only folder) or is a symlink to outside the folder, the index the catalog holds, which is
 * what samtools would write.
 */
function addIndex(
  files: Map<string, StaticFile>,
  name: string,
  indexPath: string,
  built: () => Buffer,
  at: { path: string; realDir: string; now: number; validators: Validators; log: StaticFilesLog },
): void {
  const onDisk = exists(indexPath);
  if (onDisk && inside(indexPath, at.realDir)) {
    // Read once here; the catalog has already checked it against the data file.
    const bytes = readFileSync(indexPath);
    files.set(name, staticFile(name, memorySource(bytes), fileValidators(indexPath, bytes.length, at.now)));
    return;
  }
  if (onDisk) at.log.warn(`serving the index of ${at.path} as built from the catalog: ${indexPath} is a symlink to outside the data folder`);
  const bytes = built();
  files.set(name, staticFile(name, memorySource(bytes), memoryValidators(bytes, at.validators)));
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
