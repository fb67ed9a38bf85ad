/**
 * `seqserve info DIR`: what serve would serve, without a server: the assemblies and their
 * sequences (length, format, file, aliases, digests known from sidecars), each assembly's
 * seqcol digest when all its sequences' digests are known and how much of it is in the page
 * cache now (mincore, as /readyz measures it), then the totals.
 */
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { openAssemblies, type Assemblies } from '../data/assemblies.js';
import { formatBases, formatBytes } from '../core/progress.js';
import { ResidencyReport } from '../data/residency-report.js';
import { groupByFile, readSidecar } from '../refget/digest-sidecar.js';
import type { SequenceDigests } from '../refget/digests.js';
import { collectionDigest as digestOf } from '../seqcol/collection.js';

export interface SequenceInfo {
  name: string;
  length: number;
  format: string;
  /** Relative to the data folder. */
  file: string;
  aliases: string[];
  /** From the file's sidecar when it is there and up to date; null otherwise. */
  md5: string | null;
  ga4gh: string | null;
}

export interface AssemblyInfo {
  name: string;
  dir: string;
  default: boolean;
  /** The seqcol top-level digest; null until every sequence's refget digest is known. */
  collection: string | null;
  /** Its mapped files' bytes in the page cache when info ran (cached by any process: a server, a cat). */
  residency: Residency;
  sequences: SequenceInfo[];
}

/** As /readyz's residency.assemblies gives them: whole pages, capped at each file's size; percent with one decimal. */
interface Residency {
  mappedBytes: number;
  residentBytes: number;
  percent: number;
}

export interface DataInfo {
  data: string;
  assemblies: AssemblyInfo[];
  totals: { assemblies: number; sequences: number; bases: number; fileBytes: number; digestsKnown: number; digestsComplete: boolean };
}

/** Reads the folder as serve does (messages on stderr: stdout is the answer), describes it, closes it. */
export async function infoCommand(dir: string, json: boolean): Promise<void> {
  const log = { info: (m: string) => console.error(m), warn: (m: string) => console.error(`warning: ${m}`) };
  const assemblies = openAssemblies(dir, log);
  try {
    const info = describeData(dir, assemblies, await residencyOf(assemblies));
    process.stdout.write(json ? `${JSON.stringify(info, null, 2)}\n` : renderInfo(info));
  } finally {
    assemblies.close();
  }
}

/** Measured now, by assembly name (mincore over the mappings info just made: nothing is read). */
async function residencyOf(assemblies: Assemblies): Promise<Map<string, Residency>> {
  const measured = await new ResidencyReport(assemblies, 0).byAssembly();
  return new Map(measured.map(({ assembly, mappedBytes, residentBytes, percent }) => [assembly, { mappedBytes, residentBytes, percent }]));
}

export function describeData(data: string, assemblies: Assemblies, residency: ReadonlyMap<string, Residency>): DataInfo {
  const files = new Set<string>();
  const list: AssemblyInfo[] = assemblies.list.map((a) => {
    const known = new Map<string, SequenceDigests>();
    for (const [file, group] of groupByFile(a.catalog.records)) {
      files.add(file);
      for (const [name, d] of readSidecar(file, group) ?? []) known.set(`${file}\0${name}`, d);
    }
    const sequences = a.catalog.records.map((r) => {
      const d = known.get(`${r.file}\0${r.name}`);
      return {
        name: r.name,
        length: r.length,
        format: r.format,
        file: relative(data, r.file) || r.file,
        aliases: a.catalog.aliasesOf(r.name).map((x) => x.alias),
        md5: d?.md5 ?? null,
        ga4gh: d?.ga4gh ?? null,
      };
    });
    const resident = residency.get(a.name) ?? { mappedBytes: 0, residentBytes: 0, percent: 100 };
    return { name: a.name, dir: a.dir, default: a === assemblies.default, collection: collectionDigest(sequences), residency: resident, sequences };
  });
  const all = list.flatMap((a) => a.sequences);
  const digestsKnown = all.filter((s) => s.md5 !== null).length;
  return {
    data,
    assemblies: list,
    totals: {
      assemblies: list.length,
      sequences: all.length,
      bases: all.reduce((sum, s) => sum + s.length, 0),
      fileBytes: [...files].reduce((sum, f) => sum + statSync(f).size, 0),
      digestsKnown,
      digestsComplete: digestsKnown === all.length,
    },
  };
}

/** `3.1 of 3.8 MiB resident (81.5%)`, the genome page's words (page/residency-view.ts): three decimals below 1 MiB. */
function residencyLine({ mappedBytes, residentBytes, percent }: Residency): string {
  const digits = mappedBytes < 2 ** 20 ? 3 : 1;
  return `${(residentBytes / 2 ** 20).toFixed(digits)} of ${(mappedBytes / 2 ** 20).toFixed(digits)} MiB resident (${percent}%)`;
}

function collectionDigest(sequences: readonly SequenceInfo[]): string | null {
  if (sequences.some((s) => s.ga4gh === null)) return null;
  return digestOf(
    sequences.map((s) => s.name),
    sequences.map((s) => s.ga4gh!),
  );
}

/** Tables for people: one per assembly, columns aligned, then one line of totals. */
export function renderInfo(info: DataInfo): string {
  const out: string[] = [];
  for (const a of info.assemblies) {
    out.push(`assembly ${a.name}${a.default ? ' (default)' : ''}: ${a.dir} (seqcol digest: ${a.collection ?? '? until every refget digest is known'})`);
    out.push(`  page cache: ${residencyLine(a.residency)}`);
    const rows = [
      ['name', 'length', 'format', 'file', 'aliases', 'md5', 'ga4gh'],
      ...a.sequences.map((s) => [s.name, String(s.length), s.format, s.file, s.aliases.join(',') || '-', s.md5 ?? '?', s.ga4gh ?? '?']),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    // Lengths right-aligned, the rest left; no trailing blanks.
    for (const r of rows)
      out.push(
        `  ${r
          .map((cell, c) => (c === 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
          .join('  ')
          .trimEnd()}`,
      );
    out.push('');
  }
  const t = info.totals;
  const held = `${t.assemblies} assembl${t.assemblies === 1 ? 'y' : 'ies'}`;
  out.push(
    `${t.sequences} sequences, ${t.bases.toLocaleString('en-US')} bases (${formatBases(t.bases)}) in ${held}; ${formatBytes(t.fileBytes)} of sequence files`,
  );
  out.push(
    t.digestsComplete
      ? `refget digests: all ${t.sequences} known (sidecars up to date)`
      : `refget digests: ${t.digestsKnown} of ${t.sequences} known ('?' above); serve computes the rest in the background, or run: seqserve index ${info.data}`,
  );
  return `${out.join('\n')}\n`;
}
