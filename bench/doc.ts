/**
 * The figures as markdown for BENCHMARKS.md: always written to bench/.tmp/results.md; spliced into
 * BENCHMARKS.md between its `<!-- bench:begin -->` and `<!-- bench:end -->` markers only when
 * BENCH_WRITE_DOC=1 (so a noisy development run never rewrites the committed figures). The formats
 * group's figures go the same way between `<!-- bench-formats:begin -->` and `<!-- bench-formats:end -->`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describeMachine, type Machine } from './machine.js';
import { batchTable, formatTargets, markdownTable, type BatchLine, type Row, type Target } from './report.js';

export interface DocInput {
  date: string;
  machine: Machine;
  setup: string;
  loadAverage: { start: number; end: number };
  durationSec: number;
  floor: number;
  floorSpread: number;
  rows: Row[];
  batch: BatchLine[];
  notes: string[];
  targets: Target[];
}

export function resultsMarkdown(r: DocInput): string {
  return [
    `Run of ${r.date.slice(0, 16).replace('T', ' ')} UTC, ${r.durationSec} s per run after 1 s warm-up; load average ${r.loadAverage.start.toFixed(2)} at start, ${r.loadAverage.end.toFixed(2)} at end.`,
    '',
    '```',
    describeMachine(r.machine),
    r.setup,
    `hello-world floor mean ${Math.round(r.floor)} req/s (first/last spread ${(r.floorSpread * 100).toFixed(1)}%)`,
    '```',
    '',
    markdownTable(r.rows),
    '',
    batchTable(r.batch),
    '',
    ...r.notes.map((n) => `- note: ${n}`),
    '',
    '```',
    formatTargets(r.targets),
    '```',
  ].join('\n');
}

/** `text` with the part between `<!-- NAME:begin -->` and `<!-- NAME:end -->` replaced by `markdown`. */
function splice(text: string, name: string, markdown: string, doc: string): string {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${doc} has no ${begin} … ${end} section to update`);
  return `${text.slice(0, from + begin.length)}\n${markdown}\n${text.slice(to)}`;
}

/** Writes `markdown` (and the formats figures) to `scratchFile`, and into `doc` between the markers when asked to. */
export function writeDoc(markdown: string, scratchFile: string, doc: string, formats?: string): string | undefined {
  writeFileSync(scratchFile, `${markdown}\n${formats ? `\n## Formats\n\n${formats}\n` : ''}`);
  if (process.env.BENCH_WRITE_DOC !== '1' || !existsSync(doc)) return undefined;
  let text = splice(readFileSync(doc, 'utf8'), 'bench', markdown, doc);
  if (formats) text = splice(text, 'bench-formats', formats, doc);
  writeFileSync(doc, text);
  return doc;
}
