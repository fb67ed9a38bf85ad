/**
 * Augmentation applied on the server: a random reverse complement per window (`rc=random`) and
 * a random shift of up to ±k bases (`shift=k`), both decided by windowHash(seed, key) so that a
 * seed repeats them. A shift that would leave the sequence stops at its end.
 */
import type { RegionPlan } from './plan.js';
import { windowHash } from './window-hash.js';

export interface Augmentation {
  /** Reverse-complement each window with probability 1/2. */
  rc: boolean;
  /** Move each window by a uniform whole number of bases in [-shift, shift]. */
  shift: number;
  seed: number;
}

export const noAugmentation: Augmentation = { rc: false, shift: 0, seed: 0 };

export const isAugmenting = (a: Augmentation) => a.rc || a.shift > 0;

/** The start of a window of `length` bases at `start` after its shift, inside [0, sequenceLength]. */
export function shiftedStart(a: Augmentation, key: number, start: number, length: number, sequenceLength: number): number {
  if (a.shift === 0) return start;
  const move = (windowHash(a.seed, key, 1) % (2 * a.shift + 1)) - a.shift;
  return Math.min(Math.max(start + move, 0), Math.max(sequenceLength - length, 0));
}

/** Whether window `key` is flipped to the other strand. */
export function flipped(a: Augmentation, key: number): boolean {
  return a.rc && (windowHash(a.seed, key, 2) & 1) === 1;
}

/**
 * Applies the augmentation to every region of a plan in place (POST /batch, where region i's
 * key is i): shifted regions are labelled with their new coordinates, flipped ones change strand.
 */
export function augmentPlan(plan: RegionPlan, a: Augmentation): void {
  if (!isAugmenting(a)) return;
  for (let i = 0; i < plan.count; i++) {
    const sequence = plan.sequences[i]!;
    const length = plan.ends[i]! - plan.starts[i]!;
    const start = shiftedStart(a, i, plan.starts[i]!, length, sequence.length);
    if (start !== plan.starts[i]) plan.move(i, start, start + length);
    if (flipped(a, i)) plan.reverse[i] = plan.reverse[i]! ^ 1;
  }
}
