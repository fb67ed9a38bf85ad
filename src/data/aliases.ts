/** Other names of sequences: UCSC chromAlias files, the built-in chr1 ↔ 1 rule, and who uses each spelling. */
import { DataError } from '../core/errors.js';

/** Another name of a sequence, and who uses that spelling (ucsc, ensembl, refseq, genbank, insdc...). */
export interface Alias {
  alias: string;
  namingAuthority: string;
}

/** One spelling read from an alias file, with the line it came from (for warnings). */
interface AliasSpelling {
  name: string;
  namingAuthority: string;
  line: number;
}

/** Every spelling an alias file gives for one sequence. */
export type AliasGroup = readonly AliasSpelling[];

export interface AliasFile {
  path: string;
  groups: readonly AliasGroup[];
}

export interface AliasLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/** What the catalog and the store need: alias → canonical name, and each name's aliases. */
export interface AliasTable {
  canonical: ReadonlyMap<string, string>;
  aliasesOf: ReadonlyMap<string, readonly Alias[]>;
}

/**
 * A guess at who uses a spelling, for names no file vouches for. Grounded in the shapes of
 * the identifiers: RefSeq accessions are two letters and an underscore (NC_ chromosomes,
 * NT_/NW_ contigs and scaffolds, NG_ and NZ_); INSDC (GenBank/ENA/DDBJ) accessions are one or
 * two letters and 5+ digits with a version (CM000663.2, KI270728.1; WGS prefixes of four or
 * more letters are not sequence names in assemblies); `chr` is UCSC's prefix; anything else
 * (1, X, MT, Un_...) is taken for Ensembl's, which uses bare names.
 */
export function namingAuthority(name: string): string {
  if (/^N[CTWGZ]_\d+(\.\d+)?$/.test(name)) return 'refseq';
  if (/^[A-Z]{1,2}\d{5,}(\.\d+)?$/.test(name)) return 'insdc';
  if (name.startsWith('chr')) return 'ucsc';
  return 'ensembl';
}

/** Every spelling of the mitochondrial genome in use: UCSC chrM, Ensembl/GRC MT, and the rarer chrMT and M. */
const mitochondrion = ['chrM', 'MT', 'chrMT', 'M'];

/**
 * The aliases every sequence gets without an alias file: chr1 ↔ 1 (UCSC ↔ Ensembl), and the
 * mitochondrion under all four spellings (chrM, MT, chrMT, M), since the plain chr rule
 * alone would give chrM → M and MT → chrMT, which nobody types for the other convention.
 */
export function builtinAliases(name: string): Alias[] {
  const out: Alias[] = [];
  if (name.startsWith('chr')) {
    if (name.length > 3) out.push({ alias: name.slice(3), namingAuthority: 'ensembl' });
  } else if (name.length > 0) {
    out.push({ alias: `chr${name}`, namingAuthority: 'ucsc' });
  }
  if (mitochondrion.includes(name)) {
    for (const m of mitochondrion) {
      if (m !== name && !out.some((a) => a.alias === m)) out.push({ alias: m, namingAuthority: m.startsWith('chr') ? 'ucsc' : 'ensembl' });
    }
  }
  return out;
}

/** The two header spellings of the table-dump format (`#alias chrom source`), as the Table Browser writes it. */
const dumpHeader = /^#\s*alias\tchrom(\tsource)?$/;

/**
 * Parses a UCSC chromAlias.txt in either format UCSC distributes:
 * - the database table dump, `alias<TAB>chrom[<TAB>source]` rows (all rows naming one chrom
 *   are one sequence's spellings; the chrom is UCSC's);
 * - the per-assembly file (hg38.chromAlias.txt), a `# ucsc<TAB>assembly<TAB>genbank...`
 *   header naming the authority of each column, then one row per sequence (empty cells allowed).
 * Blank lines and other `#` lines are skipped; anything else malformed is a DataError naming
 * path:line, since a half-read alias file would silently serve fewer names.
 */
