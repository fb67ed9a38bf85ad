/**
 * Records for refget fixtures: N sequences named PREFIX0…, with lengths at the edges of 60-base
 * lines (edgeLengths), every other one with a description.
 */
import { edgeLengths, prng, type RecordSpec } from './fasta-fixtures.js';

export function edgeRecords(n: number, prefix: string): RecordSpec[] {
  const lengths = edgeLengths(prng(n), 60, n, 3000);
  return lengths.map((length, i) => ({ name: `${prefix}${i}`, length, ...(i % 2 ? { description: 'x y' } : {}) }));
}
