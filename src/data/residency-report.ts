/** Each assembly's page-cache residency (mincore), for /readyz, /metrics, the page and the warning. */
import { ResidentMeter } from '../store/resident-meter.js';
import type { Assemblies } from './assemblies.js';
import type { KeeperStatus } from './keeper.js';
import type { LockStatus } from './page-lock.js';
import type { PreloadStatus } from './preload.js';

/** What keeps this server's pages resident: --lock and --keep-warm, as the process holding them reports. */
export interface ResidencyStatus {
  lock: LockStatus;
  keeper: KeeperStatus;
}

export interface AssemblyResidency {
  assembly: string;
  mappedBytes: number;
  residentBytes: number;
  /** residentBytes / mappedBytes, in percent with one decimal (100 for an assembly with nothing mapped). */
  percent: number;
  /** How its pages are kept: locked (some or all of them), kept warm, preloaded once. */
  locked: boolean;
  keptWarm: boolean;
  preloaded: boolean;
}

/** Measures every mapped file at most once per ttlMs (ResidentMeter) and sums by assembly. */
export class ResidencyReport {
  private readonly meter: ResidentMeter;

  // The files asked for at each measurement: a reload swaps the stores.
  constructor(
    private readonly assemblies: Assemblies,
    ttlMs: number,
  ) {
    this.meter = new ResidentMeter(() => assemblies.list.flatMap((a) => a.store.mappedFiles()), ttlMs);
  }

  /** Resident bytes of every mapped file (each file once). */
  total(): Promise<number> {
    return this.meter.total();
  }

  async byAssembly(status?: ResidencyStatus, preload?: PreloadStatus): Promise<AssemblyResidency[]> {
    const perFile = await this.meter.measure();
    return this.assemblies.list.map((a) => {
      const files = a.store.mappedFiles();
      const mappedBytes = files.reduce((sum, f) => sum + f.size, 0);
      const residentBytes = files.reduce((sum, f) => sum + (perFile.get(f) ?? 0), 0);
      return {
        assembly: a.name,
        mappedBytes,
        residentBytes,
        percent: mappedBytes === 0 ? 100 : Math.floor((residentBytes / mappedBytes) * 1000) / 10,
        locked: status?.lock.assemblies.includes(a.name) ?? false,
        keptWarm: status?.keeper.assemblies.includes(a.name) ?? false,
        preloaded: preload !== undefined && preload.state !== 'off',
      };
    });
  }
}
