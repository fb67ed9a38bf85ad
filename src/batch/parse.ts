/** POST /batch request bodies (JSON, or text: region strings and BED lines) parsed into a RegionPlan. */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ProblemError, badRequest } from '../core/errors.js';
import type { SequenceStore } from '../store/sequence-store.js';
import { BatchProblem, RegionPlan, resolveCoordinates, resolveRegionString, tooLarge } from './plan.js';

/**
 * JSON: `{"regions": [...]}` or a bare array of samtools region strings (1-based inclusive) and
 * `{"name"|"chrom", "start", "end", "strand"?}` objects (0-based half-open). Text: one region a line,
 * BED when it has a tab (`chrom start end [name [score [strand]]]`), else a region string as in a
 * `samtools faidx -r` file; blank, `#`, `track` and `browser` lines skipped, a trailing `\r` dropped.
 * `defaultReverse` (`strand=-`, like `samtools faidx -i`) applies to regions that give no strand.
 */
export interface ParseOptions {
  store: SequenceStore;
  defaultReverse: boolean;
  maxRegions: number;
  /** Regions resolved between two yields to the event loop. */
  slice?: number;
}

const defaultSlice = 20_000;

export async function parseJsonBody(body: unknown, options: ParseOptions): Promise<RegionPlan> {
  const items = Array.isArray(body) ? body : isObject(body) ? body.regions : undefined;
  if (!Array.isArray(items))
    throw badRequest('the body must be {"regions": [...]}: region strings ("chr1:1,000-2,000") or {"name", "start", "end", "strand"?} objects');
  if (items.length > options.maxRegions)
    throw tooLarge(
      `the batch has ${items.length} regions; at most ${options.maxRegions} are allowed in one request (setting --max-batch-regions / SEQSERVE_MAX_BATCH_REGIONS)`,
    );
  const { store, defaultReverse } = options;
  const slice = options.slice ?? defaultSlice;
  const plan = new RegionPlan(items.length);
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % slice === 0) await yieldToLoop();
    const item: unknown = items[i];
    try {
      if (typeof item === 'string') {
        resolveRegionString(store, item, defaultReverse, plan);
      } else if (isObject(item)) {
        const name = item.name ?? item.chrom;
        if (typeof name !== 'string' || name.length === 0) throw badRequest('needs "name" (or "chrom"): a sequence name');
        const start = coordinate(item.start, 'start');
        const end = coordinate(item.end, 'end');
        resolveCoordinates(store, name, start, end, strandOf(item.strand, defaultReverse), plan);
      } else {
        throw badRequest('must be a region string or an object {"name", "start", "end", "strand"?}');
      }
    } catch (e) {
      throw placed(e, { index: i });
    }
  }
  return plan;
}

export async function parseTextBody(body: string, options: ParseOptions): Promise<RegionPlan> {
  const { store, defaultReverse, maxRegions } = options;
  const slice = options.slice ?? defaultSlice;
  const plan = new RegionPlan(Math.min(maxRegions, 1024));
  let lineNumber = 0;
  let at = 0;
  while (at < body.length) {
    let nl = body.indexOf('\n', at);
    if (nl < 0) nl = body.length;
    let line = body.slice(at, nl);
    at = nl + 1;
    lineNumber++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length === 0 || skipped(line)) continue;
    const index = plan.count;
    if (index >= maxRegions)
      throw tooLarge(
        `the batch has more than ${maxRegions} regions (line ${lineNumber}); at most ${maxRegions} are allowed in one request (setting --max-batch-regions / SEQSERVE_MAX_BATCH_REGIONS)`,
      );
    if (index > 0 && index % slice === 0) await yieldToLoop();
    try {
      if (line.includes('\t')) bedLine(line, options, plan);
      else resolveRegionString(store, line, defaultReverse, plan);
    } catch (e) {
      throw placed(e, { index, line: lineNumber });
    }
  }
  return plan;
}

/** `#` comments and BED `track`/`browser` lines. */
function skipped(line: string): boolean {
  const c = line.charCodeAt(0);
  if (c === 0x23) return true; // #
  if (c !== 0x74 && c !== 0x62) return false; // t, b
  return /^(track|browser)([ \t]|$)/.test(line);
}

function bedLine(line: string, { store, defaultReverse }: ParseOptions, plan: RegionPlan): void {
  const t1 = line.indexOf('\t');
  const t2 = t1 < 0 ? -1 : line.indexOf('\t', t1 + 1);
  if (t2 < 0) throw badRequest(`BED line "${clip(line)}" has fewer than 3 fields; needs chrom, start and end separated by tabs`);
  let t3 = line.indexOf('\t', t2 + 1);
  if (t3 < 0) t3 = line.length;
  const name = line.slice(0, t1);
  const start = bedNumber(line, t1 + 1, t2, 'start');
  const end = bedNumber(line, t2 + 1, t3, 'end');
  let reverse = defaultReverse;
  if (t3 < line.length) {
    const fields = line.slice(t3 + 1).split('\t');
    const strandText = fields[2]; // name, score, strand
    if (strandText !== undefined && strandText !== '.') {
      if (strandText !== '+' && strandText !== '-') throw badRequest(`BED strand (column 6) "${clip(strandText)}" must be +, - or .`);
      reverse = strandText === '-';
    }
  }
  resolveCoordinates(store, name, start, end, reverse, plan);
}

/** A BED coordinate, line[from, to): digits only, below 2^53. */
function bedNumber(line: string, from: number, to: number, what: string): number {
  let n = 0;
  for (let j = from; j < to; j++) {
    const d = line.charCodeAt(j) - 48;
    if (d < 0 || d > 9) return refuseNumber(line.slice(from, to), what);
    n = n * 10 + d;
  }
  if (to === from || to - from > 16) return refuseNumber(line.slice(from, to), what);
  if (!Number.isSafeInteger(n)) throw badRequest(`BED ${what} ${line.slice(from, to)} must be below 2^53`);
  return n;
}

function refuseNumber(text: string, what: string): never {
  throw badRequest(`BED ${what} "${clip(text)}" must be a non-negative whole number`);
}

function coordinate(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw badRequest(`"${what}" must be a non-negative whole number (0-based), got ${clip(JSON.stringify(value) ?? 'nothing')}`);
  }
  return value;
}

function strandOf(value: unknown, defaultReverse: boolean): boolean {
  if (value === undefined || value === null || value === '.') return defaultReverse;
  if (value === '+') return false;
  if (value === '-') return true;
  throw badRequest(`"strand" must be "+", "-" or ".", got ${clip(JSON.stringify(value) ?? '')}`);
}

function placed(e: unknown, place: { index: number; line?: number }): unknown {
  return e instanceof ProblemError && !(e instanceof BatchProblem) ? new BatchProblem(e, place) : e;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}...` : s;
}
