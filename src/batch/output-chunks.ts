/**
 * The output of a PlanWriter: bytes written into large chunks (fewer, bigger socket writes),
 * plus views of the mapping passed through as chunks of their own, without a copy.
 */

/** Output chunk size. */
export const chunkBytes = 256 * 1024;

export class OutputChunks {
  /** The chunk being filled; callers on the hot path write into it directly at `pos`. */
  buf: Buffer = Buffer.allocUnsafe(chunkBytes);
  pos = 0;
  private chunks: Buffer[] = [];
  /** Bytes in `chunks`. */
  private flushed = 0;

  /** Bytes written since the last take(). */
  produced(): number {
    return this.flushed + this.pos;
  }

  /** The chunks written since the last take(), the current one included. */
  take(): Buffer[] {
    this.flush();
    const out = this.chunks;
    this.chunks = [];
    this.flushed = 0;
    return out;
  }

  /** Makes room for n more bytes in the current chunk, starting a new chunk if need be. */
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(n, chunkBytes));
  }

  /** Writes a string as UTF-8: a byte loop while it is ASCII. */
  text(s: string): void {
    const n = s.length;
    this.room(n * 3);
    const buf = this.buf;
    let pos = this.pos;
    for (let j = 0; j < n; j++) {
      const c = s.charCodeAt(j);
      if (c >= 0x80) {
        pos += buf.write(s.slice(j), pos, 'utf8');
        break;
      }
      buf[pos++] = c;
    }
    this.pos = pos;
  }

  /** Writes a string as a JSON string literal. */
  jsonString(s: string): void {
    for (let j = 0; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x7f) return this.text(JSON.stringify(s));
    }
    this.room(s.length + 2);
    this.buf[this.pos++] = 0x22;
    this.text(s);
    this.buf[this.pos++] = 0x22;
  }

  /** Passes a view through as a chunk of its own, after what is written so far. */
  view(view: Buffer): void {
    this.flush();
    this.chunks.push(view);
    this.flushed += view.length;
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.flushed += this.pos;
    this.buf = Buffer.allocUnsafe(chunkBytes);
    this.pos = 0;
  }
}
