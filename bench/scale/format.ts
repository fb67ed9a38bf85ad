/** Numbers as the whole-genome bench prints them ('n/a' for what was not measured), and medians. */
import { errorCount, type WrkResult } from './wrk.js';

export const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
export const fixed = (n: number | undefined, digits = 0) => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const thousands = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
export const pct = (f: number) => (Number.isFinite(f) ? `${(f * 100).toFixed(f < 0.1 ? 1 : 0)}%` : 'n/a');

/** One wrk run in a progress line. */
export function describeWrk(r: WrkResult): string {
  return `${thousands(r.requests)} requests in ${r.seconds.toFixed(1)} s: ${thousands(r.requestsPerSec)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${errorCount(r)} errors/non-2xx`;
}
