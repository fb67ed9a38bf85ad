/** MappedFile: one data file mapped read-only in windows, and how it is noticed to have changed on disk. */
import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import { mmap } from './mmap-binding.js';

/**
 * One file mapped read-only in windows. A single mapping is one Buffer, so it must stay within
 * Node's Buffer limit (buffer.constants.MAX_LENGTH, 4 GiB on Node 20; the binding itself takes
 * 64-bit sizes and offsets: vendor/mmap-io); windows start every
 * `windowStride` bytes and each maps `windowOverlap` bytes more than its stride, so any span of at
 * most `windowOverlap` bytes lies whole inside one window and comes back as a single zero-copy view.
 */
export interface WindowOptions {
  windowStride: number;
  windowOverlap: number;
}

export const defaultWindows: WindowOptions = { windowStride: 1 << 30, windowOverlap: 1 << 24 };

/**
 * A read from a file that was changed in place after it was mapped (truncated, rewritten): its
 * bytes can no longer be trusted (and reading lost pages would raise SIGBUS), so it is never read
 * again. src/http/problem-answers.ts answers it with 503; a reload maps the file afresh.
 */
export class StaleDataError extends Error {
  override name = 'StaleDataError';
  constructor(readonly path: string) {
    super(`${path} changed on disk while mapped; replace data files by rename, then reload (kill -HUP or POST /admin/reload)`);
  }
}

/** What a file was when mapped: a change of size or mtime on the same inode means it was changed in place. */
interface Identity {
  size: number;
  mtimeMs: number;
  ino: number;
  dev: number;
}

/**
 * How a mapped file compares with the path now: `same`; `replaced` (the path names another file,
 * e.g. a new version renamed over it: the mapping still holds the old, intact bytes until a reload);
 * `missing` (deleted: the mapping stays intact too); `changed` (the mapped file itself was
 * modified or truncated in place: stale).
 */
export type FileState = 'same' | 'replaced' | 'missing' | 'changed';

export class MappedFile {
  readonly size: number;
  private readonly windows: Buffer[];
  private readonly stride: number;
  /** Set once the file was found changed in place: every read then throws StaleDataError. */
  stale = false;
  /** Spans locked by lock(), unlocked by unlockAll() or close(). */
  private readonly locked: [start: number, end: number][] = [];
  /**
   * The file's identity when mapped (device, inode, size, mtime in µs, base 36): what HTTP
   * validators of its bytes are built from (src/http/cache.ts), so no request reads the disk.
   */
  readonly tag: string;
  /** The file's mtime when mapped, ms since the epoch. */
  readonly mtimeMs: number;
  /** When it was mapped, ms since the epoch (whether its mtime can serve as a strong validator). */
  readonly mappedAt = Date.now();

  private constructor(
    readonly path: string,
    size: number,
    windows: Buffer[],
    stride: number,
    private readonly identity: Identity,
  ) {
    this.size = size;
    this.windows = windows;
    this.stride = stride;
    const { dev, ino, mtimeMs } = identity;
    this.tag = [dev, ino, size, Math.round(mtimeMs * 1000)].map((n) => n.toString(36)).join('-');
    this.mtimeMs = mtimeMs;
  }

  /**
   * Compares the file at the path with what was mapped (one stat). A file changed in place is
   * marked stale for good.
   */
  check(): FileState {
    if (this.stale) return 'changed';
    let st;
    try {
      st = statSync(this.path);
    } catch {
      return 'missing';
    }
    if (st.ino !== this.identity.ino || st.dev !== this.identity.dev) return 'replaced';
    if (st.size !== this.identity.size || st.mtimeMs !== this.identity.mtimeMs) {
      this.stale = true;
      return 'changed';
    }
    return 'same';
  }

  /** Maps the whole file now; the descriptor is closed at once, the mapping stays valid. */
  static open(path: string, options: WindowOptions = defaultWindows): MappedFile {
    const { windowStride, windowOverlap } = options;
    if (!Number.isSafeInteger(windowStride) || windowStride <= 0 || windowStride % mmap.PAGESIZE !== 0) {
      throw new Error(`window stride ${windowStride} is not a positive multiple of the page size`);
    }
    if (!Number.isSafeInteger(windowOverlap) || windowOverlap < 0) throw new Error(`window overlap ${windowOverlap} is not a non-negative integer`);
    const fd = openSync(path, 'r');
    try {
      const st = fstatSync(fd);
      const size = st.size;
      const windows: Buffer[] = [];
      for (let start = 0; start < size; start += windowStride) {
        const length = Math.min(windowStride + windowOverlap, size - start);
        windows.push(mmap.map(length, mmap.PROT_READ, mmap.MAP_SHARED, fd, start, mmap.MADV_RANDOM));
      }
      return new MappedFile(path, size, windows, windowStride, { size, mtimeMs: st.mtimeMs, ino: st.ino, dev: st.dev });
    } finally {
      closeSync(fd);
    }
  }

  /** The byte at a file offset. */
  byteAt(at: number): number {
    if (this.stale) throw new StaleDataError(this.path);
    if (!(at >= 0 && at < this.size)) throw new RangeError(`byte ${at} is outside ${this.path} (size ${this.size})`);
    const w = Math.floor(at / this.stride);
    return this.windows[w]![at - w * this.stride]!;
  }

