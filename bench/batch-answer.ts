/**
 * Reading the sequences out of a batch answer whose exact shape the bench does not fix (the
 * route is being written as this is): JSON (every string of bases found, in document order),
 * FASTA (one record per region, lines joined), or one line per region (the last
 * tab-separated field, so BED-like lines with the sequence last work too).
 */
const BASES = /^[ACGTNRYKMSWBDHV]*$/i;

export function sequencesOf(text: string, contentType: string, expected: number): string[] {
  if (contentType.includes('json') || text.startsWith('{') || text.startsWith('[')) return fromJson(JSON.parse(text) as unknown, expected);
  if (text.startsWith('>')) return fromFasta(text);
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t').at(-1)!);
}

/** FASTA records, sequence lines joined (also samtools faidx output). */
export function fromFasta(text: string): string[] {
  const out: string[] = [];
  for (const record of text.split('>').slice(1)) {
    const lines = record.split('\n');
    out.push(lines.slice(1).join('').replace(/\r/g, ''));
  }
  return out;
}

function fromJson(value: unknown, expected: number): string[] {
  // seqserve's own shape: {"sequences": [{region, name, start, end, strand, sequence}]}.
  const sequences = (value as { sequences?: { sequence?: unknown }[] } | null)?.sequences;
  if (Array.isArray(sequences) && sequences.every((s) => typeof s?.sequence === 'string')) return sequences.map((s) => s.sequence as string);
  const found: string[] = [];
  const walk = (v: unknown, key: string) => {
    if (typeof v === 'string') {
      if (/^(seq|sequence|bases)$/i.test(key) || (v.length > 0 && BASES.test(v) && key !== 'name')) found.push(v);
    } else if (Array.isArray(v)) {
      for (const item of v) walk(item, key);
    } else if (v && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) walk(item, k);
    }
  };
  walk(value, '');
  // Fields other than the sequence could also look like bases ("A"?): prefer the named ones.
  return found.length === expected ? found : found.filter((s) => s.length > 1 || expected === 0);
}
