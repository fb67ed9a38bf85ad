import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildAliases, builtinAliases, namingAuthority, parseChromAlias } from '../src/data/aliases.js';
import { loadCatalog } from '../src/data/catalog.js';
import { clashFolder, ensemblFolder, ucscFolder, withAliasFiles } from './helpers/alias-fixtures.js';
import { testApp } from './helpers/app.js';
import { removeDir, tempDir } from './helpers/fasta-fixtures.js';
import { readFasta, readRaw, reverseComplement } from './helpers/naive-fasta.js';
import type { Problem } from './helpers/problem.js';

/** A /chrom/NAME answer, as far as these tests read it. */
interface Chrom {
  name: string;
  aliases: string[];
  file: string;
}

function capture() {
  const lines = { info: [] as string[], warn: [] as string[] };
  return { lines, log: { info: (m: string) => void lines.info.push(m), warn: (m: string) => void lines.warn.push(m) } };
}

describe('alias rules (pure)', () => {
  it('adds or strips chr, and spells the mitochondrion four ways', () => {
    assert.deepEqual(builtinAliases('chr11'), [{ alias: '11', namingAuthority: 'ensembl' }], 'chr11 → 11');
    assert.deepEqual(builtinAliases('11'), [{ alias: 'chr11', namingAuthority: 'ucsc' }], '11 → chr11');
    assert.deepEqual(
      builtinAliases('chr').map((a) => a.alias),
      [],
      'no empty alias for "chr"',
    );
    assert.deepEqual(
      builtinAliases('').map((a) => a.alias),
      [],
      'no alias for the empty name',
    );
    assert.deepEqual(
      builtinAliases('chrM')
        .map((a) => a.alias)
        .sort(),
      ['M', 'MT', 'chrMT'],
      'chrM',
    );
    assert.deepEqual(
      builtinAliases('MT')
        .map((a) => a.alias)
        .sort(),
      ['M', 'chrM', 'chrMT'],
      'MT',
    );
  });

  it('guesses naming authorities from the shape of a name', () => {
    const cases: [string, string][] = [
      ['NC_000011.10', 'refseq'],
      ['NT_187362.1', 'refseq'],
      ['NW_003315905.1', 'refseq'],
      ['CM000663.2', 'insdc'],
      ['KI270728.1', 'insdc'],
      ['J01415.2', 'insdc'],
      ['chr11', 'ucsc'],
      ['chrUn_KI270302v1', 'ucsc'],
      ['11', 'ensembl'],
      ['MT', 'ensembl'],
      ['HSCHR1_CTG1', 'ensembl'],
    ];
    for (const [name, authority] of cases) assert.equal(namingAuthority(name), authority, name);
  });

  it('parses both chromAlias.txt formats, skipping blanks and comments', () => {
    const columns = parseChromAlias('# ucsc\tgenbank\trefseq\n\nchr1\tCM000663.2\tNC_000001.11\n# note\nchrM\t\tNC_012920.1\r\n', 'a.txt');
    assert.deepEqual(
      columns.map((g) => g.map((s) => `${s.name}/${s.namingAuthority}/${s.line}`)),
      [
        ['chr1/ucsc/3', 'CM000663.2/genbank/3', 'NC_000001.11/refseq/3'],
        ['chrM/ucsc/5', 'NC_012920.1/refseq/5'],
      ],
      'header format',
    );
    const dump = parseChromAlias('1\tchr1\tensembl\nNC_000001.11\tchr1\tRefSeq\nCM000663.2\tchr1\n', 'b.txt');
    assert.deepEqual(
      dump.map((g) => g.map((s) => `${s.name}/${s.namingAuthority}/${s.line}`)),
      [['chr1/ucsc/1', '1/ensembl/1', 'NC_000001.11/refseq/2', 'CM000663.2/insdc/3']],
      'table dump, rows grouped by chrom; no source = guessed',
    );
  });

  it('refuses malformed lines with file:line', () => {
    const cases: [string, RegExp][] = [
      ['1\tchr1\n2\n', /x\.txt:2: 1 column/],
      ['1\tchr1\tensembl\textra\n', /x\.txt:1: 4 column/],
      ['\tchr1\n', /x\.txt:1: empty alias/],
      ['1 chr1\n', /x\.txt:1: names may not contain spaces/],
      ['# ucsc\trefseq\nchr1\tNC_1\textra\n', /x\.txt:2: 3 columns but the header names 2/],
    ];
    for (const [text, message] of cases) assert.throws(() => parseChromAlias(text, 'x.txt'), message, JSON.stringify(text));
  });

  it('lets real names win, drops ambiguous aliases, and summarises rows for absent sequences', () => {
    const { lines, log } = capture();
    const groups = parseChromAlias('# ucsc\tensembl\trefseq\nchr1\t1\tNC_1\nchr2\t2\tNC_2\nchr9\t9\tNC_9\nchr3\tthree\tNC_3\nchr4\tthree\n', 'f.txt');
    const table = buildAliases(['chr1', '2', 'chr2', 'chr3', 'chr4', 'MT', 'chrM'], [{ path: 'f.txt', groups }], log);
    assert.equal(table.canonical.get('1'), 'chr1', 'file alias');
    assert.equal(table.canonical.get('NC_1'), 'chr1', 'file alias');
    assert.equal(table.canonical.has('2'), false, 'a real name is never an alias');
    assert.equal(table.canonical.has('NC_2'), false, 'claimed by 2 and chr2: dropped');
    assert.equal(table.canonical.has('three'), false, 'claimed by chr3 and chr4: dropped');
    assert.equal(table.canonical.has('chrMT'), false, 'built-in claim of both chrM and MT: dropped');
    assert.equal(table.canonical.get('4'), 'chr4', 'built-in alias');
    assert.ok(
      lines.warn.some((w) => /f\.txt:3/.test(w) && /"chr2" and "2"/.test(w)),
      `warns about chr2/2: ${lines.warn.join(' | ')}`,
    );
    assert.ok(
      lines.warn.some((w) => /"NC_2"/.test(w) && /"chr2"/.test(w) && /"2"/.test(w)),
      `warns about NC_2: ${lines.warn.join(' | ')}`,
    );
    assert.ok(
      lines.warn.some((w) => /"three"/.test(w) && /f\.txt:5/.test(w) && /"chr3"/.test(w) && /"chr4"/.test(w)),
      `warns about three: ${lines.warn.join(' | ')}`,
    );
    assert.ok(!lines.warn.some((w) => /chrMT|"M"/.test(w)), `built-in clashes are silent: ${lines.warn.join(' | ')}`);
    assert.deepEqual(lines.info, ['f.txt: 1 of 5 sequences it lists are not in this folder; their aliases are ignored'], 'one summary line');
    assert.deepEqual(
      table.aliasesOf.get('chr1'),
      [
        { alias: '1', namingAuthority: 'ensembl' },
        { alias: 'NC_1', namingAuthority: 'refseq' },
      ],
      'chr1 aliases',
    );
  });
});

