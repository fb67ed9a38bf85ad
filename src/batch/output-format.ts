/** The answer formats of a RegionPlan, their media types, and the choice between them. */
/** Formats written as text by PlanWriter. */
export type TextFormat = 'json' | 'fasta' | 'bed';
/** Text, or NumPy arrays written by WindowArrays. */
export type OutputFormat = TextFormat | 'npy' | 'npz';

/** Media types of the formats. */
export const mediaTypes: Record<OutputFormat, string> = {
  json: 'application/json; charset=utf-8',
  fasta: 'text/x-fasta',
  bed: 'text/x-bed',
  npy: 'application/x-npy',
  npz: 'application/zip',
};

export const isArrayFormat = (format: OutputFormat): format is 'npy' | 'npz' => format === 'npy' || format === 'npz';

/**
 * The format of an answer: `?format=` when given, else the best of `Accept` among the formats
 * offered (q-values honoured; `*\/*`, a missing header, or nothing offered → the first offered).
 */
export function chooseFormat(format: OutputFormat | undefined, accept: string | undefined, offered: readonly OutputFormat[]): OutputFormat {
  if (format) return format;
  const fallback = offered[0]!;
  if (!accept) return fallback;
  const types: Record<string, OutputFormat> = {
    'application/json': 'json',
    'text/x-fasta': 'fasta',
    'text/fasta': 'fasta',
    'application/x-fasta': 'fasta',
    'text/x-bed': 'bed',
    'application/x-npy': 'npy',
    'application/zip': 'npz',
  };
  let best: OutputFormat | undefined;
  let bestQ = 0;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const f = types[type!.trim()];
    if (!f || !offered.includes(f)) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (q > bestQ) [best, bestQ] = [f, q];
  }
  return best ?? fallback;
}
