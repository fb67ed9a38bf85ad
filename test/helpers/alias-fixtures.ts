/**
 * Data folders for the alias tests, written as a user would lay them out: one per naming
 * convention (UCSC names with the per-assembly alias file, Ensembl names with the table dump),
 * one where names and aliases collide, and broken alias files. Nothing here imports server
 * code but the seeded PRNG; the bases are checked against the naive reader.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng, randomBases, wrap } from './fasta-fixtures.js';

const rng = prng(1111);
const bases = (n: number) => randomBases(rng, n, { alphabet: 'iupac', lowercase: true, nRuns: true });

/** UCSC names (chr1, chr11, chrM) in one wrapped FASTA, and hg38.chromAlias.txt (header format). */
export function ucscFolder(root: string): string {
  const dir = join(root, 'ucsc');
  mkdirSync(dir);
  const fasta = [`>chr1 first\n${wrap(bases(700), 60)}`, `>chr11\n${wrap(bases(2600), 50)}`, `>chrM\n${wrap(bases(300), 70)}`].join('');
  writeFileSync(join(dir, 'hg38.fa'), fasta);
  writeFileSync(
    join(dir, 'hg38.chromAlias.txt'),
    [
      '# ucsc\tassembly\tgenbank\trefseq',
      'chr1\t1\tCM000663.2\tNC_000001.11',
      'chr11\t11\tCM000673.2\tNC_000011.10',
      '',
      'chrM\tMT\tJ01415.2\tNC_012920.1',
      // Not in the folder: the file covers the whole assembly.
      'chr2\t2\tCM000664.2\tNC_000002.12',
      'chr3\t3\t\tNC_000003.12',
      '',
    ].join('\n'),
  );
  return dir;
}

/** Ensembl names as raw files (11.raw, MT.raw, X.raw), and chromAlias.txt as UCSC's table dump. */
export function ensemblFolder(root: string): string {
  const dir = join(root, 'ensembl');
  mkdirSync(dir);
  writeFileSync(join(dir, '11.raw'), bases(2500));
  writeFileSync(join(dir, 'MT.raw'), bases(400));
  writeFileSync(join(dir, 'X.raw'), bases(100));
  writeFileSync(
    join(dir, 'chromAlias.txt'),
    [
      '#alias\tchrom\tsource',
      'NC_000011.10\tchr11\trefseq',
      'CM000673.2\tchr11\tgenbank',
      '11\tchr11\tensembl',
      '# a comment in the middle',
      'NC_012920.1\tchrM\trefseq',
      'MT\tchrM\tensembl',
      'NC_000001.11\tchr1\trefseq',
      'nosource\tchrX',
    ].join('\r\n'),
  );
  return dir;
}

/**
 * Real names that are also each other's aliases: chr5 and 5, chrM and MT, all four real. The
 * alias file says chr5 and 5 are one sequence (a real name wins: both stay themselves), gives
 * NC_000005.10 to both (ambiguous) and "scaf" to chr7 and chr8 (ambiguous).
 */
export function clashFolder(root: string): string {
  const dir = join(root, 'clash');
  mkdirSync(dir);
  for (const name of ['chr5', '5', 'chrM', 'MT', 'chr7', 'chr8']) writeFileSync(join(dir, `${name}.raw`), bases(50));
  writeFileSync(join(dir, 'chromAlias.txt'), ['NC_000005.10\tchr5\trefseq', '5\tchr5\tensembl', 'scaf\tchr7', 'scaf\tchr8', 'seven\tchr7'].join('\n'));
  return dir;
}

/** A one-sequence folder (chr1) with the given alias files, for the files that must stop startup. */
export function withAliasFiles(root: string, name: string, aliasFiles: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'g.fa'), `>chr1\n${wrap(bases(100), 60)}`);
  for (const [file, text] of Object.entries(aliasFiles)) writeFileSync(join(dir, file), text);
  return dir;
}
