/** The catalog's records of a bgzipped FASTA, from its .fai and .gzi (built and saved when missing). */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { indexProgress, type CatalogLog, type SequenceRecord } from './sequence-record.js';
import { DataError } from '../core/errors.js';
import { faiSpanBytes, formatFai, parseFai, type FaiEntry } from '../formats/fasta/fai.js';
import { saveIndex } from '../formats/index-file.js';
import { buildBgzfIndexes } from '../formats/bgzf/bgzf-index.js';
import { blockInflatedSize, formatGzi, MAX_BLOCK_BYTES, parseBlockHeader, parseGzi, scanBgzf, type GziIndex } from '../formats/bgzf/gzi.js';

/**
 * The records of a bgzipped FASTA (.fa.gz): its .fai (offsets in the uncompressed text, as
 * samtools writes for bgzipped input) and its .gzi (where each BGZF block starts), each read
 * from beside the file or, when missing, built as `samtools faidx FILE.fa.gz` does and saved
 * there. A plain gzip file cannot be read at random and is refused with the fix.
 */
export function bgzfRecords(path: string, log: CatalogLog): SequenceRecord[] {
  checkFirstBlock(path);
  const faiPath = `${path}.fai`;
  const gziPath = `${path}.gzi`;
  let entries: FaiEntry[];
  let gzi: GziIndex;
  if (existsSync(faiPath)) {
    entries = parseFai(readFileSync(faiPath, 'latin1'), faiPath);
    gzi = existsSync(gziPath) ? parseGzi(readFileSync(gziPath), gziPath) : saved(scanBgzf(path, indexProgress(log, path)), gziPath, path, log);
  } else {
    const started = Date.now();
    const built = buildBgzfIndexes(path, (m) => log.warn(m), indexProgress(log, path));
    entries = built.fai;
    gzi = existsSync(gziPath) ? parseGzi(readFileSync(gziPath), gziPath) : saved(built.gzi, gziPath, path, log);
    saveIndex(faiPath, Buffer.from(formatFai(entries), 'utf8'), path, log, `${entries.length} sequences, ${Date.now() - started} ms`);
  }
  checkFits(path, faiPath, gziPath, entries, gzi);
  return entries.map((e) => ({ ...e, file: path, format: 'bgzf' as const, gzi }));
}

function saved(gzi: GziIndex, gziPath: string, path: string, log: CatalogLog): GziIndex {
  saveIndex(gziPath, formatGzi(gzi), path, log, `${gzi.compressed.length} blocks`);
  return gzi;
}

/** Refuses a file that is not BGZF (plain gzip, or not gzip at all) before any index is trusted. */
function checkFirstBlock(path: string): void {
  const header = readAt(path, 0, MAX_BLOCK_BYTES);
  parseBlockHeader(header, path, 0);
}

/**
 * Every sequence of the .fai must lie inside the uncompressed text the .gzi describes, and the
 * .gzi's blocks inside the file: an index left from another version of the file fails here, at
 * startup, not as wrong bytes later.
 */
function checkFits(path: string, faiPath: string, gziPath: string, entries: readonly FaiEntry[], gzi: GziIndex): void {
  const last = gzi.compressed.length - 1;
  const lastStart = gzi.compressed[last]!;
  const block = readAt(path, lastStart, MAX_BLOCK_BYTES);
  const stale = `; the index is stale or belongs to another file: delete ${faiPath} and ${gziPath} to have them rebuilt`;
  let textBytes: number;
  try {
    const header = parseBlockHeader(block, path, lastStart);
    textBytes = gzi.uncompressed[last]! + blockInflatedSize(block.subarray(0, header.size), path, lastStart);
  } catch (e) {
    if (e instanceof DataError) throw new DataError(`${gziPath} lists a block at byte ${lastStart} of ${path} that is not one${stale}`);
    throw e;
  }
  for (const e of entries) {
    const end = e.offset + faiSpanBytes(e);
    if (end > textBytes) {
      throw new DataError(`${faiPath}: sequence "${e.name}" ends at byte ${end} of the uncompressed text, but ${path} holds ${textBytes} bytes${stale}`);
    }
  }
  gzi.uncompressedSize = textBytes;
}

function readAt(path: string, position: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const n = readSync(fd, buffer, 0, length, position);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
