/**
 * Line layout of each FASTA record as samtools describes it, computed independently from the file
 * bytes (no server code): an oracle for GET /chrom/:name.
 */
import { readFileSync } from 'node:fs';

export interface Layout {
  offset: number;
  lineBases: number;
  lineBytes: number;
}

/**
 * For each non-empty record (first of a name): offset of its first base, bases on its first line,
 * and bytes of that line counting one byte for a missing final \n (as htslib does).
 */
export function naiveLayouts(file: string): Map<string, Layout> {
  const bytes = readFileSync(file, 'latin1');
  const out = new Map<string, Layout>();
  let pos = 0;
  let pending: { name: string; offset: number } | undefined;
  while (pos < bytes.length) {
    const nl = bytes.indexOf('\n', pos);
    const lineEnd = nl < 0 ? bytes.length : nl;
    const line = bytes.slice(pos, lineEnd);
    if (line.startsWith('>')) {
      const name = line.slice(1).trimStart().split(/\s/)[0] ?? '';
      pending = out.has(name) ? undefined : { name, offset: lineEnd + 1 };
    } else if (pending && line.replace(/\r$/, '').length > 0) {
      out.set(pending.name, { offset: pending.offset, lineBases: line.replace(/\r$/, '').length, lineBytes: line.length + 1 });
      pending = undefined;
    }
    pos = lineEnd + 1;
  }
  return out;
}
