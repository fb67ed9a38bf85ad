import { Readable } from 'node:stream';
import type { MappedSequence } from './mapped-sequence.js';

/** Bases per chunk: large enough to amortise per-chunk work, small enough to keep memory flat. */
const chunkBases = 256 * 1024;

/**
 * Streams bases [start, end) (or their reverse complement) chunk by chunk as the socket
 * drains, so memory stays flat whatever the range, and a client that hangs up stops the work.
 * Contiguous chunks are views of the mapping; only wrapped lines and reverse complements copy.
 */
export class RangeStream extends Readable {
  private next: number;

  constructor(
    private readonly sequence: MappedSequence,
    private readonly start: number,
    private readonly end: number,
    private readonly reverse: boolean,
  ) {
    super({ highWaterMark: chunkBases });
    this.next = reverse ? end : start;
  }

  override _read(): void {
    let more = true;
    while (more) {
      if (this.reverse) {
        if (this.next <= this.start) return void this.push(null);
        const from = Math.max(this.start, this.next - chunkBases);
        more = this.push(this.sequence.reverseComplement(from, this.next));
        this.next = from;
      } else {
        if (this.next >= this.end) return void this.push(null);
        const to = Math.min(this.end, this.next + chunkBases);
        more = this.push(this.sequence.bytes(this.next, to));
        this.next = to;
      }
    }
  }
}
