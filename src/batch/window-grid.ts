/**
 * An epoch over a fixed grid of windows (`stride=`): windows of L bases at starts 0, S, 2S, …
 * of every sequence, in catalog order, visited in a seeded shuffled order without replacement
 * and dealt to shards in turn (position p of the shuffle goes to shard p mod n). A window's
 * place in the order is computed, not stored: nothing is allocated in proportion to the genome.
 */
import type { MappedSequence } from '../store/mapped-sequence.js';
import { fmix32 } from './window-hash.js';

export class WindowGrid {
  /** before[i]: grid windows in the sequences before sequence i. */
  private readonly before: Float64Array;

  constructor(
    private readonly sequences: readonly MappedSequence[],
    readonly length: number,
    readonly stride: number,
  ) {
    this.before = new Float64Array(sequences.length + 1);
    for (let i = 0; i < sequences.length; i++) this.before[i + 1] = this.before[i]! + windowsIn(sequences[i]!.length, length, stride);
  }

  /** Windows in the grid. */
  get total(): number {
    return this.before[this.sequences.length]!;
  }

  /** Grid window g (0 ≤ g < total) as a sequence and start. */
  locate(g: number): { sequence: MappedSequence; start: number } {
    // Largest i with before[i] ≤ g; the sequence after it holds window g.
    let lo = 0;
    let hi = this.sequences.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.before[mid]! <= g) lo = mid;
      else hi = mid - 1;
    }
    return { sequence: this.sequences[lo]!, start: (g - this.before[lo]!) * this.stride };
  }
}

/** Windows of `length` bases at every `stride`-th start of a sequence of `sequenceLength`. */
function windowsIn(sequenceLength: number, length: number, stride: number): number {
  return sequenceLength < length ? 0 : Math.floor((sequenceLength - length) / stride) + 1;
}

/** Positions of an epoch of `total` windows that fall to shard `shard` of `shards`. */
export function shardSize(total: number, shard: number, shards: number): number {
  return total > shard ? Math.floor((total - 1 - shard) / shards) + 1 : 0;
}

/**
 * A seeded permutation of [0, n): a six-round Feistel network over the smallest even power of
 * two ≥ n, walked until it lands below n (cycle walking keeps it a permutation; on average
 * fewer than four steps, as the domain is under 4n).
 */
export class Shuffle {
  private readonly halfBits: number;
  /** 2^halfBits: the domain is half². */
  private readonly half: number;
  private readonly keys: number[];

  constructor(
    private readonly n: number,
    seed: number,
  ) {
    let bits = 2;
    while (2 ** bits < n) bits += 2;
    this.halfBits = bits / 2;
    this.half = 2 ** this.halfBits;
    this.keys = Array.from({ length: 6 }, (_, k) => fmix32((seed ^ Math.imul(k + 1, 0x9e3779b9)) >>> 0));
  }

  /** The grid window at position p (0 ≤ p < n) of the shuffled order. */
  at(p: number): number {
    let x = p;
    do x = this.encrypt(x);
    while (x >= this.n);
    return x;
  }

  private encrypt(x: number): number {
    const mask = this.half - 1;
    let left = Math.floor(x / this.half);
    let right = x % this.half;
    for (const key of this.keys) {
      const mixed = (left ^ (fmix32((Math.imul(right, 0x9e3779b1) ^ key) >>> 0) & mask)) >>> 0;
      left = right;
      right = mixed;
    }
    return left * this.half + right;
  }
}
