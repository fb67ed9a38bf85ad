/** What refget finds by digest: one served sequence and the assembly whose names it carries. */
import type { Assemblies, Assembly } from '../data/assemblies.js';
import type { MappedSequence } from '../store/mapped-sequence.js';

export interface RefgetItem {
  record: MappedSequence['record'];
  sequence: MappedSequence;
  assembly: Assembly;
}

/** Every sequence of every assembly, in order: what the digest index is built over. */
export function refgetItems(assemblies: Assemblies): RefgetItem[] {
  return assemblies.list.flatMap((assembly) => assembly.store.sequences.map((sequence) => ({ record: sequence.record, sequence, assembly })));
}
