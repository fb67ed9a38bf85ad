/** The page-cache residency of every mapped file (mincore), for the /metrics gauge. */
import type { MappedFile } from './mapped-file.js';

/**
 * Measured in 64 MiB slices with the event loop free in between, at most once per `ttlMs` (scrapes
 * meanwhile get the last value); concurrent scrapes share one measurement.
 * Why: mincore's cost on a whole genome (BENCHMARKS.md#code-choices-and-their-measurements).
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
