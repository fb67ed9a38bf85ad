/** What `seqserve prepare` reports: as it goes (PrepareLog) and at the end (PrepareSummary). */
import { basename } from 'node:path';

export interface PrepareLog {
  info(m: string): void;
  warn(m: string): void;
}

export interface PreparedSequence {
  name: string;
  length: number;
  /** The raw file written. */
  file: string;
  md5: string;
  ga4gh: string;
}

export interface PrepareSummary {
  input: string;
  outDir: string;
  /** Whether the input was gzip-compressed (gzip, bgzip, multi-member). */
  gzip: boolean;
  /** In input order. */
  sequences: PreparedSequence[];
  /** Total bases written. */
  bases: number;
  /** Names of records without bases, skipped. */
  skippedEmpty: string[];
  /** Names of repeated records, skipped (the first of each name was kept). */
  skippedDuplicates: string[];
  /** The alias file copied into OUTDIR, if one was found beside the input. */
  aliasFile?: string;
  seconds: number;
  /** Bases per second, over the whole run. */
  basesPerSecond: number;
}

export const mbPerSecond = (bytes: number, ms: number) => (ms > 0 ? (bytes / 1e3 / ms).toFixed(1) : '∞');

/** What the run produced, as the splitter gathered it. */
export interface PrepareResult {
  input: string;
  outDir: string;
  gzip: boolean;
  sequences: PreparedSequence[];
  skippedEmpty: string[];
  skippedDuplicates: string[];
  /** The alias file copied, from where to where. */
  alias: { source: string; target: string } | undefined;
}

/** Logs the closing line of a run `ms` long, and returns its summary. */
export function summarise(result: PrepareResult, ms: number, log: PrepareLog): PrepareSummary {
  const { input, outDir, gzip, sequences, skippedEmpty, skippedDuplicates, alias } = result;
  const bases = sequences.reduce((sum, s) => sum + s.length, 0);
  const skipped = [
    skippedEmpty.length > 0 ? `${skippedEmpty.length} empty` : '',
    skippedDuplicates.length > 0 ? `${skippedDuplicates.length} repeated` : '',
  ].filter(Boolean);
  log.info(
    `prepared ${sequences.length} sequences, ${bases} bases, in ${(ms / 1000).toFixed(1)} s (${mbPerSecond(bases, ms)} MB/s)` +
      `${skipped.length > 0 ? `; skipped ${skipped.join(' and ')} records` : ''}${alias ? `; copied ${basename(alias.source)}` : ''}; serve with: seqserve serve --data ${outDir}`,
  );
  return {
    input,
    outDir,
    gzip,
    sequences,
    bases,
    skippedEmpty,
    skippedDuplicates,
    ...(alias ? { aliasFile: alias.target } : {}),
    seconds: ms / 1000,
    basesPerSecond: ms > 0 ? (bases * 1000) / ms : 0,
  };
}
