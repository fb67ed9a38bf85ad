/**
 * Counter-based randomness for windows: a 32-bit hash of (seed, counter, salt), so window k of
 * an epoch or a batch gets the same augmentation and place however the requests are cut.
 */

/** murmur3's finalizer: every input bit moves every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A hash of a seed, a whole number below 2^53 and a small salt, uniform in [0, 2^32). */
export function windowHash(seed: number, counter: number, salt: number): number {
  const lo = counter % 4294967296;
  const hi = Math.floor(counter / 4294967296);
  return fmix32(fmix32((seed ^ Math.imul(salt + 1, 0x9e3779b9)) >>> 0) ^ fmix32(lo) ^ Math.imul(hi, 0x27d4eb2d));
}
