/** A BgzfFile over a mapped .fa.gz and its block index, with a block cache of its own unless given one. */
import { BgzfFile } from '../../src/formats/bgzf/bgzf-file.js';
import { BlockCache } from '../../src/formats/bgzf/block-cache.js';
import type { GziIndex } from '../../src/formats/bgzf/gzi.js';
import { MappedFile } from '../../src/store/mapped-file.js';

export function openBgzf(gz: string, gzi: GziIndex, cache = new BlockCache(8 << 20)): BgzfFile {
  return new BgzfFile(MappedFile.open(gz), gzi, cache);
}
