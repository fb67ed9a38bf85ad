/**
 * Each assembly's page-cache residency on the genome page: resident MiB of mapped MiB, the
 * percent, and what keeps the pages there (--lock, --keep-warm, --preload). Read from /readyz,
 * whose numbers the server measures with mincore in slices, at most every 5 s (so asking often
 * costs it nothing more), and asked again every 5 s while the page is visible: an operator
 * watching it sees the keeper bring pages back, or a cgroup evict them.
 */
import type { AssemblyResidency } from '../src/data/residency-report.js';
import { getJson } from './http.js';

/** What /readyz says under `residency`: what --lock and --keep-warm named, and each assembly. */
interface Residency {
  lock: { targets: string[] };
  keeper: { targets: string[] };
  assemblies: AssemblyResidency[];
}

/** The server measures at most this often; asking more often would show the same numbers. */
const refreshMs = 5000;

/** Both figures in MiB, to one decimal (three below 1 MiB, where one would say 0.0 of 0.0). */
function inMiB(resident: number, mapped: number): string {
  const digits = mapped < 2 ** 20 ? 3 : 1;
  return `${(resident / 2 ** 20).toFixed(digits)} of ${(mapped / 2 ** 20).toFixed(digits)} MiB`;
}

/** The line of one assembly, filled in by startResidencyView(). */
export function residencyLine(assembly: string): HTMLParagraphElement {
  const p = document.createElement('p');
  p.className = 'help residency';
  p.dataset.assembly = assembly;
  p.textContent = 'Page cache: measuring…';
  return p;
}

/**
 * What keeps an assembly's pages in memory, in words: `locked (--lock chr1), preloaded (--preload)`,
 * or that nothing does. The names are all that the option named (some of them maybe in other assemblies).
 */
function keptBy({ locked, keptWarm, preloaded }: AssemblyResidency, { lock, keeper }: Residency): string {
  const ways = [
    locked && `locked (--lock ${lock.targets.join(',')})`,
    keptWarm && `kept warm (--keep-warm ${keeper.targets.join(',')})`,
    preloaded && 'preloaded (--preload)',
  ].filter(Boolean);
  return ways.length > 0 ? ways.join(', ') : 'not locked, kept warm or preloaded';
}

function show(line: HTMLElement, a: AssemblyResidency, residency: Residency): void {
  const meter = document.createElement('meter');
  meter.min = 0;
  meter.max = 100;
  meter.value = a.percent;
  meter.setAttribute('aria-hidden', 'true');
  const figures = document.createElement('strong');
  figures.textContent = `${inMiB(a.residentBytes, a.mappedBytes)} resident (${a.percent}%)`;
  line.replaceChildren('Page cache: ', meter, ' ', figures, `; ${keptBy(a, residency)}.`);
  Object.assign(line.dataset, {
    residentBytes: String(a.residentBytes),
    mappedBytes: String(a.mappedBytes),
    percent: String(a.percent),
    locked: String(a.locked),
    keptWarm: String(a.keptWarm),
    preloaded: String(a.preloaded),
  });
}

/** Says why there are no figures; the numbers of an earlier answer are dropped with them. */
function unknown(line: HTMLElement, text: string): void {
  line.textContent = text;
  for (const key of ['residentBytes', 'mappedBytes', 'percent', 'locked', 'keptWarm', 'preloaded']) delete line.dataset[key];
}

/** One /readyz at a time: a slow answer is not asked for again meanwhile. */
let asking = false;

async function refresh(): Promise<void> {
  const lines = document.querySelectorAll<HTMLElement>('p.residency[data-assembly]');
  if (lines.length === 0 || asking) return;
  asking = true;
  try {
    const { residency } = await getJson<{ residency?: Residency }>('/readyz');
    const byName = new Map((residency?.assemblies ?? []).map((a) => [a.assembly, a]));
    for (const line of lines) {
      const found = byName.get(line.dataset.assembly ?? '');
      if (found && residency) show(line, found, residency);
      else unknown(line, 'Page cache: not reported by this server.');
    }
  } catch (e) {
    for (const line of lines) unknown(line, `Page cache: could not be measured (${(e as Error).message}).`);
  } finally {
    asking = false;
  }
}

/** Fills in every assembly's line now, then every refreshMs while the page is visible. */
export function startResidencyView(): void {
  void refresh();
  setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, refreshMs);
}
