/**
 * Refget by the names pipelines write (insdc:CM000663.2, refseq:NC_000001.11, GRCh38:1): from an
 * NCBI assembly report and a chromAlias file beside the FASTA, on the real server. Bytes and
 * digests are checked against the naive reader; reports that do not fit stop the start.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parseAssemblyReport } from '../src/data/assembly-report.js';
import { testApp } from './helpers/app.js';
import { removeDir, subDir, tempDir, writeFasta } from './helpers/fasta-fixtures.js';
import { assertProblem } from './helpers/problem.js';

/** An assembly report as NCBI writes it (header comments, CRLF-free, `na` for none), for the sequences given. */
function report(rows: string[][]): string {
  return [
    '# Assembly name:  GRCh38.p14',
    '# Organism name:  Homo sapiens (human)',
    '#',
    '# Sequence-Name\tSequence-Role\tAssigned-Molecule\tAssigned-Molecule-Location/Type\tGenBank-Accn\tRelationship\tRefSeq-Accn\tAssembly-Unit\tSequence-Length\tUCSC-style-name',
    ...rows.map((r) => r.join('\t')),
    '',
  ].join('\n');
}

const row = (name: string, genbank: string, refseq: string, length: number, ucsc: string) => [
  name,
  'assembled-molecule',
  name,
  'Chromosome',
  genbank,
  '=',
  refseq,
  'Primary Assembly',
  String(length),
  ucsc,
];

const md5 = (s: string) => createHash('md5').update(s.toUpperCase()).digest('hex');

describe('refget by names: insdc:, refseq:, ASSEMBLY:NAME', () => {
  let root: string;
  let app: FastifyInstance;
  let hg38: Map<string, string>;
  let hg19: Map<string, string>;

  before(async () => {
    root = tempDir('seqserve-names-');
    const a = subDir(root, 'hg38');
    hg38 = writeFasta(a, 'hg38.fa', {
      seed: 38,
      lineWidth: 61,
      lowercase: true,
      nRuns: true,
      records: [
        { name: 'chr1', length: 3000 },
        { name: 'chr2', length: 1200 },
        { name: 'chrM', length: 500 },
      ],
    }).sequences;
    writeFileSync(
      join(a, 'GCF_000001405.40_GRCh38.p14_assembly_report.txt'),
      report([
        row('1', 'CM000663.2', 'NC_000001.11', 3000, 'chr1'),
        row('2', 'CM000664.2', 'NC_000002.12', 1200, 'chr2'),
        row('3', 'CM000665.2', 'NC_000003.12', 198_295_559, 'chr3'),
        ['HSCHR1_CTG1_UNLOCALIZED', 'unlocalized-scaffold', '1', 'Chromosome', 'KI270706.1', '=', 'NT_187361.1', 'Primary Assembly', '175055', 'na'],
        ['MT', 'assembled-molecule', 'MT', 'Mitochondrion', 'J01415.2', '=', 'NC_012920.1', 'non-nuclear', '500', 'chrM'],
      ]),
    );
    const b = subDir(root, 'hg19');
    hg19 = writeFasta(b, 'hg19.fa', { seed: 19, lineWidth: 60, records: [{ name: 'chr1', length: 2000 }] }).sequences;
    writeFileSync(join(b, 'chromAlias.txt'), '# ucsc\tgenbank\trefseq\nchr1\tCM000663.1\tNC_000001.10\n');
    app = await testApp(root, { digests: true });
    await app.digests.done;
  });
  after(async () => {
    await app?.close();
    removeDir(root);
  });

  const get = (url: string) => app.inject({ method: 'GET', url });

  it('finds a sequence by each of its names: the bytes and digests of the digest lookup', async () => {
    const chr1 = hg38.get('chr1')!;
    const names = [
      'insdc:CM000663.2',
      'genbank:CM000663.2',
      'INSDC:CM000663.2',
      'refseq:NC_000001.11',
      'GRCh38:1',
      'GRCh38.p14:1',
      'GRCh38:chr1',
      'hg38:chr1',
      'hg38:1',
      'ucsc:chr2',
    ];
    for (const id of names) {
      const expected = id === 'ucsc:chr2' ? hg38.get('chr2')! : chr1;
      const whole = await get(`/sequence/${encodeURIComponent(id)}`);
      assert.equal(whole.statusCode, 200, `${id}: ${whole.body.slice(0, 200)}`);
      assert.equal(whole.body, expected.toUpperCase(), id);
      const part = await get(`/sequence/${id}?start=61&end=183`);
      assert.equal(part.body, expected.slice(61, 183).toUpperCase(), `${id} start/end`);
      const { metadata } = (await get(`/sequence/${id}/metadata`)).json<{ metadata: { md5: string; length: number } }>();
      assert.equal(metadata.md5, md5(expected), `${id} metadata`);
      assert.equal(metadata.length, expected.length);
    }
    const hg19chr1 = hg19.get('chr1')!;
    for (const id of ['hg19:chr1', 'hg19:1', 'insdc:CM000663.1', 'refseq:NC_000001.10']) {
      assert.equal((await get(`/sequence/${id}`)).body, hg19chr1.toUpperCase(), id);
    }
    assert.equal((await get('/sequence/insdc:J01415.2')).body, hg38.get('chrM')!.toUpperCase(), 'the mitochondrion by its report row');
  });

  it('lists the aliases with their naming authority, from the report', async () => {
    const { metadata } = (await get(`/sequence/${md5(hg38.get('chr1')!)}/metadata`)).json<{
      metadata: { aliases: { alias: string; naming_authority: string }[] };
    }>();
    const byAlias = new Map(metadata.aliases.map((a) => [a.alias, a.naming_authority]));
    assert.equal(byAlias.get('chr1'), 'ucsc');
    assert.equal(byAlias.get('CM000663.2'), 'insdc');
    assert.equal(byAlias.get('NC_000001.11'), 'refseq');
    assert.equal(byAlias.get('1'), 'GRCh38', 'the assembly names its own sequences');
    const hg19 = (await get('/sequence/hg19:chr1/metadata')).json<{ metadata: { aliases: { alias: string; naming_authority: string }[] } }>();
    assert.ok(
      hg19.metadata.aliases.some((a) => a.alias === 'CM000663.1' && a.naming_authority === 'insdc'),
      `chromAlias's genbank column is insdc: ${JSON.stringify(hg19.metadata.aliases)}`,
    );
  });

  it('a name of different sequences in two assemblies is a 404 that names both', async () => {
    const problem = assertProblem(await get('/sequence/ucsc:chr1'), 404);
    assert.match(problem.detail, /hg19, hg38.*hg19:chr1, hg38:chr1/);
  });

  it('unknown, wrongly qualified and unqualified names are 404s', async () => {
    for (const id of ['insdc:NC_000001.11', 'refseq:CM000663.2', 'GRCh38:3', 'GRCh37:1', 'nobody:chr1', 'chr1', 'insdc:', ':chr1']) {
      assertProblem(await get(`/sequence/${encodeURIComponent(id)}`), 404);
      assertProblem(await get(`/sequence/${encodeURIComponent(id)}/metadata`), 404);
    }
  });

  it('by name the answer follows the data (Cache-Control of the server), by digest it is immutable', async () => {
    const byName = await get('/sequence/insdc:CM000663.2');
    const byDigest = await get(`/sequence/${md5(hg38.get('chr1')!)}`);
    assert.doesNotMatch(String(byName.headers['cache-control']), /immutable/);
    assert.match(String(byDigest.headers['cache-control']), /immutable/);
    assert.equal(byName.headers.etag, byDigest.headers.etag, 'the same bytes, the same tag');
  });

  it('service-info lists the namespaces', async () => {
    const info = (await get('/sequence/service-info')).json<{ refget: { identifier_types: string[] } }>();
    assert.deepEqual(info.refget.identifier_types, ['ensembl', 'insdc', 'refseq', 'ucsc', 'GRCh38', 'GRCh38.p14', 'hg19', 'hg38']);
  });

  it('the report names also work for the other routes (aliases of the assembly)', async () => {
    const res = await get('/assemblies/hg38/chrom/NC_000001.11/range?start=5&end=70');
    assert.equal(res.body, hg38.get('chr1')!.slice(5, 70));
  });
});

