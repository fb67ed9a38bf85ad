/** SequenceRecord: what the catalog knows of one sequence's file and layout, for the store to map. */
import type { GziIndex } from '../formats/bgzf/gzi.js';
import type { LineLayout } from '../formats/fasta/offset.js';
import type { TwoBitLayout } from '../formats/twobit/twobit-index.js';

/** fasta: text with a .fai; raw: bases only; 2bit: UCSC's packed format; bgzf: bgzipped FASTA with .fai and .gzi. */
export type SequenceFormat = 'fasta' | 'raw' | '2bit' | 'bgzf';

/**
 * What the server knows about one sequence: where its bases are and how its lines are laid out.
 * For fasta, raw and bgzf the line layout places base i (in bgzf, in the uncompressed text); a
 * .2bit record has no lines (its layout says one line starting at the packed bases) and carries
 * its 2bit layout instead.
 */
export interface SequenceRecord extends LineLayout {
  name: string;
  length: number;
  /** Absolute path of the file holding the bases. */
  file: string;
  format: SequenceFormat;
  /** format 2bit: where the packed bases and the N and mask blocks are, and the file's byte order. */
  twoBit?: { layout: TwoBitLayout; littleEndian: boolean };
  /** format bgzf: the file's BGZF block index (one object shared by the file's records). */
  gzi?: GziIndex;
}

export interface CatalogLog {
  info(msg: string): void;
  warn(msg: string): void;
  /** While a missing index (.fai, .gzi) is built: bytes of the data file read so far, and its size. */
  onIndexProgress?(file: string, bytesDone: number, bytesTotal: number): void;
}

/** buildFai's and the BGZF scanners' progress callback for one file, when the log wants it. */
export function indexProgress(log: CatalogLog, path: string): ((done: number, total: number) => void) | undefined {
  return log.onIndexProgress ? (done, total) => log.onIndexProgress?.(path, done, total) : undefined;
}
