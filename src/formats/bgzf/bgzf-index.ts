/** The .fai and .gzi of a bgzipped FASTA built in one pass, as samtools faidx builds them. */
import { inflateRawSync } from 'node:zlib';
import { FaiBuilder } from '../fasta/fai-build.js';
import type { FaiEntry } from '../fasta/fai.js';
import { blockInflatedSize, blockPayload, corruptBlockError, GziBuilder, walkBgzfBlocks, type GziIndex } from './gzi.js';

/**
 * Indexes a bgzipped FASTA as `samtools faidx FILE.fa.gz` does, in one sequential pass: each
 * block is inflated once and fed to the FASTA indexer, whose offsets are therefore positions in
 * the uncompressed text (what samtools writes), while its start goes into the .gzi.
 */
export function buildBgzfIndexes(
  path: string,
  log?: (msg: string) => void,
  onProgress?: (done: number, total: number) => void,
): { fai: FaiEntry[]; gzi: GziIndex } {
  const fai = new FaiBuilder(path, log);
  const gzi = new GziBuilder();
  walkBgzfBlocks(
    path,
    (block, offset, header) => {
      const isize = blockInflatedSize(block, path, offset);
      gzi.add(offset, isize);
      if (isize === 0) return;
      let inflated: Buffer;
      try {
        inflated = inflateRawSync(blockPayload(block, header), { chunkSize: Math.max(64, isize), maxOutputLength: isize });
      } catch (error) {
        throw corruptBlockError(path, offset, `does not inflate (${(error as Error).message})`);
      }
      if (inflated.length !== isize) throw corruptBlockError(path, offset, `inflates to ${inflated.length} bytes but its trailer says ${isize}`);
      fai.push(inflated);
    },
    onProgress,
  );
  return { fai: fai.finish(), gzi: gzi.finish() };
}
