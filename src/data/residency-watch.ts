/**
 * The residency warning: an assembly that was preloaded, locked or kept warm is checked every
 * --residency-check-interval; below --residency-warn percent a warning is logged once, and a
 * line says when it is back.
 */
import type { AssemblyResidency } from './residency-report.js';

export interface WatchLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export class ResidencyWatch {
  private timer: NodeJS.Timeout | undefined;
  /** Assemblies under the threshold at the last check (warned once until they recover). */
  private readonly low = new Set<string>();

  constructor(
    private readonly measure: () => Promise<AssemblyResidency[]>,
    private readonly thresholdPercent: number,
    private readonly log: WatchLog,
  ) {}

  /** Checks every intervalMs (the first after one interval: a preload or the keeper has started by then). */
  start(intervalMs: number): void {
    if (this.thresholdPercent <= 0) return;
    this.timer = setInterval(() => void this.check().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async check(): Promise<void> {
    for (const a of await this.measure()) {
      const how = a.locked ? 'locked' : a.keptWarm ? 'kept warm' : a.preloaded ? 'preloaded' : undefined;
      if (how === undefined) continue;
      const figures = `${a.percent}% of its ${mib(a.mappedBytes)} MiB in the page cache`;
      if (a.percent < this.thresholdPercent && !this.low.has(a.assembly)) {
        this.low.add(a.assembly);
        this.log.warn(
          `assembly ${a.assembly} (${how}) has only ${figures}, below --residency-warn ${this.thresholdPercent}%: requests for the rest wait for the disk; ` +
            (a.locked
              ? 'locked pages should never leave: check the lock (/readyz)'
              : 'the kernel evicted them (memory pressure or idle reclaim): --keep-warm re-reads them, --lock keeps them'),
        );
      } else if (a.percent >= this.thresholdPercent && this.low.delete(a.assembly)) {
        this.log.info(`assembly ${a.assembly} (${how}) is back to ${figures}`);
      }
    }
  }
}

function mib(bytes: number): string {
  return Math.round(bytes / 1024 / 1024).toLocaleString('en-US');
}
