/**
 * WindowArrays: the windows of a RegionPlan as NumPy arrays for machine-learning loaders.
 *
 * `npy`: two .npy arrays back to back. First the windows, uint8 of shape (count, length) or
 * (count, length, 4) for onehot, so `numpy.load` of the answer is the batch; then the
 * coordinates, a structured array of (sequence, start, end, strand), read by a second
 * `numpy.load` on the same stream. `npz`: a stored ZIP of windows.npy, sequence.npy,
 * start.npy, end.npy and strand.npy. Both are written in slices, their size known up front.
 */
import { badRequest } from '../core/errors.js';
import { tooLarge, type RegionPlan } from './plan.js';
import type { CaseMask } from '../store/case-mask.js';
import type { MappedSequence } from '../store/mapped-sequence.js';
import type { SequenceStore } from '../store/sequence-store.js';
import { afterComplement, copyBytes, reverseThrough } from './base-bytes.js';
import { MappedBases } from './mapped-bases.js';
import { codePoints, npyHeader, writeInt64, writeUtf32, type Field } from './npy.js';
import { OutputChunks, chunkBytes } from './output-chunks.js';
import { bytesPerBase, encodingTable, writeOneHot, type WindowEncoding } from './window-encoding.js';
import { ZipWriter, zipOverhead } from './zip-stored.js';

export interface ArrayOptions extends CaseMask {
  format: 'npy' | 'npz';
  encoding: WindowEncoding;
  /** Bases per window: every region of the plan must be this long. */
  length: number;
}

/** One column of the coordinates: its numpy type, bytes per window, and how to write window i. */
interface Column {
  name: string;
  type: string;
  size: number;
  write: (buf: Buffer, at: number, i: number) => void;
}

export class WindowArrays {
  readonly byteLength: number;
  private readonly header: Buffer;
  private readonly columns: Column[];
  private readonly source: Generator<Buffer>;
  private finished = false;

  constructor(
    private readonly store: SequenceStore,
    private readonly plan: RegionPlan,
    private readonly options: ArrayOptions,
  ) {
    const { length, encoding } = options;
    for (let i = 0; i < plan.count; i++) {
      const n = plan.ends[i]! - plan.starts[i]!;
      if (n !== length) {
        throw badRequest(`format=${options.format} needs windows of one length: region ${i} ("${plan.label(i)}") is ${n} bases, region 0 is ${length}`);
      }
    }
    const shape = encoding === 'onehot' ? [plan.count, length, 4] : [plan.count, length];
    this.header = npyHeader('|u1', shape);
    this.columns = coordinateColumns(plan);
    const windowBytes = this.header.length + plan.count * length * bytesPerBase[encoding];
    if (options.format === 'npy') {
      const recordSize = this.columns.reduce((s, c) => s + c.size, 0);
      this.byteLength = windowBytes + this.recordsHeader().length + plan.count * recordSize;
      this.source = this.npy();
    } else {
      const columnBytes = this.columns.reduce((s, c) => s + npyHeader(c.type, [plan.count]).length + plan.count * c.size, 0);
      this.byteLength = windowBytes + columnBytes + zipOverhead(['windows.npy', ...this.columns.map((c) => `${c.name}.npy`)]);
      this.source = this.npz();
      if (this.byteLength >= 2 ** 32)
        throw tooLarge(`an npz answer is limited to 4 GiB (no ZIP64); this one would be ${this.byteLength} bytes: use format=npy, or fewer windows`);
    }
  }

  get isDone(): boolean {
    return this.finished;
  }

  /** The next chunks, about `maxBytes` of them (empty once done). */
  step(maxBytes: number): Buffer[] {
    const out: Buffer[] = [];
    let bytes = 0;
    while (bytes < maxBytes && !this.finished) {
      const next = this.source.next();
      if (next.done) this.finished = true;
      else {
        out.push(next.value);
        bytes += next.value.length;
      }
    }
    return out;
  }

  /** Everything at once: for small answers. */
  all(): Buffer {
    return Buffer.concat(this.step(Infinity));
  }

  private *npy(): Generator<Buffer> {
    yield this.header;
    yield* this.windows();
    yield this.recordsHeader();
    yield* records(this.plan.count, this.columns);
  }

