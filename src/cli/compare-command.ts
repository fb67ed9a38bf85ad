/**
 * `seqserve compare A B [--json] [--chrom-alias]`: two assemblies, sequence files or indexes
 * compared as GA4GH sequence collections, without a server. Prints what each side is, the
 * spec's comparison as a small table, then the verdict in words (src/seqcol/verdict.ts); --json
 * prints exactly the spec's comparison object, --chrom-alias only the chromAlias.txt that serves
 * A's names in B's folder. Exit 0 whatever the verdict: it is information, not a failure.
 */
import { basename } from 'node:path';
import { Progress } from '../core/progress.js';
import { compareCollections, type Comparison } from '../seqcol/comparison.js';
import { arraysOf, loadLocalCollection, type LocalCollection } from '../seqcol/local-collection.js';
import { verdictOf, type Compared, type Verdict } from '../seqcol/verdict.js';

export interface CompareOptions {
  json: boolean;
  chromAlias: boolean;
}

export function compareCommand(pathA: string, pathB: string, options: CompareOptions): void {
  const a = load(pathA);
  const b = load(pathB);
  const comparison = compareCollections(arraysOf(a), arraysOf(b), { a: a.collection?.digest ?? null, b: b.collection?.digest ?? null });
  if (options.json) return void process.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
  const verdict = verdictOf(compared(a), compared(b), comparison);
  if (options.chromAlias) {
    if (verdict.chromAlias === '') console.error(`seqserve: no sequence of ${pathA} is in ${pathB} under a name an alias can give it; nothing to write`);
    return void process.stdout.write(verdict.chromAlias);
  }
  process.stdout.write(renderComparison(a, b, comparison, verdict));
}

/** Bases to hash from which progress is shown: about a second of hashing. */
const PROGRESS_FROM_BASES = 256 * 1024 * 1024;

/** One side, with messages (an index built, digests computed, hashing progress) on stderr: stdout is the answer. */
function load(path: string): LocalCollection {
  let progress: Progress | undefined;
  const log = {
    info: (m: string) => {
      progress?.clearLine();
      console.error(m);
    },
    warn: (m: string) => {
      progress?.clearLine();
      console.error(`warning: ${m}`);
    },
  };
  try {
    const side = loadLocalCollection(path, {
      log,
      onHashProgress: (done, total) => {
        // Small files hash in a blink: a progress line would only be noise.
        if (total < PROGRESS_FROM_BASES) return;
        progress ??= new Progress(`refget digests of ${basename(path)}`, total);
        progress.update(done);
      },
    });
    progress?.finish();
    return side;
  } finally {
    progress?.stop();
  }
}

const compared = (side: LocalCollection): Compared => ({ names: side.names, lengths: side.lengths, sequences: side.collection?.level2.sequences });

/** The attributes of the table, in the order people read them. */
const tableOrder = ['names', 'lengths', 'sequences', 'name_length_pairs', 'sorted_sequences'];

/** The sides, the comparison as a table, the verdict and its details; the chromAlias lines last, as they are to be saved. */
function renderComparison(a: LocalCollection, b: LocalCollection, comparison: Comparison, verdict: Verdict): string {
  const out = [sideLine('A', a), sideLine('B', b), ''];
  const e = comparison.array_elements;
  const attributes = [...comparison.attributes.a_and_b, ...comparison.attributes.a_only, ...comparison.attributes.b_only];
  const [arraysA, arraysB] = [arraysOf(a), arraysOf(b)];
  const rows = [['attribute', 'a_count', 'b_count', 'shared', 'same order']];
  for (const k of tableOrder.filter((t) => attributes.includes(t))) {
    const order = e.a_and_b_same_order[k];
    const sameOrder = order === undefined ? '-' : order === null ? 'n/a' : order ? 'yes' : 'no';
    // The comparison counts shared attributes only; one side's own attribute is counted from its arrays.
    rows.push([k, count(e.a_count[k] ?? arraysA[k]?.length), count(e.b_count[k] ?? arraysB[k]?.length), count(e.a_and_b_count[k]), sameOrder]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows)
    out.push(
      r
        .map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  ')
        .trimEnd(),
    );
  out.push('', `verdict: ${verdict.headline}`, ...verdict.details.map((d) => `  ${d}`));
  if (verdict.chromAlias !== '') {
    out.push('', "chromAlias.txt for B's folder, so that seqserve serves A's names there too (or: seqserve compare A B --chrom-alias > DIR/chromAlias.txt):");
    return `${out.join('\n')}\n${verdict.chromAlias}`;
  }
  return `${out.join('\n')}\n`;
}

function sideLine(label: string, side: LocalCollection): string {
  const what = `${side.kind}, ${side.names.length} sequence${side.names.length === 1 ? '' : 's'}`;
  const digest = side.collection ? `seqcol digest ${side.collection.digest}` : `no seqcol digest: ${side.note ?? 'no sequence digests'}`;
  return `${label}: ${side.path} (${what}; ${digest})`;
}

const count = (n: number | undefined) => (n === undefined ? '-' : String(n));
