/**
 * NCBI's assembly report (GCF_000001405.40_GRCh38.p14_assembly_report.txt), which NCBI ships with
 * every assembly: one row per sequence with its assembly name (1), GenBank (CM000663.2), RefSeq
 * (NC_000001.11) and UCSC (chr1) spellings. Read as one more source of aliases, beside chromAlias.
 */
import { join } from 'node:path';
import type { AliasFile, AliasGroup } from './aliases.js';
import { DataError } from '../core/errors.js';
import type { CatalogLog, SequenceRecord } from './sequence-record.js';
import { readTextFile } from './text-file.js';

/** The report's file name, as NCBI's FTP site names it. */
const reportFileName = /_assembly_report\.txt$/;

/** Report columns → the naming authority of their spellings; Sequence-Name is the assembly's own (see assemblyNamespace). */
const authorityOfColumn: Readonly<Record<string, string>> = { 'GenBank-Accn': 'insdc', 'RefSeq-Accn': 'refseq', 'UCSC-style-name': 'ucsc' };

export interface AssemblyReport extends AliasFile {
  /** What the report calls the assembly: GRCh38.p14 and GRCh38 (as SeqRepo and VRS write GRCh38:1); empty when it says nothing. */
  assemblyNames: string[];
  /** Sequence-Length of each group, for checking the report against the files. */
  lengths: number[];
}

/** GRCh38.p14 → GRCh38: patches add sequences but do not change the chromosomes' names or bases. */
function withoutPatch(name: string): string {
  return name.replace(/\.p\d+$/, '');
}

/**
 * Parses a report: `#` lines first (one says `# Assembly name:  GRCh38.p14`, the last names the
 * columns), then tab-separated rows; `na` means none. A row with the wrong number of columns or a
 * Sequence-Length that is not a number is a DataError naming path:line.
 */
export function parseAssemblyReport(text: string, path: string): AssemblyReport {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const bad = (i: number, why: string) =>
    new DataError(
      `${path}:${i + 1}: ${why}; expected NCBI's assembly report (a "# Sequence-Name<TAB>Sequence-Role<TAB>..." header, then one tab-separated row per sequence): fix the line or remove the file`,
    );
  let header: string[] | undefined;
  let assemblyName: string | undefined;
  const groups: AliasGroup[] = [];
  const lengths: number[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const named = /^#\s*Assembly name:\s*(\S+)/.exec(line);
      if (named) assemblyName = named[1];
      if (/^#\s*Sequence-Name\t/.test(line)) header = line.replace(/^#\s*/, '').split('\t');
      return;
    }
    if (!header) throw bad(i, 'a row before the "# Sequence-Name<TAB>..." header');
    const cells = line.split('\t');
    if (cells.length !== header.length) throw bad(i, `${cells.length} columns but the header names ${header.length}`);
    const row = new Map(header.map((h, c) => [h, cells[c]!]));
    const length = row.get('Sequence-Length');
    if (length !== undefined && !/^\d+$/.test(length)) throw bad(i, `Sequence-Length "${length}" is not a number`);
    const group: { name: string; namingAuthority: string; line: number }[] = [];
    const add = (name: string | undefined, namingAuthority: string) => {
      // "na" is the report's "none"; a name with spaces cannot be a FASTA name.
      if (name && name !== 'na' && !/\s/.test(name) && !group.some((s) => s.name === name)) group.push({ name, namingAuthority, line: i + 1 });
    };
    add(row.get('Sequence-Name'), assemblyName ? withoutPatch(assemblyName) : 'assembly');
    for (const [column, authority] of Object.entries(authorityOfColumn)) add(row.get(column), authority);
    groups.push(group);
    lengths.push(length === undefined ? NaN : Number(length));
  });
  if (!header && groups.length === 0) throw bad(0, 'no "# Sequence-Name<TAB>..." header');
  const assemblyNames = assemblyName ? [...new Set([assemblyName, withoutPatch(assemblyName)])] : [];
  return { path, groups, lengths, assemblyNames };
}

/**
 * The folder's assembly report, read and checked against its sequences: a row naming a sequence
 * here with another length means the report is of another assembly (GRCh37's beside GRCh38), which
 * would serve wrong accessions, so it stops the start. Undefined when there is none.
 */
export function readAssemblyReport(dir: string, entries: readonly string[], records: readonly SequenceRecord[], log: CatalogLog): AssemblyReport | undefined {
  const found = entries.filter((e) => reportFileName.test(e));
  if (found.length === 0) return undefined;
  if (found.length > 1) throw new DataError(`${dir} holds several assembly reports (${found.join(', ')}); keep the one of this folder's assembly`);
  const path = join(dir, found[0]!);
  const text = readTextFile(path, 'assembly report', 'without its names');
  const report = parseAssemblyReport(text, path);
  const byName = new Map(records.map((r) => [r.name, r]));
  report.groups.forEach((group, g) => {
    const length = report.lengths[g]!;
    for (const { name, line } of group) {
      const record = byName.get(name);
      if (record && !Number.isNaN(length) && record.length !== length) {
        throw new DataError(
          `${path}:${line}: "${name}" is ${record.length} bases in ${record.file} but ${length} in the report, so the report is of another assembly; put this assembly's report there, or remove it`,
        );
      }
    }
  });
  log.info(`${path}: names of ${report.groups.length} sequences${report.assemblyNames.length ? ` of ${report.assemblyNames[0]}` : ''}`);
  return report;
}
