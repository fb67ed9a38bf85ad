/** The page-cache gauges of /metrics: resident bytes in all and by assembly, locked bytes, the keeper's work. */
import { Gauge, type Registry } from 'prom-client';
import type { Assemblies } from '../data/assemblies.js';
import { ResidencyReport, type ResidencyStatus } from '../data/residency-report.js';
import { residencyOff } from '../data/residency.js';

export interface ResidencySources {
  report: ResidencyReport;
  /** What the process holding --lock and --keep-warm reports (with --workers: the primary, via messages). */
  status: () => ResidencyStatus;
}

export function defaultResidencySources(assemblies: Assemblies): ResidencySources {
  return { report: new ResidencyReport(assemblies, 5000), status: () => residencyOff };
}

/**
 * Every gauge is of things every worker sees alike (the shared page cache, the primary's lock and
 * keeper), so a cluster scrape takes the max, not the sum (src/http/cluster-metrics.ts).
 */
export function registerResidencyMetrics(registry: Registry, { report, status }: ResidencySources): void {
  const gauge = (name: string, help: string, collect: (g: Gauge) => void | Promise<void>, labelNames: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      aggregator: 'max',
      registers: [registry],
      collect() {
        return collect(this);
      },
    });
  gauge('seqserve_page_cache_resident_bytes', 'Bytes of the mapped files resident in the page cache (mincore; shared by every process)', async (g) => {
    g.set(await report.total());
  });
  gauge(
    'seqserve_assembly_resident_bytes',
    "Bytes of an assembly's mapped files resident in the page cache (mincore)",
    async (g) => {
      for (const a of await report.byAssembly()) g.set({ assembly: a.assembly }, a.residentBytes);
    },
    ['assembly'],
  );
  gauge(
    'seqserve_assembly_mapped_bytes',
    "Bytes of an assembly's mapped files",
    async (g) => {
      for (const a of await report.byAssembly()) g.set({ assembly: a.assembly }, a.mappedBytes);
    },
    ['assembly'],
  );
  gauge('seqserve_locked_bytes', 'Bytes locked in memory by --lock (once for every worker)', (g) => g.set(status().lock.bytes));
  gauge('seqserve_keep_warm_reread_bytes', 'Bytes the --keep-warm keeper found evicted and read again, since the start (a count)', (g) =>
    g.set(status().keeper.rereadBytes),
  );
  gauge('seqserve_keep_warm_busy_seconds', "Event-loop time the keeper's steps took since the start (mincore and madvise)", (g) =>
    g.set(status().keeper.busyMs / 1000),
  );
}
