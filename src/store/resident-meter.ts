/** The page-cache residency of mapped files (mincore), measured without holding up requests. */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { MappedFile } from './mapped-file.js';

/**
 * Measured in 64 MiB slices with the event loop free in between, at most once per `ttlMs` (callers
 * meanwhile get the last measurement); concurrent callers share one measurement. Each file is
 * measured once however often it is listed.
 * Why: mincore's cost on a whole genome (BENCHMARKS.md#code-choices-and-their-measurements).
 */
export class ResidentMeter {
  static readonly slice = 64 * 1024 * 1024;
  private last: ReadonlyMap<MappedFile, number> = new Map();
  private at = -Infinity;
  private running: Promise<ReadonlyMap<MappedFile, number>> | undefined;

  constructor(
    private readonly files: () => readonly MappedFile[],
    private readonly ttlMs: number,
  ) {}

  /** Resident bytes of every file. */
  measure(): Promise<ReadonlyMap<MappedFile, number>> {
    if (performance.now() - this.at < this.ttlMs) return Promise.resolve(this.last);
    this.running ??= this.scan().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resident bytes of every file together. */
  async total(): Promise<number> {
    let sum = 0;
    for (const bytes of (await this.measure()).values()) sum += bytes;
    return sum;
  }

  private async scan(): Promise<ReadonlyMap<MappedFile, number>> {
    const out = new Map<MappedFile, number>();
    for (const file of new Set(this.files())) {
      let total = 0;
      for (let start = 0; start < file.size; start += ResidentMeter.slice) {
        if (start > 0) await yieldToLoop();
        try {
          total += file.residentBytes(start, Math.min(file.size, start + ResidentMeter.slice));
        } catch {
          break; // closed or changed meanwhile (a reload): counted as far as it went
        }
      }
      out.set(file, total);
      // Between files too: many small files add up.
      await yieldToLoop();
    }
    this.last = out;
    this.at = performance.now();
    return out;
  }
}
