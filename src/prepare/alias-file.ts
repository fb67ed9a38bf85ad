/** The chromosome alias file that goes with the input, copied into OUTDIR beside the raw files. */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DataError } from '../core/errors.js';
import type { PrepareLog } from './summary.js';

const aliasFileName = /^(.+\.)?chromAlias\.txt$/;

export interface AliasCopy {
  source: string;
  target: string;
}

/**
 * The alias file to copy into `outDir`, if any (none when it is already there, the input
 * being in `outDir`); refused when it would overwrite another without `force`.
 */
export function aliasCopy(input: string, outDir: string, force: boolean, log: PrepareLog): AliasCopy | undefined {
  const source = findAliasFile(input, log);
  if (source === undefined) return undefined;
  const target = join(outDir, basename(source));
  if (resolve(source) === resolve(target)) return undefined;
  if (!force && existsSync(target)) {
    throw new DataError(`${target} already exists; pass --force to overwrite it with ${source}, or prepare into an empty folder`);
  }
  return { source, target };
}

/**
 * The alias file beside the input, if any: chromAlias.txt first (what a user writes by hand,
 * and what the catalog prefers), else the single ASSEMBLY.chromAlias.txt, else the one named
 * after the input (hg38.fa.gz → hg38.chromAlias.txt).
 */
function findAliasFile(input: string, log: PrepareLog): string | undefined {
  const dir = dirname(input);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined;
  }
  const found = entries.filter((e) => aliasFileName.test(e)).sort();
  if (found.length === 0) return undefined;
  if (found.includes('chromAlias.txt')) return join(dir, 'chromAlias.txt');
  if (found.length === 1) return join(dir, found[0]!);
  const stem = basename(input)
    .replace(/\.(gz|bgz|bgzf)$/i, '')
    .replace(/\.(fa|fasta|fna)$/i, '');
  const matching = found.find((f) => f === `${stem}.chromAlias.txt`);
  if (matching) return join(dir, matching);
  log.warn(
    `${dir} holds several alias files (${found.join(', ')}) and none is named after ${basename(input)}; none copied: copy the right one into the output folder as chromAlias.txt`,
  );
  return undefined;
}