describe('aliases over HTTP', () => {
  let root: string;
  let ucsc: { app: FastifyInstance; seqs: Map<string, string> };
  let ensembl: { app: FastifyInstance; seqs: Map<string, string> };
  let clash: FastifyInstance;
  before(async () => {
    root = tempDir('seqserve-aliases-');
    const u = ucscFolder(root);
    ucsc = { app: await testApp(u), seqs: readFasta(join(u, 'hg38.fa')) };
    const e = ensemblFolder(root);
    ensembl = { app: await testApp(e), seqs: new Map(['11', 'MT', 'X'].map((n) => [n, readRaw(join(e, `${n}.raw`))])) };
    clash = await testApp(clashFolder(root));
  });
  after(async () => {
    await ucsc?.app.close();
    await ensembl?.app.close();
    await clash?.close();
    removeDir(root);
  });
  const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url });

  it('lists each sequence once, with its aliases', async () => {
    const res = await get(ucsc.app, '/chrom');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      res.json(),
      [
        { name: 'chr1', length: 700, aliases: ['1', 'CM000663.2', 'NC_000001.11'] },
        { name: 'chr11', length: 2600, aliases: ['11', 'CM000673.2', 'NC_000011.10'] },
        { name: 'chrM', length: 300, aliases: ['MT', 'J01415.2', 'NC_012920.1', 'M', 'chrMT'] },
      ],
      '/chrom, UCSC names',
    );
    assert.deepEqual(
      (await get(ensembl.app, '/chrom')).json(),
      [
        { name: '11', length: 2500, aliases: ['chr11', 'NC_000011.10', 'CM000673.2'] },
        { name: 'MT', length: 400, aliases: ['chrM', 'NC_012920.1', 'chrMT', 'M'] },
        { name: 'X', length: 100, aliases: ['chrX', 'nosource'] },
      ],
      '/chrom, Ensembl names',
    );
  });

  it('answers /chrom/:name by alias with the canonical record', async () => {
    for (const alias of ['chr11', '11', 'NC_000011.10', 'CM000673.2']) {
      const res = await get(ucsc.app, `/chrom/${alias}`);
      assert.equal(res.statusCode, 200, `${alias}: ${res.body}`);
      assert.equal(res.json<Chrom>().name, 'chr11', alias);
      assert.deepEqual(res.json<Chrom>().aliases, ['11', 'CM000673.2', 'NC_000011.10'], alias);
      assert.equal(res.json<Chrom>().file, 'hg38.fa', alias);
    }
    for (const alias of ['chrM', 'MT', 'chrMT', 'M', 'NC_012920.1']) {
      assert.equal((await get(ucsc.app, `/chrom/${alias}`)).json<Chrom>().name, 'chrM', `${alias} on UCSC names`);
      assert.equal((await get(ensembl.app, `/chrom/${alias}`)).json<Chrom>().name, 'MT', `${alias} on Ensembl names`);
    }
    assert.equal((await get(ensembl.app, '/chrom/chr11')).json<Chrom>().name, '11', 'chr11 on Ensembl names');
  });

  it('serves the same bytes by alias as the naive reader reads', async () => {
    const cases: [{ app: FastifyInstance; seqs: Map<string, string> }, string, string][] = [
      [ucsc, 'chr11', '11'],
      [ucsc, 'chr11', 'NC_000011.10'],
      [ucsc, 'chr1', 'CM000663.2'],
      [ucsc, 'chrM', 'MT'],
      [ensembl, '11', 'chr11'],
      [ensembl, '11', 'NC_000011.10'],
      [ensembl, 'MT', 'chrM'],
      [ensembl, 'X', 'chrX'],
    ];
    for (const [{ app, seqs }, name, alias] of cases) {
      const seq = seqs.get(name)!;
      assert.ok(seq !== undefined && seq.length > 60, `fixture ${name}`);
      for (const i of [0, 49, 50, 61, seq.length - 1]) {
        assert.equal((await get(app, `/chrom/${alias}/base/${i}`)).body, seq[i], `${alias} base ${i}`);
      }
      assert.equal((await get(app, `/chrom/${alias}/range`)).body, seq, `${alias} whole`);
      assert.equal((await get(app, `/chrom/${alias}/range?start=13&end=57`)).body, seq.slice(13, 57), `${alias} range`);
      assert.equal((await get(app, `/chrom/${alias}/range?start=3&end=40&strand=-`)).body, reverseComplement(seq.slice(3, 40)), `${alias} minus`);
      assert.equal((await get(app, `/region/${alias}:11-60`)).body, seq.slice(10, 60), `${alias} region`);
      assert.equal((await get(app, `/region/${alias}`)).body, seq, `${alias} whole region`);
    }
    assert.equal((await get(ucsc.app, '/region/11:1,000-2,000')).body, ucsc.seqs.get('chr11')!.slice(999, 2000), '11:1,000-2,000');
    assert.equal((await get(ensembl.app, '/region/chr11:1,000-2,000')).body, ensembl.seqs.get('11')!.slice(999, 2000), 'chr11:1,000-2,000');
    assert.equal((await get(ensembl.app, `/region/${encodeURIComponent('{NC_000011.10}:5-9')}`)).body, ensembl.seqs.get('11')!.slice(4, 9), 'quoted alias');
  });

  it('keeps real names over aliases and refuses ambiguous aliases', async () => {
    const name = async (n: string) => {
      const res = await get(clash, `/chrom/${n}`);
      return res.statusCode === 200 ? res.json<Chrom>().name : res.statusCode;
    };
    assert.equal(await name('5'), '5', '5 is real');
    assert.equal(await name('chr5'), 'chr5', 'chr5 is real');
    assert.equal(await name('MT'), 'MT', 'MT is real');
    assert.equal(await name('chrM'), 'chrM', 'chrM is real');
    assert.equal(await name('chrMT'), 404, 'chrMT is both chrM and MT');
    assert.equal(await name('M'), 404, 'M is both chrM and MT');
    assert.equal(await name('NC_000005.10'), 404, 'NC_000005.10 is both 5 and chr5');
    assert.equal(await name('scaf'), 404, 'scaf is both chr7 and chr8');
    assert.equal(await name('seven'), 'chr7', 'seven is chr7');
    assert.equal(await name('7'), 'chr7', '7 is chr7');
  });

  it('still answers an unknown name with 404 problem+json', async () => {
    for (const url of ['/chrom/chr99', '/chrom/chr99/base/0', '/chrom/NC_000002.12/range', '/region/chr2:1-10', '/chrom/chrchr11']) {
      const res = await get(ucsc.app, url);
      assert.equal(res.statusCode, 404, `${url}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, url);
      assert.equal(res.json<Problem>().status, 404, url);
    }
  });

  it('reports alias-file warnings and the summary line through the catalog log', () => {
    const { lines, log } = capture();
    loadCatalog(join(root, 'clash'), log);
    assert.ok(
      lines.warn.some((w) => /"scaf"/.test(w) && /chromAlias\.txt:3/.test(w) && /chromAlias\.txt:4/.test(w)),
      `scaf warning: ${lines.warn.join(' | ')}`,
    );
    assert.ok(
      lines.warn.some((w) => /"chr5" and "5"/.test(w)),
      `chr5/5 warning: ${lines.warn.join(' | ')}`,
    );
    const e = capture();
    loadCatalog(join(root, 'ensembl'), e.log);
    assert.deepEqual(e.lines.warn, [], 'no warnings for a clean alias file');
    assert.equal(e.lines.info.filter((m) => /not in this folder/.test(m)).length, 1, `one summary line: ${e.lines.info.join(' | ')}`);
  });
});

describe('alias files that stop startup', () => {
  let root: string;
  before(() => {
    root = tempDir('seqserve-bad-aliases-');
  });
  after(() => removeDir(root));

  const refused = async (dir: string, message: RegExp) => {
    await assert.rejects(
      testApp(dir),
      (e: Error) => {
        assert.equal(e.name, 'DataError', `${e.name}: ${e.message}`);
        assert.match(e.message, message, 'message');
        return true;
      },
      dir,
    );
  };

  it('a malformed line, named by file:line', async () => {
    const dir = withAliasFiles(root, 'bad-line', { 'chromAlias.txt': '1\tchr1\tensembl\n\nchr2only\n' });
    await refused(dir, new RegExp(`${join(dir, 'chromAlias.txt').replace(/[.]/g, '\\.')}:3: 1 column`));
  });

  it('several downloaded alias files, unless one is chromAlias.txt', async () => {
    const files = { 'hg38.chromAlias.txt': '1\tchr1\n', 'hg19.chromAlias.txt': '1\tchr1\n' };
    await refused(withAliasFiles(root, 'several', files), /several alias files \(hg19\.chromAlias\.txt, hg38\.chromAlias\.txt\)/);
    const app = await testApp(withAliasFiles(root, 'chosen', { ...files, 'chromAlias.txt': 'one\tchr1\n' }));
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/chrom/one' })).statusCode, 200, 'chromAlias.txt is used');
      assert.equal((await app.inject({ method: 'GET', url: '/chrom/1' })).statusCode, 200, 'built-in alias still there');
    } finally {
      await app.close();
    }
  });

  it('an unreadable alias file, named with the fix', async () => {
    const dir = withAliasFiles(root, 'unreadable', {});
    mkdirSync(join(dir, 'chromAlias.txt'));
    await refused(dir, /cannot read alias file .*chromAlias\.txt .*remove it/);
  });
});
