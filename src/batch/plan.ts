/** RegionPlan, the checked regions that POST /batch and GET /random answer, and how regions are resolved into one. */
import { ProblemError, badRequest, pastTheEnd, unknownSequence } from '../core/errors.js';
import { parseRegion } from '../core/region.js';
import type { MappedSequence } from '../store/mapped-sequence.js';
import type { SequenceStore } from '../store/sequence-store.js';

/**
 * A list of resolved regions, checked against the sequence lengths: what POST /batch and
 * GET /random answer. Parallel arrays (no object per region) so that a million regions stay
 * cheap to hold and to walk. Coordinates are 0-based, half-open.
 */
export class RegionPlan {
  count = 0;
  readonly sequences: MappedSequence[] = [];
  starts: Float64Array;
  ends: Float64Array;
  reverse: Uint8Array;
  /** The FASTA header (without `/rc`) and JSON `region` of each region; undefined: NAME:BEGIN-END. */
  private readonly labels: (string | undefined)[] = [];

  constructor(capacity = 16) {
    const n = Math.max(1, capacity);
    this.starts = new Float64Array(n);
    this.ends = new Float64Array(n);
    this.reverse = new Uint8Array(n);
  }

  add(sequence: MappedSequence, start: number, end: number, reverse: boolean, label?: string): void {
    if (this.count === this.starts.length) this.grow();
    const i = this.count++;
    this.sequences.push(sequence);
    this.starts[i] = start;
    this.ends[i] = end;
    this.reverse[i] = reverse ? 1 : 0;
    this.labels.push(label);
  }

  /** The label of region i: as given, or its 1-based coordinates (made only when asked for). */
  label(i: number): string {
    return this.labels[i] ?? `${this.sequences[i]!.name}:${this.starts[i]! + 1}-${this.ends[i]}`;
  }

  /** Moves region i to [start, end), labelled by its new coordinates. */
  move(i: number, start: number, end: number): void {
    this.starts[i] = start;
    this.ends[i] = end;
    this.labels[i] = undefined;
  }

  /** Total bases over all regions. */
  totalBases(): number {
    let sum = 0;
    for (let i = 0; i < this.count; i++) sum += this.ends[i]! - this.starts[i]!;
    return sum;
  }

  private grow(): void {
    const n = this.starts.length * 2;
    const starts = new Float64Array(n);
    starts.set(this.starts);
    const ends = new Float64Array(n);
    ends.set(this.ends);
    const reverse = new Uint8Array(n);
    reverse.set(this.reverse);
    [this.starts, this.ends, this.reverse] = [starts, ends, reverse];
  }
}

/** Where a bad region sits in the request: its index in the JSON array, or its line of a text body. */
export interface RegionPlace {
  index: number;
  /** 1-based line number in a text body. */
  line?: number;
}

/**
 * A problem with one region of a batch: the status and detail of the underlying problem, the
 * detail prefixed with where the region is, and `index` (and `line`) as extension members of
 * the problem+json body.
 */
export class BatchProblem extends ProblemError {
  constructor(
    inner: ProblemError,
    readonly place: RegionPlace,
  ) {
    super(inner.kind, `${placeText(place)}: ${inner.detail}`, inner.headers, inner.status);
  }

  override body(instance?: string): Record<string, unknown> {
    return { ...super.body(instance), index: this.place.index, ...(this.place.line !== undefined ? { line: this.place.line } : {}) };
  }
}

function placeText(place: RegionPlace): string {
  return place.line !== undefined ? `line ${place.line} (region ${place.index})` : `regions[${place.index}]`;
}

/** 413 for a batch over a limit. */
export const tooLarge = (detail: string) => new ProblemError('bad-request', detail, {}, 413);

/**
 * Resolves a samtools region string (1-based inclusive) as GET /region does: an end past the
 * end is cut to the length, a begin past the end is 416. Simple strings (`name:digits-digits`,
 * commas allowed, the whole string not itself a name) take a fast path that gives exactly
 * what parseRegion gives; everything else goes through parseRegion.
 */
export function resolveRegionString(store: SequenceStore, text: string, reverse: boolean, plan: RegionPlan): void {
  const fast = fastRegion(store, text);
  let sequence: MappedSequence;
  let start: number;
  let wanted: number | undefined;
  if (fast) {
    ({ sequence, start, end: wanted } = fast);
  } else {
    const parsed = parseRegion(text, (n) => store.get(n) !== undefined);
    sequence = store.get(parsed.name)!;
    start = parsed.start;
    wanted = parsed.end;
  }
  if (start >= sequence.length && sequence.length > 0) {
    throw pastTheEnd(`region "${text}" begins at ${start + 1}, past the end of "${sequence.name}" (length ${sequence.length})`, sequence.length);
  }
  const end = Math.min(wanted ?? sequence.length, sequence.length);
  plan.add(sequence, Math.min(start, end), end, reverse, text);
}

const simpleRegion = /^([^{][^]*):([0-9,]+)-([0-9,]+)$/;

/** `name:A-B` with plain numbers (≤ 15 digits, A ≥ 1, B ≥ A): parsed without BigInt. */
export function fastRegion(store: SequenceStore, text: string): { sequence: MappedSequence; start: number; end: number } | undefined {
  const m = simpleRegion.exec(text);
  if (!m) return undefined;
  // The whole string a name (then samtools checks for ambiguity): the slow path says what it means.
  if (store.get(text) !== undefined) return undefined;
  const sequence = store.get(m[1]!);
  if (!sequence) return undefined;
  const a = digits(m[2]!);
  const b = digits(m[3]!);
  if (a === undefined || b === undefined || a < 1 || b < a) return undefined;
  return { sequence, start: a - 1, end: b };
}

function digits(s: string): number | undefined {
  const d = s.includes(',') ? s.replace(/,/g, '') : s;
  if (d.length === 0 || d.length > 15) return undefined;
  return Number(d);
}

/**
 * Resolves a 0-based, half-open region given by name and coordinates (JSON objects, BED lines),
 * as GET /chrom/:name/range does: unknown name 404, start > end 400, past the end 416.
 */
export function resolveCoordinates(store: SequenceStore, name: string, start: number, end: number, reverse: boolean, plan: RegionPlan): void {
  const sequence = store.get(name);
  if (!sequence) throw unknownSequence(name);
  if (start > sequence.length || end > sequence.length) {
    throw pastTheEnd(`range ${start}-${end} is past the end of "${name}" (length ${sequence.length})`, sequence.length);
  }
  if (start > end) throw badRequest(`start ${start} is greater than end ${end} for "${name}"; coordinates are 0-based, half-open [start, end)`);
  plan.add(sequence, start, end, reverse, `${name}:${start + 1}-${end}`);
}
