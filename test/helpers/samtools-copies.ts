/**
 * samtools's view of the bgzipped variants (test/helpers/bgzf-variants.ts): one SamtoolsCopy per
 * variant, made on first use, and the .gzi `samtools faidx` writes for it.
 */
import { readFileSync } from 'node:fs';
import type { Variant } from './bgzf-variants.js';
import { SamtoolsCopy } from './samtools.js';

export class SamtoolsCopies {
  private readonly copies = new Map<string, SamtoolsCopy>();

  of(v: Variant): SamtoolsCopy {
    let copy = this.copies.get(v.name);
    if (!copy) this.copies.set(v.name, (copy = new SamtoolsCopy(v.gz)));
    return copy;
  }

  /** The .gzi samtools faidx writes beside its copy of the variant. */
  gzi(v: Variant): Buffer {
    const copy = this.of(v);
    copy.fai();
    return readFileSync(`${copy.fasta}.gzi`);
  }

  removeAll(): void {
    for (const copy of this.copies.values()) copy.remove();
  }
}
