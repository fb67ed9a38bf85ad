/** GET /random's draw: windows of L bases sampled uniformly over an assembly (WindowSampler), as a RegionPlan. */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { flipped, shiftedStart, type Augmentation } from './augment.js';
import { RegionPlan } from './plan.js';
import { Shuffle, shardSize, type WindowGrid } from './window-grid.js';
import { fmix32 } from './window-hash.js';
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
  /** This stream's number, from 0, and the number of disjoint streams (1: the whole assembly). */
  shard: number;
  shards: number;
  augmentation: Augmentation;
}

/** Attempts allowed per window asked for when excluding N (plus a fixed allowance). */
const attemptsPerWindow = 10;
const extraAttempts = 1000;

/**
 * `count` windows drawn with mulberry32(seed): the same seed, store and options give the same
 * windows. With excludeN a window holding N/n is drawn again (rejection sampling: uniform over
 * the N-free windows), at most count·10 + 1000 draws in all; past that the answer is 422, as the
 * assembly has too few N-free windows of that length for the draw to end in reasonable time.
 * No sequence at least `length` long is 416. With shards, shard i draws only window numbers
 * ≡ i (mod shards), from a seed of its own: the streams never share a window. Draws are made
 * in slices, yielding in between.
 */
export async function drawWindows(store: SequenceStore, sampler: WindowSampler, options: DrawOptions): Promise<RegionPlan> {
  const { length, count, seed, excludeN, shard, shards, augmentation } = options;
  const k = sampler.eligible(length);
  const total = sampler.windows(length, k);
  if (k === 0 || total <= 0) {
    throw pastTheEnd(`no sequence holds a window of ${length} bases (the longest is ${sampler.longest})`, sampler.longest);
  }
  const inShard = shardSize(total, shard, shards);
  if (inShard === 0) throw pastTheEnd(`shard ${shard} of ${shards} holds no window: there are ${total} windows of ${length} bases`, sampler.longest);
  // One shard keeps the plain seed, so draws made before shards existed repeat.
  const random = mulberry32(shards > 1 ? fmix32((seed ^ Math.imul(shard + 1, 0x85ebca77)) >>> 0) : seed);
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
    const key = attempts * shards + shard;
    attempts++;
    // 53 random bits from two 32-bit draws: exact positions even past 2^32 bases.
    const x = (Math.floor(random() * 2097152) * 4294967296 + Math.floor(random() * 4294967296)) / 9007199254740992;
    const u = shard + shards * Math.floor(x * inShard);
    const drawn = sampler.locate(u, length, k);
    addWindow(
      store,
      plan,
      drawn.sequence,
      shiftedStart(augmentation, key, drawn.start, length, drawn.sequence.length),
      length,
      flipped(augmentation, key),
      excludeN,
    );
  }
  return plan;
}

export interface EpochOptions extends DrawOptions {
  /** Position in this shard's epoch of the first window to answer. */
  offset: number;
}

/** A batch of an epoch: its windows, the windows in the shard's whole epoch, where to go on. */
export interface EpochBatch {
  plan: RegionPlan;
  windows: number;
  /** The offset of the next batch; undefined once the epoch is done. */
  nextOffset: number | undefined;
}

/**
 * Up to `count` windows of a grid epoch (window-grid.ts) from `offset` on. With excludeN,
 * windows holding N are passed over (at most count·10 + 1000 looked at), so a batch may hold
 * fewer than `count`; nextOffset says where the next one starts. An offset at or past the end
 * of the shard's epoch is 416.
 */
export async function epochWindows(store: SequenceStore, grid: WindowGrid, options: EpochOptions): Promise<EpochBatch> {
  const { length, count, seed, excludeN, shard, shards, augmentation, offset } = options;
  const windows = shardSize(grid.total, shard, shards);
  if (offset >= windows) {
    throw pastTheEnd(
      `offset ${offset} is past the end of the epoch: shard ${shard} of ${shards} holds ${windows} windows of ${length} bases every ${grid.stride}`,
      windows,
    );
  }
  const shuffle = new Shuffle(grid.total, seed);
  const plan = new RegionPlan(count);
  const maxAttempts = excludeN ? count * attemptsPerWindow + extraAttempts : count;
  let j = offset;
  for (let attempts = 0; plan.count < count && j < windows && attempts < maxAttempts; attempts++, j++) {
    if (attempts > 0 && attempts % 20_000 === 0) await yieldToLoop();
    const p = shard + j * shards;
    const { sequence, start } = grid.locate(shuffle.at(p));
    addWindow(store, plan, sequence, shiftedStart(augmentation, p, start, length, sequence.length), length, flipped(augmentation, p), excludeN);
  }
  return { plan, windows, nextOffset: j < windows ? j : undefined };
}

/** Adds window [start, start + length) unless excludeN and it holds N. */
function addWindow(store: SequenceStore, plan: RegionPlan, sequence: MappedSequence, start: number, length: number, reverse: boolean, excludeN: boolean): void {
  if (excludeN && hasN(store, sequence, start, start + length)) return;
  plan.add(sequence, start, start + length, reverse);
}

/** True when bases [start, end) hold an N or n; searched in the file span, line ends and all. */
function hasN(store: SequenceStore, sequence: MappedSequence, start: number, end: number): boolean {
  const { offset, lineBases, lineBytes, file: path } = sequence.record;
  const at = (i: number) => offset + Math.floor(i / lineBases) * lineBytes + (i % lineBases);
  const text = sequence.isText ? store.mappedFile(path)?.view(at(start), at(end - 1) + 1) : undefined;
  const view = text ?? sequence.bytes(start, end);
  return view.indexOf(0x4e) >= 0 || view.indexOf(0x6e) >= 0;
}