  private *npz(): Generator<Buffer> {
    const zip = new ZipWriter();
    const member = function* (name: string, header: Buffer, body: Iterable<Buffer>): Generator<Buffer> {
      yield zip.begin(name);
      yield zip.data(header);
      for (const chunk of body) yield zip.data(chunk);
      yield zip.end();
    };
    yield* member('windows.npy', this.header, this.windows());
    for (const column of this.columns) {
      yield* member(`${column.name}.npy`, npyHeader(column.type, [this.plan.count]), records(this.plan.count, [column]));
    }
    yield zip.finish();
  }

  private recordsHeader(): Buffer {
    return npyHeader(
      this.columns.map((c): Field => [c.name, c.type]),
      [this.plan.count],
    );
  }

  /**
   * The window bases, reverse-complemented where the plan says, encoded, in chunks: a forward
   * window is copied and encoded in one pass, a reverse one copied, then reversed through
   * complement-then-encode.
   */
  private *windows(): Generator<Buffer> {
    const { plan, options } = this;
    const bases = new MappedBases(this.store);
    const table = encodingTable(options.encoding, options);
    const reverseTable = afterComplement(table);
    const n = options.length;
    const scratch = options.encoding === 'onehot' ? Buffer.allocUnsafe(n) : undefined;
    const out = new OutputChunks();
    for (let i = 0; i < plan.count; i++) {
      const reverse = plan.reverse[i] === 1;
      out.room(scratch ? 4 * n : n);
      const target = scratch ?? out.buf;
      const at = scratch ? 0 : out.pos;
      bases.copy(plan.sequences[i]!, plan.starts[i]!, plan.ends[i]!, target, at, reverse ? undefined : table);
      if (reverse) reverseThrough(target, at, n, reverseTable);
      if (scratch) {
        writeOneHot(scratch, 0, n, out.buf, out.pos);
        out.pos += 4 * n;
      } else {
        out.pos += n;
      }
      if (out.produced() >= chunkBytes) yield* out.take();
    }
    yield* out.take();
  }
}

/** sequence (`<U` as wide as the longest name), start and end (`<i8`), strand (`<U1`). */
function coordinateColumns(plan: RegionPlan): Column[] {
  const points = new Map<MappedSequence, number[]>();
  let width = 1; // a loop, not Math.max(...): a batch may name a million contigs
  for (let i = 0; i < plan.count; i++) {
    const sequence = plan.sequences[i]!;
    if (points.has(sequence)) continue;
    const p = codePoints(sequence.name);
    points.set(sequence, p);
    width = Math.max(width, p.length);
  }
  // Each name encoded once; per window it is copied (keyed by object: no string hashing).
  const names = new Map<MappedSequence, Buffer>();
  for (const [sequence, p] of points) {
    const encoded = Buffer.alloc(4 * width);
    writeUtf32(encoded, 0, p, width);
    names.set(sequence, encoded);
  }
  return [
    { name: 'sequence', type: `<U${width}`, size: 4 * width, write: (b, at, i) => copyBytes(names.get(plan.sequences[i]!)!, 0, 4 * width, b, at) },
    { name: 'start', type: '<i8', size: 8, write: (b, at, i) => writeInt64(b, at, plan.starts[i]!) },
    { name: 'end', type: '<i8', size: 8, write: (b, at, i) => writeInt64(b, at, plan.ends[i]!) },
    { name: 'strand', type: '<U1', size: 4, write: (b, at, i) => b.writeUInt32LE(plan.reverse[i] === 1 ? 0x2d : 0x2b, at) },
  ];
}

/** Rows of the columns, window by window, in chunks of about chunkBytes. */
function* records(count: number, columns: readonly Column[]): Generator<Buffer> {
  const size = columns.reduce((s, c) => s + c.size, 0);
  const perChunk = Math.max(1, Math.floor(chunkBytes / size));
  for (let first = 0; first < count; first += perChunk) {
    const rows = Math.min(perChunk, count - first);
    const buf = Buffer.allocUnsafe(rows * size);
    let at = 0;
    for (let i = first; i < first + rows; i++) {
      for (const column of columns) {
        column.write(buf, at, i);
        at += column.size;
      }
    }
    yield buf;
  }
}
