import type { MappedFile } from './mapped-file.js';

/**
 * Bytes resident in the page cache, by mincore over every mapped file. It measured ~0.85 ms per
 * 64 MB (the bench genome), so ~40 ms for a 3 GB genome: too long to block the event loop in
 * one go. It is measured in slices of at most 64 MiB (~1 ms each) with the event loop free in
 * between, at most once per `ttlMs` (scrapes meanwhile get the last value), and concurrent
 * scrapes share one measurement.
 */
export class ResidentMeter {
  static readonly slice = 64 * 1024 * 1024;
  private last = 0;
  private at = -Infinity;
  private running: Promise<number> | undefined;

  constructor(
    private readonly files: () => readonly MappedFile[],
    private readonly ttlMs: number,
  ) {}

  measure(): Promise<number> {
    if (performance.now() - this.at < this.ttlMs) return Promise.resolve(this.last);
    this.running ??= this.scan().finally(() => (this.running = undefined));
    return this.running;
  }

  private async scan(): Promise<number> {
    let total = 0;
    for (const file of this.files()) {
      for (let start = 0; start < file.size; start += ResidentMeter.slice) {
        if (start > 0) await new Promise((resolve) => setImmediate(resolve));
        try {
          total += file.residentBytes(start, Math.min(file.size, start + ResidentMeter.slice));
        } catch {
          break; // closed or changed meanwhile (a reload): counted as far as it went
        }
      }
      // Between files too: many small files add up.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.last = total;
    this.at = performance.now();
    return total;
  }
}
