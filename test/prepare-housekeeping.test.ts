/**
 * What seqserve prepare does besides writing the sequences: copies the alias file beside the
 * input (and the app serves the aliases), warns about skipped records and about leftovers of an
 * interrupted run, and runs from the CLI.
 *
 * Run alone: node --import tsx --test test/prepare-housekeeping.test.ts
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { prepareCommand } from '../src/prepare/prepare.js';
import { testApp } from './helpers/app.js';
import { removeDir, subDir, tempDir } from './helpers/fasta-fixtures.js';
import { readFasta } from './helpers/naive-fasta.js';
import { simpleFasta } from './helpers/prepare-fixtures.js';
import { ask } from './helpers/queries.js';
import { recordingLog, silent } from './helpers/recording-log.js';

const root = tempDir('seqserve-prepare-housekeeping-');
after(() => removeDir(root));

describe('prepare: alias file, warnings, leftovers, CLI', () => {
  test('an alias file beside the input is copied; the app serves the aliases', async () => {
    const dir = subDir(root, 'alias');
    const inDir = subDir(dir, 'in');
    const fixture = simpleFasta(
      inDir,
      [
        { name: 'chr1', length: 500 },
        { name: 'chrM', length: 70 },
      ],
      'hg.fa',
    );
    const input = join(inDir, 'hg.fa.gz');
    writeFileSync(input, gzipSync(readFileSync(fixture.path)));
    writeFileSync(join(inDir, 'hg.chromAlias.txt'), '# ucsc\tensembl\nchr1\tone\nchrM\tmito\n');
    const out = join(dir, 'out');
    const summary = await prepareCommand(input, out, { log: silent });
    assert.equal(summary.aliasFile, join(out, 'hg.chromAlias.txt'), 'summary.aliasFile');
    assert.equal(readFileSync(join(out, 'hg.chromAlias.txt'), 'latin1'), readFileSync(join(inDir, 'hg.chromAlias.txt'), 'latin1'), 'copied byte for byte');
    const app = await testApp(out);
    try {
      const res = await ask(app, '/chrom/mito/range?start=0&end=70');
      assert.equal(res.statusCode, 200, 'the alias resolves');
      assert.equal(res.body, readFasta(fixture.path).get('chrM'), 'chrM through its alias');
    } finally {
      await app.close();
    }
    // Not overwritten without force either.
    const out2 = subDir(dir, 'out2');
    copyFileSync(join(inDir, 'hg.chromAlias.txt'), join(out2, 'hg.chromAlias.txt'));
    await assert.rejects(prepareCommand(input, out2, { log: silent }), /hg\.chromAlias\.txt already exists/, 'the alias file is not overwritten');
  });

  test('empty and repeated records are reported with warnings', async () => {
    const dir = subDir(root, 'warnings');
    const fixture = simpleFasta(subDir(dir, 'in'), [
      { name: 'a', length: 10 },
      { name: 'e', length: 0 },
      { name: 'a', length: 5 },
      { name: 'b', length: 3 },
    ]);
    const l = recordingLog();
    const summary = await prepareCommand(fixture.path, join(dir, 'out'), { log: l });
    assert.deepEqual(summary.skippedEmpty, ['e'], 'summary.skippedEmpty');
    assert.deepEqual(summary.skippedDuplicates, ['a'], 'summary.skippedDuplicates');
    assert.ok(
      l.warns.some((m) => /line 3: skipping sequence "e": it has no bases/.test(m)),
      `a warning for the empty record: ${l.warns.join(' | ')}`,
    );
    assert.ok(
      l.warns.some((m) => /line 4: skipping repeated sequence "a"; the first one is kept/.test(m)),
      `a warning for the repeat: ${l.warns.join(' | ')}`,
    );
    assert.ok(statSync(join(dir, 'out', 'a.raw')).size === 10, 'the first "a" is kept');
  });

  test('the CLI runs it: seqserve prepare INPUT OUTDIR, listed in --help', async () => {
    const dir = subDir(root, 'cli');
    const fixture = simpleFasta(subDir(dir, 'in'), [
      { name: 'c1', length: 70 },
      { name: 'c2', length: 5 },
    ]);
    const cli = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
    const help = execFileSync(process.execPath, ['--import', 'tsx', cli, '--help'], { encoding: 'utf8' });
    assert.match(help, /seqserve prepare INPUT OUTDIR \[--force\]/, 'synopsis in --help');
    const out = execFileSync(process.execPath, ['--import', 'tsx', cli, 'prepare', fixture.path, join(dir, 'out')], { encoding: 'utf8' });
    assert.match(out, /2 sequences/, `summary line: ${out}`);
    assert.equal(readFileSync(join(dir, 'out', 'c1.raw'), 'latin1'), fixture.sequences.get('c1'), 'c1.raw written by the CLI');
  });

  test('leftovers of an interrupted run are reported, and ignored by the server', async () => {
    const dir = subDir(root, 'leftovers');
    const fixture = simpleFasta(subDir(dir, 'in'), [{ name: 's1', length: 30 }]);
    const out = subDir(dir, 'out');
    writeFileSync(join(out, 'old.raw.tmp-12345'), 'ACGT');
    const l = recordingLog();
    await prepareCommand(fixture.path, out, { log: l });
    assert.ok(
      l.warns.some((m) => m.includes('1 temporary files of an interrupted prepare')),
      `a warning: ${l.warns.join(' | ')}`,
    );
    const app = await testApp(out);
    try {
      const names = (await ask(app, '/chrom')).json<{ name: string }[]>().map((c) => c.name);
      assert.deepEqual(names, ['s1'], 'the temporary file is not served');
    } finally {
      await app.close();
    }
  });
});
