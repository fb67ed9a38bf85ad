/**
 * Page-cache residency, for the one process that holds it (a single server, or a cluster's
 * primary, whose workers share the same page cache): --lock at startup, --keep-warm and the
 * residency warning once listening.
 */
import type { Logger } from 'pino';
import type { Assemblies } from './assemblies.js';
import type { Config } from './config.js';
import { Keeper, keeperOff } from './keeper.js';
import { PageLock, lockOff } from './page-lock.js';
import type { PreloadStatus } from './preload.js';
import { ResidencyReport, type ResidencyStatus } from './residency-report.js';
import { selectSpans } from './residency-targets.js';
import { ResidencyWatch } from './residency-watch.js';

export const residencyOff: ResidencyStatus = Object.freeze({ lock: lockOff, keeper: keeperOff });

type Settings = Pick<Config, 'lock' | 'keepWarm' | 'keepWarmRate' | 'keepWarmInterval' | 'residencyWarn' | 'residencyCheckInterval'>;

export class Residency {
  private lock: PageLock | undefined;
  private keeper: Keeper | undefined;
  private watch: ResidencyWatch | undefined;
  private relockQueued = false;
  /**
   * Each assembly's residency, for the warning and, in a single process, for /readyz and
   * /metrics too (one measurement at most every 5 s, or twice per check if checks come faster).
   */
  readonly report: ResidencyReport;

  private constructor(
    private readonly config: Settings,
    private readonly assemblies: Assemblies,
    private readonly log: Logger,
  ) {
    this.report = new ResidencyReport(assemblies, Math.min(5000, config.residencyCheckInterval / 2));
  }

  /**
   * Locks what --lock names now, before the server listens; checks the --keep-warm names.
   * Throws DataError (one line: an unknown name, or a lock the process may not take).
   */
  static start(config: Settings, assemblies: Assemblies, log: Logger): Residency {
    const r = new Residency(config, assemblies, log);
    if (config.keepWarm.length > 0) selectSpans(assemblies, config.keepWarm, '--keep-warm');
    if (config.lock.length > 0) {
      r.lock = PageLock.acquire(selectSpans(assemblies, config.lock, '--lock'), config.lock, log);
      // A reload swaps every store: the new mappings are locked once, after the last swap.
      for (const a of assemblies.list) a.store.onSwap(() => r.queueRelock());
    }
    return r;
  }

  get status(): ResidencyStatus {
    return { lock: this.lock?.status ?? lockOff, keeper: this.keeper?.status ?? keeperOff };
  }

  /** Once listening: the keeper and the warning start. */
  listening(preload: () => PreloadStatus): void {
    const { keepWarm, keepWarmRate, keepWarmInterval, residencyWarn, residencyCheckInterval } = this.config;
    if (keepWarm.length > 0) {
      const spans = () => selectSpans(this.assemblies, keepWarm, '--keep-warm');
      this.log.info(`keeping ${keepWarm.join(',')} warm: pages that leave the page cache are read again, at most ${keepWarmRate} MiB/s`);
      const options = { rateBytes: keepWarmRate * 1024 * 1024, intervalMs: keepWarmInterval };
      this.keeper = Keeper.start(spans, keepWarm, options, (e) => this.log.debug({ err: e }, 'keep-warm pass cut short'));
    }
    this.watch = new ResidencyWatch(() => this.report.byAssembly(this.status, preload()), residencyWarn, this.log);
    this.watch.start(residencyCheckInterval);
  }

  stop(): void {
    this.keeper?.stop();
    this.watch?.stop();
    this.lock?.release();
  }

  private queueRelock(): void {
    if (this.relockQueued) return;
    this.relockQueued = true;
    queueMicrotask(() => {
      this.relockQueued = false;
      try {
        this.lock?.relock(selectSpans(this.assemblies, this.config.lock, '--lock'));
      } catch (e) {
        this.log.error(`after the reload, the new data could not be locked: ${(e as Error).message}`);
      }
    });
  }
}