  /** A zero-copy view of [fileStart, fileEnd) if it lies inside one window, else undefined. */
  view(fileStart: number, fileEnd: number): Buffer | undefined {
    if (this.stale) throw new StaleDataError(this.path);
    const w = Math.floor(fileStart / this.stride);
    const window = this.windows[w];
    const local = fileStart - w * this.stride;
    if (window === undefined || local + (fileEnd - fileStart) > window.length) return undefined;
    return window.subarray(local, local + (fileEnd - fileStart));
  }

  /**
   * The mapping window that holds [fileStart, fileEnd) whole, for loops that index it
   * themselves (no view allocated): fileStart is at windowOffset(fileStart) in it.
   */
  windowHolding(fileStart: number, fileEnd: number): Buffer | undefined {
    if (this.stale) throw new StaleDataError(this.path);
    const w = Math.floor(fileStart / this.stride);
    const window = this.windows[w];
    return window !== undefined && fileEnd - w * this.stride <= window.length ? window : undefined;
  }

  windowOffset(fileStart: number): number {
    return fileStart % this.stride;
  }

  /** Bytes [fileStart, fileEnd): a view when they lie in one window, else a copy. */
  bytes(fileStart: number, fileEnd: number): Buffer {
    const view = this.view(fileStart, fileEnd);
    if (view) return view;
    const copy = Buffer.allocUnsafe(fileEnd - fileStart);
    this.copy(copy, 0, fileStart, fileEnd);
    return copy;
  }

  /** Copies [fileStart, fileEnd) into target at targetStart; returns the byte count. */
  copy(target: Buffer, targetStart: number, fileStart: number, fileEnd: number): number {
    // Called once per FASTA line when joining lines, so it allocates nothing.
    if (this.stale) throw new StaleDataError(this.path);
    this.checkSpan(fileStart, fileEnd);
    let at = fileStart;
    let to = targetStart;
    while (at < fileEnd) {
      const w = Math.floor(at / this.stride);
      const window = this.windows[w]!;
      const local = at - w * this.stride;
      const take = Math.min(fileEnd - at, window.length - local);
      window.copy(target, to, local, local + take);
      at += take;
      to += take;
    }
    return to - targetStart;
  }

  /**
   * Throws unless [fileStart, fileEnd) lies inside the file. The window loops in views() and
   * copy() rely on it: past the end the last window yields take = 0 and they would never end
   * (or, when the size is a whole number of windows, read a window that does not exist).
   */
  private checkSpan(fileStart: number, fileEnd: number): void {
    if (!(fileStart >= 0 && fileStart <= fileEnd && fileEnd <= this.size)) {
      throw new RangeError(`span [${fileStart}, ${fileEnd}) is outside ${this.path} (size ${this.size})`);
    }
  }

  /**
   * Asks the kernel to read [fileStart, fileEnd) into the page cache (madvise MADV_WILLNEED) and
   * returns at once: the reads complete in the background. The kernel caps what one call reads
   * at the device's readahead size, so callers advise in small steps (see src/data/preload.ts).
   * fileStart must be a multiple of the page size.
   */
  adviseWillNeed(fileStart: number, fileEnd: number): void {
    this.eachPart(fileStart, fileEnd, (window, local, take) => mmap.advise(window, local, take, mmap.MADV_WILLNEED));
  }

  /**
   * Bytes of [fileStart, fileEnd) held in the page cache now (mincore), counted in whole pages
   * and capped at the span; fileStart must be a multiple of the page size. The page cache is
   * shared, so this counts pages read by any process, not only through this mapping.
   */
  residentBytes(fileStart = 0, fileEnd = this.size): number {
    let resident = 0;
    this.eachPart(fileStart, fileEnd, (window, local, take) => {
      const [, pages] = mmap.incore(window.subarray(local, local + take));
      resident += Math.min(take, pages * mmap.PAGESIZE);
    });
    return resident;
  }

  /**
   * Locks [fileStart, fileEnd) in memory (mlock: reads what is not resident, then keeps it);
   * fileStart must be a multiple of the page size. Returns 0, or the errno of the refusal (what
   * was locked before it stays locked until unlockAll()). Each byte is locked through one window only, so the
   * windows' overlap is not counted twice against RLIMIT_MEMLOCK.
   */
  lock(fileStart: number, fileEnd: number): number {
    let errno = 0;
    this.eachPart(fileStart, fileEnd, (window, local, take) => {
      if (errno === 0) errno = mmap.lock(window, local, take);
    });
    // Recorded even when refused: unlockAll() then also undoes the parts that were locked.
    this.locked.push([fileStart, fileEnd]);
    return errno;
  }

  /** Unlocks every span this file locked (also done by close()). */
  unlockAll(): void {
    for (const [start, end] of this.locked.splice(0)) this.eachPart(start, end, (window, local, take) => mmap.unlock(window, local, take));
  }

  /** Calls fn for each window's part of [fileStart, fileEnd), each byte in exactly one window. */
  private eachPart(fileStart: number, fileEnd: number, fn: (window: Buffer, local: number, take: number) => void): void {
    this.checkSpan(fileStart, fileEnd);
    let at = fileStart;
    while (at < fileEnd) {
      const w = Math.floor(at / this.stride);
      const window = this.windows[w];
      if (window === undefined) return; // closed
      const local = at - w * this.stride;
      const take = Math.min(fileEnd - at, this.stride - local, window.length - local);
      fn(window, local, take);
      at += take;
    }
  }

  /** Drops the windows; the pages are unmapped when the views are collected. */
  close(): void {
    this.unlockAll();
    this.windows.length = 0;
  }
}
