/**
 * Digests saved beside each data file (`<file>.refget.tsv`), so that hashing a genome, which
 * takes seconds per gigabase, happens once and not at every start. The header pins the data
 * file's size and mtime: a rewritten file makes its sidecar stale, and it is recomputed.
 */
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import type { SequenceRecord } from '../data/sequence-record.js';
import { fileSpan } from '../formats/fasta/offset.js';
import { fileDigests, type SequenceDigests } from './digests.js';

export interface DigestLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/** What a sidecar must agree with to be trusted. */
export interface FileStamp {
  size: number;
  /** mtimeMs as an integer: sub-millisecond precision does not survive every file system. */
  mtime: number;
}

const MAGIC = '# seqserve refget digests v1';
const COLUMNS = '#name\tlength\tmd5\tga4gh';
const MD5 = /^[0-9a-f]{32}$/;
const GA4GH = /^SQ\.[A-Za-z0-9_-]{32}$/;

export function sidecarPath(file: string): string {
  return `${file}.refget.tsv`;
}

export function fileStamp(file: string): FileStamp {
  const stat = statSync(file);
  return { size: stat.size, mtime: Math.trunc(stat.mtimeMs) };
}

/**
 * The digests of `records` (all of one file, in file order) from the file's sidecar, or
 * undefined when there is none or it cannot be trusted: unreadable, malformed, written for
 * another version of the file, or listing other sequences.
 */