export function parseChromAlias(text: string, path: string): AliasGroup[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const bad = (i: number, why: string) =>
    new DataError(
      `${path}:${i + 1}: ${why}; expected UCSC chromAlias.txt (alias<TAB>chrom<TAB>source rows, or a "# ucsc<TAB>genbank..." header and one tab-separated row per sequence): fix the line or remove the file`,
    );

  const first = lines.findIndex((l) => l.trim() !== '');
  const header = first >= 0 && lines[first]!.startsWith('#') && !dumpHeader.test(lines[first]!) ? lines[first]!.slice(1).trim().split('\t') : undefined;
  const columnar = header !== undefined && header.length >= 2 && header.every((h) => /^\S+$/.test(h));

  const dump = new Map<string, AliasSpelling[]>();
  const rows: AliasGroup[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const fields = line.split('\t');
    if (fields.some((f) => /\s/.test(f))) throw bad(i, 'names may not contain spaces (columns are separated by tabs)');
    if (columnar) {
      if (fields.length > header.length) throw bad(i, `${fields.length} columns but the header names ${header.length}`);
      const group: AliasSpelling[] = [];
      fields.forEach((name, c) => {
        if (name !== '' && !group.some((s) => s.name === name)) group.push({ name, namingAuthority: header[c]!.toLowerCase(), line: i + 1 });
      });
      rows.push(group);
      return;
    }
    if (fields.length < 2 || fields.length > 3) throw bad(i, `${fields.length} column(s), expected alias<TAB>chrom or alias<TAB>chrom<TAB>source`);
    const [alias, chrom, source] = fields as [string, string, string | undefined];
    if (alias === '' || chrom === '') throw bad(i, 'empty alias or chrom');
    let group = dump.get(chrom);
    if (!group) dump.set(chrom, (group = [{ name: chrom, namingAuthority: 'ucsc', line: i + 1 }]));
    if (!group.some((s) => s.name === alias)) group.push({ name: alias, namingAuthority: source ? source.toLowerCase() : namingAuthority(alias), line: i + 1 });
  });
  return columnar ? rows : [...dump.values()];
}

interface Claim {
  target: string;
  namingAuthority: string;
  /** path:line, or undefined for the built-in rule. */
  where: string | undefined;
}

/**
 * Resolves every claimed alias to one sequence. Precedence, strongest first: a real sequence
 * name (never shadowed; a file saying otherwise is warned about), an alias-file spelling, the
 * built-in rule. An alias two sequences claim is dropped (warned about when the file made the
 * claim: the user must pick a name; silently for the built-in rule, e.g. chrMT when both chrM
 * and MT exist). File rows naming no sequence here are expected (the file covers the whole
 * assembly, the folder may hold part of it): one summary line.
 */
export function buildAliases(names: readonly string[], files: readonly AliasFile[], log: AliasLog): AliasTable {
  const real = new Set(names);
  const claims = new Map<string, Claim>();
  const ambiguous = new Set<string>();
  const claim = (alias: string, c: Claim) => {
    if (real.has(alias) || ambiguous.has(alias)) return;
    const prior = claims.get(alias);
    if (!prior) return void claims.set(alias, c);
    if (prior.target === c.target || (prior.where !== undefined && c.where === undefined)) return;
    claims.delete(alias);
    ambiguous.add(alias);
    if (c.where !== undefined) {
      log.warn(`alias "${alias}" (${prior.where}, ${c.where}) names both "${prior.target}" and "${c.target}"; it is not served: use the sequence name`);
    }
  };

  const builtin = names.map((name) => ({ name, aliases: builtinAliases(name) }));
  // A row with no real name may still be one by the chr rule (the folder has X, the row says chrX).
  const byBuiltin = new Map<string, Set<string>>();
  if (files.length > 0) for (const b of builtin) for (const a of b.aliases) byBuiltin.set(a.alias, (byBuiltin.get(a.alias) ?? new Set()).add(b.name));
  for (const file of files) {
    let unmatched = 0;
    for (const group of file.groups) {
      let targets = group.filter((s) => real.has(s.name)).map((s) => s.name);
      if (targets.length > 1) {
        log.warn(
          `${file.path}:${group[0]!.line}: ${targets.map((t) => `"${t}"`).join(' and ')} are spellings of one sequence there, but separate sequences here; each answers to its own name only`,
        );
      }
      if (targets.length === 0) targets = [...new Set(group.flatMap((s) => [...(byBuiltin.get(s.name) ?? [])]))];
      if (targets.length === 0) unmatched++;
      for (const t of targets) {
        for (const s of group) if (s.name !== t) claim(s.name, { target: t, namingAuthority: s.namingAuthority, where: `${file.path}:${s.line}` });
      }
    }
    if (unmatched > 0) log.info(`${file.path}: ${unmatched} of ${file.groups.length} sequences it lists are not in this folder; their aliases are ignored`);
  }
  for (const { name, aliases } of builtin) {
    for (const a of aliases) claim(a.alias, { target: name, namingAuthority: a.namingAuthority, where: undefined });
  }

  const canonical = new Map<string, string>();
  const aliasesOf = new Map<string, Alias[]>(names.map((n) => [n, []]));
  for (const [alias, c] of claims) {
    canonical.set(alias, c.target);
    aliasesOf.get(c.target)!.push({ alias, namingAuthority: c.namingAuthority });
  }
  return { canonical, aliasesOf };
}