describe('assembly reports that stop the start', () => {
  let root: string;
  before(() => (root = tempDir('seqserve-bad-report-')));
  after(() => removeDir(root));

  const refused = async (name: string, text: string, message: RegExp) => {
    const dir = subDir(root, name);
    writeFasta(dir, 'g.fa', { seed: 1, lineWidth: 60, records: [{ name: 'chr1', length: 100 }] });
    const path = join(dir, 'GCA_1_x_assembly_report.txt');
    writeFileSync(path, text);
    await assert.rejects(testApp(dir), (e: Error) => {
      assert.equal(e.name, 'DataError', `${e.name}: ${e.message}`);
      assert.ok(e.message.startsWith(`${path}:`), e.message);
      assert.match(e.message, message);
      return true;
    });
  };

  it('a row with too few columns, named by file:line', async () => {
    await refused(
      'columns',
      report([row('1', 'CM000663.2', 'NC_000001.11', 100, 'chr1'), ['2', 'assembled-molecule']]),
      /:6: 2 columns but the header names 10/,
    );
  });

  it('a Sequence-Length that is not a number', async () => {
    await refused('length', report([row('1', 'CM000663.2', 'NC_000001.11', 100, 'chr1')]).replace('\t100\t', '\tabc\t'), /:5: Sequence-Length "abc"/);
  });

  it('a report of another assembly: the lengths differ', async () => {
    await refused('other', report([row('1', 'CM000663.1', 'NC_000001.10', 249_250_621, 'chr1')]), /:5: "chr1" is 100 bases .* but 249250621 in the report/);
  });

  it('rows before the header', async () => {
    await refused('header', 'chr1\t1\n', /:1: a row before the "# Sequence-Name/);
  });

  it('parses what it is given: na is none, CRLF lines, the assembly names', () => {
    const parsed = parseAssemblyReport(report([row('1', 'CM000663.2', 'na', 10, 'na')]).replaceAll('\n', '\r\n'), 'r.txt');
    assert.deepEqual(parsed.assemblyNames, ['GRCh38.p14', 'GRCh38']);
    assert.deepEqual(
      parsed.groups.map((g) => g.map((s) => `${s.name}/${s.namingAuthority}/${s.line}`)),
      [['1/GRCh38/5', 'CM000663.2/insdc/5']],
    );
    assert.deepEqual(parsed.lengths, [10]);
  });
});