export function readSidecar(file: string, records: readonly SequenceRecord[]): Map<string, SequenceDigests> | undefined {
  let text: string;
  let stamp: FileStamp;
  try {
    text = readFileSync(sidecarPath(file), 'latin1');
    stamp = fileStamp(file);
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (!sameStamp(lines[0], stamp) || lines[1] !== COLUMNS) return undefined;
  if (lines.length - 2 !== records.length) return undefined;
  const out = new Map<string, SequenceDigests>();
  for (let i = 0; i < records.length; i++) {
    const fields = lines[i + 2]!.split('\t');
    if (fields.length < 4) return undefined;
    // From the right, so that a name holding a tab (possible for a raw file's name) still parses.
    const [length, md5, ga4gh] = fields.slice(-3) as [string, string, string];
    const name = fields.slice(0, -3).join('\t');
    const record = records[i]!;
    if (name !== record.name || length !== String(record.length) || !MD5.test(md5) || !GA4GH.test(ga4gh)) return undefined;
    out.set(name, { md5, ga4gh });
  }
  return out;
}

/**
 * Saves the digests of `records` beside `file`, through a temporary name and a rename so a
 * reader never sees half a sidecar. `stamp` should be taken before hashing, so that a file
 * changed meanwhile leaves a sidecar that is already stale rather than one that lies.
 * Throws when the folder is not writable; the caller decides how loudly to say so.
 */
export function writeSidecar(
  file: string,
  records: readonly SequenceRecord[],
  digests: ReadonlyMap<string, SequenceDigests>,
  stamp: FileStamp = fileStamp(file),
): void {
  const rows = records.map((r) => {
    const d = digests.get(r.name);
    if (!d) throw new Error(`no digests for sequence "${r.name}" of ${file}`);
    return `${r.name}\t${r.length}\t${d.md5}\t${d.ga4gh}\n`;
  });
  const path = sidecarPath(file);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${MAGIC}\tsize=${stamp.size}\tmtime=${stamp.mtime}\n${COLUMNS}\n${rows.join('')}`, 'latin1');
  try {
    renameSync(tmp, path);
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
}

/**
 * Records grouped by file, in order of first appearance; a name repeated within a file (the
 * same sequence reached twice) is kept once, so the sidecar lists each sequence once.
 */
export function groupByFile(records: Iterable<SequenceRecord>): Map<string, SequenceRecord[]> {
  const groups = new Map<string, Map<string, SequenceRecord>>();
  for (const r of records) {
    let group = groups.get(r.file);
    if (!group) groups.set(r.file, (group = new Map<string, SequenceRecord>()));
    if (!group.has(r.name)) group.set(r.name, r);
  }
  return new Map([...groups].map(([file, byName]) => [file, [...byName.values()]]));
}

/** Hashes every record of one file, then tries to save the sidecar; returns the warning when it could not. */
export function computeFile(file: string, records: readonly SequenceRecord[]): { digests: Map<string, SequenceDigests>; warning?: string } {
  const stamp = fileStamp(file);
  const digests = new Map([...fileDigests(records)].map(([r, d]) => [r.name, d] as const));
  return saveComputed(file, records, digests, stamp);
}

/** Tries to save the digests just computed; says what to do when the folder is not writable. */
function saveComputed(
  file: string,
  records: readonly SequenceRecord[],
  digests: Map<string, SequenceDigests>,
  stamp: FileStamp,
): { digests: Map<string, SequenceDigests>; warning?: string } {
  try {
    writeSidecar(file, records, digests, stamp);
    return { digests };
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? String(e);
    return {
      digests,
      warning: `computed refget digests for ${file} but could not save ${sidecarPath(file)} (${reason}); they will be recomputed at every start: run seqserve index on a writable copy of the folder, or make it writable`,
    };
  }
}

export interface IndexResult {
  reused: number;
  computed: number;
  digests: Map<SequenceRecord, SequenceDigests>;
}

export interface IndexOptions {
  /** After each sequence hashed: bytes of the data files read so far, and to read in all. */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Stops between two sequences (rejecting with the signal's reason); sidecars already saved stay. */
  signal?: AbortSignal;
}

/**
 * For `seqserve index DIR`: every file's digests, reused from a valid sidecar or computed and
 * saved. Synchronous. Counts are of sequences.
 */
export function indexDigests(records: readonly SequenceRecord[], log: DigestLog): IndexResult {
  const run = new IndexRun(records, log);
  for (const bytes of run.steps()) void bytes;
  return run.result();
}

/**
 * indexDigests yielding to the event loop after each sequence hashed (a whole chromosome:
 * about a second per 200 Mbp), so that progress is drawn and Ctrl-C is heard between sequences.
 */
export async function indexDigestsAsync(records: readonly SequenceRecord[], log: DigestLog, options: IndexOptions = {}): Promise<IndexResult> {
  const run = new IndexRun(records, log);
  let done = 0;
  options.onProgress?.(0, run.bytesToHash);
  for (const bytes of run.steps()) {
    done += bytes;
    options.onProgress?.(done, run.bytesToHash);
    await new Promise((resolve) => setImmediate(resolve));
    options.signal?.throwIfAborted();
  }
  return run.result();
}

/** One index run: trusted sidecars read up front, then the other files hashed sequence by sequence. */
class IndexRun {
  private reused = 0;
  private computed = 0;
  private readonly byFile = new Map<string, Map<string, SequenceDigests>>();
  private readonly toHash: [file: string, group: SequenceRecord[]][] = [];
  readonly bytesToHash: number = 0;

  constructor(
    private readonly records: readonly SequenceRecord[],
    private readonly log: DigestLog,
  ) {
    for (const [file, group] of groupByFile(records)) {
      const saved = readSidecar(file, group);
      if (saved) {
        this.reused += group.length;
        this.byFile.set(file, saved);
      } else {
        this.toHash.push([file, group]);
        this.bytesToHash += group.reduce((sum, r) => sum + recordBytes(r), 0);
      }
    }
  }

  /** One sequence hashed per step, yielding the bytes it read; a file's sidecar is saved after its last sequence. */
  *steps(): Generator<number> {
    for (const [file, group] of this.toHash) {
      const started = Date.now();
      // Taken before hashing: a file changed meanwhile leaves a sidecar already stale (see writeSidecar).
      const stamp = fileStamp(file);
      const computed = new Map<string, SequenceDigests>();
      for (const [r, d] of fileDigests(group)) {
        computed.set(r.name, d);
        yield recordBytes(r);
      }
      const { digests, warning } = saveComputed(file, group, computed, stamp);
      this.computed += group.length;
      this.byFile.set(file, digests);
      if (warning) this.log.warn(warning);
      else this.log.info(`computed refget digests for ${file} (${group.length} sequences, ${Date.now() - started} ms), saved to ${sidecarPath(file)}`);
    }
  }

  result(): IndexResult {
    const digests = new Map<SequenceRecord, SequenceDigests>();
    for (const r of this.records) {
      const d = this.byFile.get(r.file)?.get(r.name);
      if (d) digests.set(r, d);
    }
    return { reused: this.reused, computed: this.computed, digests };
  }
}

/**
 * Bytes of its file that hashing a record reads: its bases and the line ends between them (the
 * bases themselves for packed or compressed formats, whose decoded size is what takes the time).
 */
function recordBytes(r: SequenceRecord): number {
  if (r.length === 0 || (r.format !== 'fasta' && r.format !== 'raw')) return r.length;
  const [start, end] = fileSpan(r, 0, r.length);
  return end - start;
}

/**
 * The header's stamp against the file's. The mtime is compared to the second: copies (docker's
 * COPY between stages, cp -p, tar) keep whole seconds only, and the sidecar travels with its file.
 */
function sameStamp(header: string | undefined, stamp: FileStamp): boolean {
  const m = header === undefined ? null : new RegExp(`^${MAGIC}\\tsize=(\\d+)\\tmtime=(\\d+)$`).exec(header);
  if (!m) return false;
  return Number(m[1]) === stamp.size && Math.floor(Number(m[2]) / 1000) === Math.floor(stamp.mtime / 1000);
}
