/**
 * The one friendly line a person at a terminal sees once the server listens (the JSON "seqserve
 * ready" log line stays, for machines): where to point a browser, what is served, how fast.
 */
import { formatBases } from '../core/progress.js';

export interface ReadyFacts {
  url: string;
  sequences: number;
  bases: number;
  assemblies: number;
  workers: number;
  ms: number;
}

/** `seqserve: open http://localhost:8080/ — 4 sequences, 6.1 Mbp in 1 assembly, ready in 131 ms` */
export function readyLine({ url, sequences, bases, assemblies, workers, ms }: ReadyFacts): string {
  const held = `${assemblies} assembl${assemblies === 1 ? 'y' : 'ies'}`;
  const by = workers > 1 ? `, ${workers} workers` : '';
  return `seqserve: open ${url.endsWith('/') ? url : `${url}/`} — ${sequences} sequence${sequences === 1 ? '' : 's'}, ${formatBases(bases)} in ${held}${by}, ready in ${ms} ms`;
}

/** On stderr, and only when it is a terminal: logs collected from a pipe have the JSON line. */
export function announceReady(facts: ReadyFacts, stderr: { isTTY?: boolean; write(s: string): unknown } = process.stderr): void {
  if (stderr.isTTY) stderr.write(`${readyLine(facts)}\n`);
}
