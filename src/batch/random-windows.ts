/** GET /random's draw: windows of L bases sampled uniformly over an assembly (WindowSampler), as a RegionPlan. */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { RegionPlan } from './plan.js';
import { ProblemError, pastTheEnd } from '../core/errors.js';
import { mulberry32 } from '../core/mulberry32.js';
import type { MappedSequence } from '../store/mapped-sequence.js';
import type { SequenceStore } from '../store/sequence-store.js';

/**
 * Every valid start of every sequence at least L long is equally likely (with replacement). Built once
 * per store: sequences longest first with prefix sums of lengths, so those holding a window are a
 * prefix (binary search) with prefix[i] − i·(L − 1) windows among the first i, and a uniform draw
 * below the total is placed by a second binary search.
 */
export class WindowSampler {
  private readonly order: MappedSequence[];
  /** Lengths in `order`, longest first. */
  private readonly lengths: Float64Array;
  /** prefix[i] = sum of the first i lengths. */
  private readonly prefix: Float64Array;

  constructor(sequences: readonly MappedSequence[]) {
    // Stable: equal lengths keep catalog order, so a seed draws the same windows every time.
    this.order = [...sequences].sort((a, b) => b.length - a.length);
    this.lengths = Float64Array.from(this.order, (s) => s.length);
    this.prefix = new Float64Array(this.order.length + 1);
    for (let i = 0; i < this.order.length; i++) this.prefix[i + 1] = this.prefix[i]! + this.lengths[i]!;
  }

  get longest(): number {
    return this.lengths[0] ?? 0;
  }

  /** How many sequences are at least L long. */
  eligible(length: number): number {
    let lo = 0;
    let hi = this.lengths.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.lengths[mid]! >= length) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Number of windows of L bases in the first k sequences. */
  windows(length: number, k = this.eligible(length)): number {
    return this.prefix[k]! - k * (length - 1);
  }

  /** Window number u (0 ≤ u < windows(L)) as a sequence and start. */
  locate(u: number, length: number, k: number): { sequence: MappedSequence; start: number } {
    // Smallest i in [1, k] with windows in the first i sequences > u.
    let lo = 1;
    let hi = k;
    const before = (i: number) => this.prefix[i]! - i * (length - 1);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(mid) > u) hi = mid;
      else lo = mid + 1;
    }
    return { sequence: this.order[lo - 1]!, start: u - before(lo - 1) };
  }
}

const samplers = new WeakMap<SequenceStore, WindowSampler>();

/** The sampler of a store, built on first use and kept as long as the store. */
export function samplerFor(store: SequenceStore): WindowSampler {
  let sampler = samplers.get(store);
  if (!sampler) {
    sampler = new WindowSampler(store.sequences);
    samplers.set(store, sampler);
  }
  return sampler;
}

export interface DrawOptions {
  length: number;
  count: number;
  seed: number;
  /** Reject windows holding N or n. */
  excludeN: boolean;
}

/** Attempts allowed per window asked for when excluding N (plus a fixed allowance). */
const attemptsPerWindow = 10;
const extraAttempts = 1000;

/**
 * `count` windows drawn with mulberry32(seed): the same seed, store and options give the same
 * windows. With excludeN a window holding N/n is drawn again (rejection sampling: uniform over
 * the N-free windows), at most count·10 + 1000 draws in all; past that the answer is 422, as the
 * assembly has too few N-free windows of that length for the draw to end in reasonable time.
 * No sequence at least `length` long is 416. Draws are made in slices, yielding in between.
 */
export async function drawWindows(store: SequenceStore, sampler: WindowSampler, options: DrawOptions): Promise<RegionPlan> {
  const { length, count, seed, excludeN } = options;
  const k = sampler.eligible(length);
  const total = sampler.windows(length, k);
  if (k === 0 || total <= 0) {
    throw pastTheEnd(`no sequence holds a window of ${length} bases (the longest is ${sampler.longest})`, sampler.longest);
  }
  const random = mulberry32(seed);
  const plan = new RegionPlan(count);
  const maxAttempts = excludeN ? count * attemptsPerWindow + extraAttempts : count;
  let attempts = 0;
  while (plan.count < count) {
    if (attempts >= maxAttempts) {
      throw new ProblemError(
        'bad-request',
        `found only ${plan.count} of ${count} windows of ${length} bases without N in ${attempts} draws; this assembly has too few N-free windows of that length (ask for fewer or shorter windows, or without exclude=N)`,
        {},
        422,
      );
    }
    if (attempts > 0 && attempts % 20_000 === 0) await yieldToLoop();
    attempts++;
    // 53 random bits from two 32-bit draws: exact positions even past 2^32 bases.
    const x = (Math.floor(random() * 2097152) * 4294967296 + Math.floor(random() * 4294967296)) / 9007199254740992;
    const u = Math.floor(x * total);
    const { sequence, start } = sampler.locate(u, length, k);
    if (excludeN && hasN(store, sequence, start, start + length)) continue;
    plan.add(sequence, start, start + length, false, `${sequence.name}:${start + 1}-${start + length}`);
  }
  return plan;
}

/** True when bases [start, end) hold an N or n; searched in the file span, line ends and all. */
function hasN(store: SequenceStore, sequence: MappedSequence, start: number, end: number): boolean {
  const { offset, lineBases, lineBytes, file: path } = sequence.record;
  const at = (i: number) => offset + Math.floor(i / lineBases) * lineBytes + (i % lineBases);
  const text = sequence.isText ? store.mappedFile(path)?.view(at(start), at(end - 1) + 1) : undefined;
  const view = text ?? sequence.bytes(start, end);
  return view.indexOf(0x4e) >= 0 || view.indexOf(0x6e) >= 0;
}
