/**
 * Inflated BGZF blocks, least recently used first out, bounded by their total bytes. One cache
 * is shared by every BGZF file and request, so a hot region stays inflated whoever asks for it.
 * A Map keeps insertion order: a hit is moved to the end by deleting and re-inserting it.
 */
export interface BlockCacheStats {
  hits: number;
  misses: number;
  /** Bytes of inflated blocks held now; never above maxBytes. */
  bytes: number;
  blocks: number;
}

/** Keys are fileId * 2^32 + block index: both stay exact in a double (2^21 files, 2^32 blocks each). */
const FILE_STRIDE = 2 ** 32;
const MAX_FILES = 2 ** 21;

function checkBudget(maxBytes: number): void {
  if (!(maxBytes >= 0) || !Number.isSafeInteger(maxBytes)) throw new RangeError(`block cache size ${maxBytes} is not a non-negative integer number of bytes`);
}

export class BlockCache {
  readonly stats: BlockCacheStats = { hits: 0, misses: 0, bytes: 0, blocks: 0 };
  private readonly blocks = new Map<number, Buffer>();
  private nextFile = 0;

  constructor(private budget: number) {
    checkBudget(budget);
  }

  get maxBytes(): number {
    return this.budget;
  }

  /** A new budget (the setting, applied once the server's config is known); evicts down to it. */
  resize(maxBytes: number): void {
    checkBudget(maxBytes);
    this.budget = maxBytes;
    this.evictUntilFree(0);
  }

  /** An id that keeps one file's blocks apart from every other file's in this cache. */
  registerFile(): number {
    if (this.nextFile >= MAX_FILES) throw new RangeError(`a block cache serves at most ${MAX_FILES} files`);
    return this.nextFile++;
  }

  /** The block, inflated by `inflate` on a miss; a block larger than the whole budget is returned but not kept. */
  get(fileId: number, block: number, inflate: () => Buffer): Buffer {
    const key = fileId * FILE_STRIDE + block;
    const cached = this.blocks.get(key);
    if (cached !== undefined) {
      this.stats.hits++;
      this.blocks.delete(key);
      this.blocks.set(key, cached);
      return cached;
    }
    this.stats.misses++;
    const inflated = inflate();
    if (inflated.length <= this.maxBytes) {
      this.evictUntilFree(inflated.length);
      this.blocks.set(key, inflated);
      this.stats.bytes += inflated.length;
      this.stats.blocks++;
    }
    return inflated;
  }

  /** Drops every block of one file (e.g. when it is unmapped on reload). */
  forgetFile(fileId: number): void {
    for (const [key, block] of this.blocks) {
      if (Math.floor(key / FILE_STRIDE) === fileId) this.drop(key, block);
    }
  }

  clear(): void {
    this.blocks.clear();
    this.stats.bytes = this.stats.blocks = 0;
  }

  private evictUntilFree(needed: number): void {
    for (const [key, block] of this.blocks) {
      if (this.stats.bytes + needed <= this.maxBytes) return;
      this.drop(key, block);
    }
  }

  private drop(key: number, block: Buffer): void {
    this.blocks.delete(key);
    this.stats.bytes -= block.length;
    this.stats.blocks--;
  }
}
