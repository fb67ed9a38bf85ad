/**
 * --preload: warms the page cache with every mapped file once the server listens, so the first
 * requests to each region do not wait for the disk.
 */
import { Progress, formatProgress } from '../core/progress.js';
import type { MappedFile } from '../store/mapped-file.js';
import { mmap } from '../store/mmap-binding.js';

export interface PreloadStatus {
  state: 'off' | 'running' | 'done';
  /** Bytes of the mapped files found resident in the page cache (at the last measurement). */
  bytes: number;
  /** Bytes of every mapped file. */
  total: number;
  /** Time since the preload started (its whole duration once done). */
  ms: number;
}

export const preloadOff: PreloadStatus = Object.freeze({ state: 'off', bytes: 0, total: 0, ms: 0 });

export interface PreloadLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface PreloadOptions {
  /** Bytes per madvise call (a multiple of the page size); default 128 KiB, the usual smallest readahead. */
  step?: number;
  /** How often residency is measured while the reads complete (ms); default 100. */
  pollMs?: number;
  /** How long residency may stay flat before the preload gives up on the rest (ms); default 1500. */
  stallMs?: number;
  /** Called with each new measurement and once at the end. */
  onProgress?: (status: PreloadStatus) => void;
  /**
   * How progress is shown besides /readyz: a line redrawn on stderr when it is a terminal, else
   * a log line every `logEveryMs` (default 5000, or env SEQSERVE_PROGRESS_INTERVAL); false: neither.
   */
  show?: boolean;
  logEveryMs?: number;
}

const MB = 1024 * 1024;

/**
 * madvise(MADV_WILLNEED) starts the reads without waiting, so the event loop keeps serving; the
 * kernel caps one call at the device's readahead (often 128 KiB), hence small steps in slices of
 * at most ~2 ms. Progress is mincore until every page is resident or residency stops growing.
 * Why not touch the pages or read(): BENCHMARKS.md#code-choices-and-their-measurements.
 */
export class Preload {
  readonly total: number;
  /** Resolves with the final status when done or stopped; never rejects. */
  readonly done: Promise<PreloadStatus>;
  private bytes = 0;
  private state: PreloadStatus['state'] = 'running';
  private stopped = false;
  private readonly started = performance.now();
  private finishedMs: number | undefined;
  /** The redrawn line, on a terminal. */
  private readonly display: Progress | undefined;
  private lastLogged = performance.now();

  private constructor(
    private readonly files: readonly MappedFile[],
    private readonly log: PreloadLog,
    private readonly options: Required<Omit<PreloadOptions, 'onProgress'>> & Pick<PreloadOptions, 'onProgress'>,
  ) {
    this.total = files.reduce((sum, f) => sum + f.size, 0);
    if (options.show && process.stderr.isTTY) this.display = new Progress('preload', this.total);
    this.done = this.run().catch((e: unknown) => {
      this.log.warn(`preload stopped: ${(e as Error).message ?? e}`);
      return this.finish();
    });
  }

  /** Starts warming `files` (each once, however many assemblies share one) in the background. */
  static start(files: Iterable<MappedFile>, log: PreloadLog, options: PreloadOptions = {}): Preload {
    const unique = [...new Map([...files].map((f) => [f.path, f])).values()];
    const step = options.step ?? 128 * 1024;
    if (step <= 0 || step % mmap.PAGESIZE !== 0) throw new Error(`preload step ${step} is not a positive multiple of the page size`);
    const logEveryMs = options.logEveryMs ?? (Number(process.env.SEQSERVE_PROGRESS_INTERVAL) || 5000);
    const shown = { show: options.show ?? true, logEveryMs };
    return new Preload(unique, log, { step, pollMs: options.pollMs ?? 100, stallMs: options.stallMs ?? 1500, onProgress: options.onProgress, ...shown });
  }

  get status(): PreloadStatus {
    const ms = Math.round(this.finishedMs ?? performance.now() - this.started);
    return { state: this.state, bytes: this.bytes, total: this.total, ms };
  }

  /** Stops issuing advice (reads already started complete anyway). Safe to call more than once. */
  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<PreloadStatus> {
    this.log.info(`preloading ${this.files.length} file(s), ${mb(this.total)} MB, into the page cache in the background`);
    this.measure();
    // Everything advised once, then whatever the kernel did not read (or evicted) once more.
    for (let pass = 0; pass < 2 && !this.stopped && this.bytes < this.total; pass++) {
      await this.advise(pass > 0);
      await this.settle();
    }
    return this.finish();
  }

  /** madvise(WILLNEED) on every step of every file, in time slices; on a retry, only steps not yet resident. */
  private async advise(onlyMissing: boolean): Promise<void> {
    const { step } = this.options;
    let slice = performance.now();
    for (const file of this.files) {
      for (let at = 0; at < file.size; at += step) {
        if (this.stopped) return;
        const end = Math.min(at + step, file.size);
        if (!onlyMissing || file.residentBytes(at, end) < end - at) file.adviseWillNeed(at, end);
        if (performance.now() - slice > 2) {
          await yieldToEventLoop();
          slice = performance.now();
        }
      }
    }
  }

  /** Waits until every page is resident, or residency has not grown for stallMs. */
  private async settle(): Promise<void> {
    let last = this.bytes;
    let lastChange = performance.now();
    while (!this.stopped && this.bytes < this.total) {
      await sleep(this.options.pollMs);
      this.measure();
      if (this.bytes > last) {
        last = this.bytes;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > this.options.stallMs) {
        return;
      }
    }
  }

  private measure(): void {
    this.bytes = this.files.reduce((sum, f) => sum + f.residentBytes(), 0);
    this.options.onProgress?.(this.status);
    this.show();
  }

  /** Progress for people: the terminal's line, or a plain log line now and then. */
  private show(): void {
    if (!this.options.show) return;
    if (this.display) return this.display.update(this.bytes);
    const now = performance.now();
    if (now - this.lastLogged < this.options.logEveryMs) return;
    this.lastLogged = now;
    this.log.info(`preloading: ${formatProgress({ label: 'page cache', done: this.bytes, total: this.total, elapsedMs: now - this.started })}`);
  }

  private finish(): PreloadStatus {
    if (this.state === 'done') return this.status;
    this.finishedMs = performance.now() - this.started;
    this.state = 'done';
    this.display?.finish(this.bytes);
    const s = (this.finishedMs / 1000).toFixed(1);
    if (this.stopped) this.log.info(`preload stopped: ${mb(this.bytes)} of ${mb(this.total)} MB in the page cache after ${s} s`);
    else if (this.bytes < this.total) {
      this.log.warn(
        `preload done: only ${mb(this.bytes)} of ${mb(this.total)} MB stayed in the page cache (${s} s); the machine may have too little free memory for the whole genome`,
      );
    } else this.log.info(`preload done: ${mb(this.total)} MB in the page cache in ${s} s`);
    this.options.onProgress?.(this.status);
    return this.status;
  }
}

function mb(bytes: number): string {
  return (bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
