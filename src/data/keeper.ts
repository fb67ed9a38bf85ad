/**
 * --keep-warm: without any privilege, finds the pages of the named spans that left the page
 * cache (mincore) and reads them back (madvise WILLNEED), in small steps that yield to requests
 * and at a bounded rate. What it costs is counted: bytes re-read and event-loop time.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ResidencySpan } from './residency-targets.js';

export interface KeeperStatus {
  state: 'off' | 'running';
  /** What --keep-warm named, and the assemblies that touches. */
  targets: string[];
  assemblies: string[];
  /** The most bytes re-read per second. */
  rateBytes: number;
  /** Passes over every span completed. */
  passes: number;
  /** Bytes found missing and read back, in all passes. */
  rereadBytes: number;
  /** Event-loop time its steps took (mincore and madvise calls), ms, in all passes. */
  busyMs: number;
  /** Bytes of the spans resident at the end of the last pass, of `totalBytes`. */
  residentBytes: number;
  totalBytes: number;
}

export const keeperOff: KeeperStatus = Object.freeze({
  state: 'off',
  targets: [],
  assemblies: [],
  rateBytes: 0,
  passes: 0,
  rereadBytes: 0,
  busyMs: 0,
  residentBytes: 0,
  totalBytes: 0,
});

export interface KeeperOptions {
  /** The most bytes re-read per second. */
  rateBytes: number;
  /** Pause between passes, ms. */
  intervalMs: number;
}

/** mincore over this much per step; madvise per readahead-sized piece of a step not wholly resident. */
const scanStep = 4 * 1024 * 1024;
const readStep = 128 * 1024;

export class Keeper {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private readonly counts = { passes: 0, rereadBytes: 0, busyMs: 0, residentBytes: 0, totalBytes: 0 };
  /** The assemblies of the spans of the pass running or last run (a reload may change them). */
  private assemblies: string[] = [];
  /** Resolves when the loop has ended after stop(). */
  readonly done: Promise<void>;

  private constructor(
    private readonly spans: () => readonly ResidencySpan[],
    private readonly targets: string[],
    private readonly options: KeeperOptions,
    private readonly onError: (e: Error) => void,
  ) {
    this.done = this.run();
  }

  /** Starts passing over `spans()` (called afresh each pass, so a reload's new mappings are kept). */
  static start(spans: () => readonly ResidencySpan[], targets: string[], options: KeeperOptions, onError: (e: Error) => void): Keeper {
    return new Keeper(spans, targets, options, onError);
  }

  get status(): KeeperStatus {
    return {
      state: 'running',
      targets: this.targets,
      assemblies: this.assemblies,
      rateBytes: this.options.rateBytes,
      ...this.counts,
      busyMs: Math.round(this.counts.busyMs),
    };
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.pass();
      } catch (e) {
        this.onError(e as Error); // a span closed by a reload mid-pass: the next pass takes the new ones
      }
      await this.pause(this.options.intervalMs);
    }
  }

  /** One pass: every span in scan steps, one step per turn of the event loop, re-reads paced to the rate. */
  private async pass(): Promise<void> {
    const started = performance.now();
    let reread = 0;
    let resident = 0;
    let total = 0;
    const spans = this.spans();
    this.assemblies = [...new Set(spans.map((s) => s.assembly))];
    for (const span of spans) {
      for (let at = span.start; at < span.end && !this.stopped; at += scanStep) {
        const t = performance.now();
        const end = Math.min(span.end, at + scanStep);
        const missing = this.readBack(span, at, end);
        reread += missing;
        this.counts.rereadBytes += missing;
        resident += end - at - missing;
        total += end - at;
        this.counts.busyMs += performance.now() - t;
        // Paced: the bytes re-read so far may not run ahead of rate × time since the pass began
        // (checked after each step, so a pass may run one 4 MiB step ahead).
        const ahead = (reread / this.options.rateBytes) * 1000 - (performance.now() - started);
        await (ahead > 0 ? this.pause(ahead) : yieldToLoop());
      }
    }
    if (this.stopped) return;
    this.counts.passes++;
    Object.assign(this.counts, { residentBytes: resident, totalBytes: total });
  }

  /** Advises the missing pieces of [at, end) to be read; returns the bytes that were missing. */
  private readBack(span: ResidencySpan, at: number, end: number): number {
    if (span.file.residentBytes(at, end) >= end - at) return 0;
    let missing = 0;
    for (let a = at; a < end; a += readStep) {
      const e = Math.min(end, a + readStep);
      const gone = e - a - span.file.residentBytes(a, e);
      if (gone > 0) {
        span.file.adviseWillNeed(a, e);
        missing += gone;
      }
    }
    return missing;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}
