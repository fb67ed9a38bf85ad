/** ChunkStream: a span of bases streamed chunk by chunk as the socket drains. */
import { Readable } from 'node:stream';

/** Bytes per chunk: large enough to amortise per-chunk work, small enough to keep memory flat. */
const chunkBytes = 256 * 1024;

/**
 * Streams [start, end) chunk by chunk as the socket drains, so memory stays flat whatever the
 * size, and a client that hangs up stops the work. `chunk(from, to)` gives each chunk: a view of
 * the mapping where the bytes are contiguous, a copy only where they are not. `backwards` reads
 * the chunks from the end, for reverse complements, whose first bytes come from the last bases.
 */
export class ChunkStream extends Readable {
  private next: number;

  constructor(
    private readonly chunk: (from: number, to: number) => Buffer,
    private readonly start: number,
    private readonly end: number,
    private readonly backwards = false,
  ) {
    super({ highWaterMark: chunkBytes });
    this.next = backwards ? end : start;
  }

  override _read(): void {
    let more = true;
    while (more) {
      if (this.backwards) {
        if (this.next <= this.start) return void this.push(null);
        const from = Math.max(this.start, this.next - chunkBytes);
        more = this.push(this.chunk(from, this.next));
        this.next = from;
      } else {
        if (this.next >= this.end) return void this.push(null);
        const to = Math.min(this.end, this.next + chunkBytes);
        more = this.push(this.chunk(this.next, to));
        this.next = to;
      }
    }
  }
}
