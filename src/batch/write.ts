/** PlanWriter: the answer of a RegionPlan written as JSON, FASTA or BED into output chunks. */
import { applyCaseMask, isAsStored, type CaseMask } from '../store/case-mask.js';
import type { SequenceStore } from '../store/sequence-store.js';
import { copyBytes, identity, jsonSafe, transform } from './base-bytes.js';
import { MappedBases } from './mapped-bases.js';
import { OutputChunks } from './output-chunks.js';
import type { TextFormat } from './output-format.js';
import type { RegionPlan } from './plan.js';
import { defaultJsonPrefix, jsonSuffix, lineEndsIn, writeHeader, writeTrailer } from './record-format.js';

/**
 * Writes the answer of a RegionPlan (POST /batch, GET /random) as JSON, FASTA or BED (framed
 * as record-format.ts describes), in slices, into large output chunks.
 *
 * Bases are copied straight from the mapping into the output chunk, line segment by line
 * segment (no per-region buffer); the reverse complement and case/mask are applied in place
 * there. Long forward runs in JSON or unwrapped FASTA, as stored, are sent as views of the mapping.
 */
export interface WriteOptions extends CaseMask {
  format: TextFormat;
  /** FASTA line width; 0 = unwrapped. */
  width: number;
  /** JSON only: what comes before the first region (default `{"sequences":[`). */
  jsonPrefix?: string;
}

/** How many bases a region is written in at a time. */
const pieceBases = 64 * 1024;
/** Forward pieces at least this long go out as views of the mapping (JSON, unwrapped FASTA). */
const viewBases = 32 * 1024;

export class PlanWriter {
  private readonly out = new OutputChunks();
  private region = 0;
  /** Bases of the current region written; -1 = its header not yet written. */
  private done = -1;
  private started = false;
  private finished = false;
  private readonly table: Uint8Array | undefined;
  private readonly scratch: Buffer;
  private readonly bases: MappedBases;

  constructor(
    store: SequenceStore,
    private readonly plan: RegionPlan,
    private readonly options: WriteOptions,
  ) {
    this.bases = new MappedBases(store);
    this.table = isAsStored(options) ? undefined : applyCaseMask(identity, options);
    this.scratch = options.format === 'fasta' && options.width > 0 ? Buffer.allocUnsafe(pieceBases) : Buffer.alloc(0);
  }

  get isDone(): boolean {
    return this.finished;
  }

  /**
   * Writes on until about `maxBytes` are out or `maxRegions` regions are done, and returns the
   * chunks written (empty once done).
   */
  step(maxBytes: number, maxRegions: number): Buffer[] {
    if (this.finished) return [];
    const { plan, options, out } = this;
    const budget = maxBytes;
    const stopAt = Math.min(plan.count, this.region + maxRegions);
    if (!this.started) {
      this.started = true;
      if (options.format === 'json') out.text(options.jsonPrefix ?? defaultJsonPrefix);
    }
    while (this.region < stopAt && budget > out.produced()) {
      const i = this.region;
      const length = plan.ends[i]! - plan.starts[i]!;
      if (this.done < 0) {
        writeHeader(out, options.format, plan, i);
        this.done = 0;
      }
      if (options.format !== 'bed') {
        while (this.done < length && budget > out.produced()) {
          const take = Math.min(length - this.done, pieceBases);
          this.piece(i, this.done, take, length);
          this.done += take;
        }
        if (this.done < length) break;
      }
      writeTrailer(out, options.format, options.width, length);
      this.region++;
      this.done = -1;
    }
    if (this.region >= plan.count && this.done < 0) {
      if (options.format === 'json') out.text(jsonSuffix);
      this.finished = true;
    }
    return out.take();
  }

  /** Everything at once: for small answers. */
  all(): Buffer {
    const chunks: Buffer[] = [];
    while (!this.finished) chunks.push(...this.step(Infinity, Infinity));
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  /**
   * Bases [at, at + take) of region i in output order (for a reverse region, output base k is
   * the complement of forward base end-1-k), with line ends for wrapped FASTA.
   */
  private piece(i: number, at: number, take: number, length: number): void {
    const { plan, options, out, table } = this;
    const sequence = plan.sequences[i]!;
    const reverse = plan.reverse[i] === 1;
    const start = plan.starts[i]!;
    const end = plan.ends[i]!;
    const [from, to] = reverse ? [end - at - take, end - at] : [start + at, start + at + take];
    const wrapped = options.format === 'fasta' && options.width > 0;

    if (!wrapped && !reverse && !table && take >= viewBases) {
      const view = this.bases.view(sequence, from, to);
      if (view && (options.format !== 'json' || jsonSafe(view, 0, view.length))) {
        out.view(view);
        return;
      }
    }

    if (!wrapped) {
      out.room(take);
      this.bases.copy(sequence, from, to, out.buf, out.pos);
      transform(out.buf, out.pos, take, reverse, table);
      if (options.format === 'json' && !jsonSafe(out.buf, out.pos, out.pos + take)) {
        const escaped = Buffer.from(JSON.stringify(out.buf.toString('latin1', out.pos, out.pos + take)).slice(1, -1), 'utf8');
        out.room(escaped.length);
        escaped.copy(out.buf, out.pos);
        out.pos += escaped.length;
        return;
      }
      out.pos += take;
      return;
    }

    // Wrapped FASTA: bases into scratch, then line by line into the chunk.
    const width = options.width;
    const scratch = this.scratch;
    this.bases.copy(sequence, from, to, scratch, 0);
    transform(scratch, 0, take, reverse, table);
    out.room(take + lineEndsIn(at, take, length, width));
    const buf = out.buf;
    let pos = out.pos;
    let k = 0;
    while (k < take) {
      const q = at + k; // position in the region
      const n = Math.min(take - k, width - (q % width));
      copyBytes(scratch, k, k + n, buf, pos);
      pos += n;
      k += n;
      if ((at + k) % width === 0 || at + k === length) buf[pos++] = 0x0a;
    }
    out.pos = pos;
  }
}
