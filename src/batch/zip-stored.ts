/**
 * An uncompressed (stored) ZIP written as a stream, which is what `numpy.load` opens as an .npz:
 * each member's sizes and CRC-32 follow its data in a data descriptor, so nothing is buffered.
 * Members and the whole archive stay below 4 GiB (no ZIP64): the routes' limits keep them so.
 */
import { crc32 } from 'node:zlib';

const dosDate = 0x21; // 1980-01-01: the answer's bytes do not depend on the clock
const flags = 0x0008; // sizes and CRC in the data descriptor
const version = 20;

interface Entry {
  name: Buffer;
  offset: number;
  crc: number;
  size: number;
}

/** Bytes of the ZIP framing around members of these names and sizes (for Content-Length). */
export function zipOverhead(names: readonly string[]): number {
  return names.reduce((sum, n) => sum + 30 + 16 + 46 + 2 * Buffer.byteLength(n), 22);
}

export class ZipWriter {
  private readonly entries: Entry[] = [];
  private written = 0;
  private current: Entry | undefined;

  /** The local header of the next member; then pass its data through `data`, then `end`. */
  begin(name: string): Buffer {
    const entry: Entry = { name: Buffer.from(name), offset: this.written, crc: 0, size: 0 };
    this.current = entry;
    const h = Buffer.alloc(30 + entry.name.length);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(version, 4);
    h.writeUInt16LE(flags, 6);
    h.writeUInt16LE(0, 8); // stored
    h.writeUInt16LE(0, 10);
    h.writeUInt16LE(dosDate, 12);
    h.writeUInt16LE(entry.name.length, 26);
    entry.name.copy(h, 30);
    return this.count(h);
  }

  /** A chunk of the current member's data, counted and checksummed, returned as is. */
  data(chunk: Buffer): Buffer {
    const entry = this.current!;
    entry.crc = crc32(chunk, entry.crc);
    entry.size += chunk.length;
    return this.count(chunk);
  }

  /** The data descriptor that closes the current member. */
  end(): Buffer {
    const { crc, size } = this.current!;
    this.entries.push(this.current!);
    this.current = undefined;
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(crc, 4);
    d.writeUInt32LE(size, 8);
    d.writeUInt32LE(size, 12);
    return this.count(d);
  }

  /** The central directory and its end record: the archive's last bytes. */
  finish(): Buffer {
    const parts = this.entries.map((e) => {
      const c = Buffer.alloc(46 + e.name.length);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(version, 4);
      c.writeUInt16LE(version, 6);
      c.writeUInt16LE(flags, 8);
      c.writeUInt16LE(0, 10);
      c.writeUInt16LE(0, 12);
      c.writeUInt16LE(dosDate, 14);
      c.writeUInt32LE(e.crc, 16);
      c.writeUInt32LE(e.size, 20);
      c.writeUInt32LE(e.size, 24);
      c.writeUInt16LE(e.name.length, 28);
      c.writeUInt32LE(e.offset, 42);
      e.name.copy(c, 46);
      return c;
    });
    const directory = Buffer.concat(parts);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(this.written, 16);
    return Buffer.concat([directory, end]);
  }

  private count(b: Buffer): Buffer {
    this.written += b.length;
    return b;
  }
}
