/**
 * Names as pipelines write them, NAMESPACE:NAME (insdc:CM000663.2, refseq:NC_000001.11, GRCh38:1,
 * as SeqRepo and the VRS tools do), resolved to a served sequence for refget beside its digests.
 * A namespace is an assembly (its folder name, or what its assembly report calls it) or a naming
 * authority of the aliases (insdc, refseq, ucsc, ensembl...).
 */
import type { Assemblies, Assembly } from '../data/assemblies.js';
import { namingAuthority } from '../data/aliases.js';
import type { DigestIndex } from './digest-index.js';
import type { RefgetItem } from './refget-item.js';

/** What a name found: one sequence, or several different ones (chr1 of hg19 and of hg38) to choose between by assembly. */
type NameLookup = { kind: 'found'; item: RefgetItem } | { kind: 'ambiguous'; assemblies: string[] };

/** GenBank, ENA and DDBJ are the three members of INSDC and share its accessions. */
const insdcMembers = new Set(['genbank', 'ena', 'ddbj']);

/** Who names a sequence as refget metadata says it: INSDC's members (genbank in UCSC's files) as insdc, others as written. */
export function authorityName(authority: string): string {
  return insdcMembers.has(authority.toLowerCase()) ? 'insdc' : authority;
}

/** The same, lower case, for matching a namespace typed in any case. */
function normalAuthority(authority: string): string {
  return authorityName(authority).toLowerCase();
}

export class QualifiedNames {
  /** Assembly names and report names → the assembly; a report name two assemblies claim is left out. */
  private readonly namespaces = new Map<string, Assembly>();
  private types: string[] | undefined;

  constructor(
    private readonly assemblies: Assemblies,
    private readonly digests: DigestIndex<RefgetItem>,
  ) {
    const claimed = new Map<string, Assembly[]>();
    for (const a of assemblies.list) for (const n of a.catalog.assemblyNames) claimed.set(n, [...(claimed.get(n) ?? []), a]);
    for (const [name, list] of claimed) if (list.length === 1) this.namespaces.set(name, list[0]!);
    // A folder's own name wins over what any report says.
    for (const a of assemblies.list) this.namespaces.set(a.name, a);
  }

  /** NAMESPACE:NAME → the sequence; undefined when the id has no namespace or names nothing served. */
  find(id: string): NameLookup | undefined {
    const colon = id.indexOf(':');
    if (colon <= 0 || colon === id.length - 1) return undefined;
    const namespace = id.slice(0, colon);
    const name = id.slice(colon + 1);
    const assembly = this.namespaces.get(namespace);
    if (assembly) return this.itemIn(assembly, name);
    const authority = normalAuthority(namespace);
    const found: { kind: 'found'; item: RefgetItem }[] = [];
    for (const a of this.assemblies.list) {
      const candidate = this.itemIn(a, name);
      if (candidate && authorityOf(a, candidate.item.record.name, name) === authority) found.push(candidate);
    }
    if (found.length === 0) return undefined;
    // The same sequence in several assemblies (a genome and its patch release) is one answer.
    const distinct = new Set(found.map((f) => this.digests.digestsOf(f.item)?.md5 ?? `${f.item.assembly.name}\0${f.item.record.name}`));
    return distinct.size === 1 ? found[0] : { kind: 'ambiguous', assemblies: found.map((f) => f.item.assembly.name) };
  }

  /** The namespaces a name may be given in, for refget's service-info: the authorities of every name served, and the assemblies. */
  get identifierTypes(): string[] {
    if (this.types) return this.types;
    const types = new Set<string>();
    for (const a of this.assemblies.list) {
      for (const r of a.catalog.records) {
        types.add(normalAuthority(namingAuthority(r.name)));
        for (const alias of a.catalog.aliasesOf(r.name)) types.add(normalAuthority(alias.namingAuthority));
      }
    }
    // An assembly's report names its own spellings after it (GRCh38): listed once, as the assembly.
    const assemblies = [...this.namespaces.keys()].sort();
    const lower = new Set(assemblies.map((n) => n.toLowerCase()));
    this.types = [...[...types].filter((t) => !lower.has(t)).sort(), ...assemblies];
    return this.types;
  }

  private itemIn(assembly: Assembly, name: string): { kind: 'found'; item: RefgetItem } | undefined {
    const sequence = assembly.store.get(name);
    return sequence ? { kind: 'found', item: { record: sequence.record, sequence, assembly } } : undefined;
  }
}

/** Who names `record` by `spelling` in this assembly: the alias files' word, or a guess for the sequence's own name. */
function authorityOf(assembly: Assembly, record: string, spelling: string): string {
  if (spelling === record) return normalAuthority(namingAuthority(record));
  const alias = assembly.catalog.aliasesOf(record).find((a) => a.alias === spelling);
  return alias ? normalAuthority(alias.namingAuthority) : '';
}
