/** MappedBases: a plan's forward bases read straight out of the mappings, for PlanWriter. */
import type { MappedFile } from '../store/mapped-file.js';
import type { MappedSequence } from '../store/mapped-sequence.js';
import type { SequenceStore } from '../store/sequence-store.js';
import { copyBytes, mapBytes } from './base-bytes.js';

/**
 * Forward bases of the sequences of a plan, read straight out of their mappings: copied line
 * segment by line segment (line terminators skipped, no per-region buffer), or handed out as a
 * view when they are one run of bytes. The mapped file of each path is looked up once.
 */
export class MappedBases {
  private readonly files = new Map<string, MappedFile | undefined>();
  private lastSequence: MappedSequence | undefined;
  private lastFile: MappedFile | undefined;

  constructor(private readonly store: SequenceStore) {}

  /**
   * Copies forward bases [from, to) of a sequence into target, skipping line terminators, each
   * byte mapped through `table` when given (one pass for encoded windows). Indexes the mapping
   * window directly: no view is made per call (BENCHMARKS.md, training windows).
   */
  copy(sequence: MappedSequence, from: number, to: number, target: Buffer, at: number, table?: Uint8Array): void {
    if (to <= from) return;
    const file = sequence.isText ? this.fileOf(sequence) : undefined;
    if (!file) {
      // 2bit and bgzip: decoded by the sequence's own reader.
      sequence.copy(target, at, from, to);
      if (table) mapBytes(target, at, at + (to - from), target, at, table);
      return;
    }
    const { offset, lineBases, lineBytes } = sequence.record;
    let line = Math.floor(from / lineBases);
    let within = from - line * lineBases;
    const fileStart = offset + line * lineBytes + within;
    const lastLine = Math.floor((to - 1) / lineBases);
    const fileEnd = offset + lastLine * lineBytes + (to - 1 - lastLine * lineBases) + 1;
    const window = file.windowHolding(fileStart, fileEnd);
    if (!window) {
      // Across two mapping windows (rare): one copy a line.
      for (let i = from; i < to; line++, within = 0) {
        const n = Math.min(lineBases - within, to - i);
        const fs = offset + line * lineBytes + within;
        file.copy(target, at, fs, fs + n);
        if (table) mapBytes(target, at, at + n, target, at, table);
        at += n;
        i += n;
      }
      return;
    }
    // Line by line out of the window (one run when the sequence has no line ends).
    const skip = lineBytes - lineBases;
    let k = file.windowOffset(fileStart);
    for (let i = from; i < to; within = 0) {
      const n = Math.min(lineBases - within, to - i);
      if (table) mapBytes(window, k, k + n, target, at, table);
      else copyBytes(window, k, k + n, target, at);
      at += n;
      i += n;
      k += n + skip;
    }
  }

  /** A view of forward bases [from, to) when they are one run of bytes in the mapping. */
  view(sequence: MappedSequence, from: number, to: number): Buffer | undefined {
    if (!sequence.isText) return undefined;
    const { offset, lineBases, lineBytes } = sequence.record;
    const file = this.fileOf(sequence);
    if (!file) return undefined;
    if (lineBases !== lineBytes && Math.floor(from / lineBases) !== Math.floor((to - 1) / lineBases)) return undefined;
    const line = Math.floor(from / lineBases);
    const fileStart = offset + line * lineBytes + (from - line * lineBases);
    return file.view(fileStart, fileStart + (to - from));
  }

  private fileOf(sequence: MappedSequence): MappedFile | undefined {
    if (sequence === this.lastSequence) return this.lastFile;
    this.lastSequence = sequence;
    this.lastFile = this.fileByPath(sequence);
    return this.lastFile;
  }

  private fileByPath(sequence: MappedSequence): MappedFile | undefined {
    const path = sequence.record.file;
    let file = this.files.get(path);
    if (file === undefined && !this.files.has(path)) {
      file = this.store.mappedFile(path);
      this.files.set(path, file);
    }
    return file;
  }
}
