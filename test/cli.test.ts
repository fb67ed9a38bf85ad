import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (through tsx) to completion. */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function assertOneLineNoStack(r: Run, pattern: RegExp) {
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line, got: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

describe('startup refuses bad settings and bad data with one line', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function folder(name: string, files: Record<string, string>): string {
    const d = join(dir, name);
    mkdirSync(d);
    for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
    return d;
  }

  it('names a bad port and what is allowed', async () => {
    const d = folder('port', { 'a.raw': 'ACGT' });
    assertOneLineNoStack(await run(['serve', '--data', d, '--port', '99999']), /--port.*99999/);
    assertOneLineNoStack(await run(['serve', '--data', d], { PORT: 'eighty' }), /PORT.*eighty/);
    assertOneLineNoStack(await run(['serve', '--data', d, '--log-level', 'loud']), /--log-level.*loud.*(info|debug)/);
  });

  it('names a missing data folder', async () => {
    assertOneLineNoStack(await run(['serve', '--data', join(dir, 'nowhere')]), /nowhere.*does not exist/);
  });

  it('names both files that hold the same sequence name', async () => {
    const d = folder('dup', { 'a.fa': '>chr1\nACGT\n', 'chr1.raw': 'ACGT' });
    assertOneLineNoStack(await run(['serve', '--data', d]), /"chr1".*a\.fa.*chr1\.raw/);
  });

  it('refuses an inconsistent .fai, naming the file, the sequence and the fix', async () => {
    const d = folder('fai', { 'g.fa': '>chr1\nACGT\nAC\n', 'g.fa.fai': 'chr1\t600\t6\t4\t5\n' });
    assertOneLineNoStack(await run(['serve', '--data', d]), /g\.fa.*chr1.*samtools faidx/);
  });

  it('names an unreadable sequence file', async () => {
    const d = folder('dangling', {});
    symlinkSync(join(dir, 'gone.fa'), join(d, 'x.fa'));
    assertOneLineNoStack(await run(['serve', '--data', d]), /x\.fa/);
  });

  it('says when a folder has no sequence files', async () => {
    const d = folder('empty', { 'notes.txt': 'hello' });
    assertOneLineNoStack(await run(['serve', '--data', d]), /no sequence files/);
  });

  it('answers unknown options and commands with usage and exit code 2', async () => {
    for (const args of [['serve', '--frobnicate'], ['launch']]) {
      const r = await run(args);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /usage: seqserve/);
    }
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--data DIR/);
  });
});

describe('serving and closing gracefully', () => {
  it('logs one ready line, serves, logs one line per request, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqserve-cli-run-'));
    writeFileSync(join(dir, 'g.fa'), '>11\nACGTN\nacg\n');
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--data', dir, '--port', '0', '--host', '127.0.0.1']);
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const ready = await new Promise<{ url: string; sequences: number }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line: ${stdout}`)), 20_000);
        child.stdout.on('data', () => {
          const line = stdout.split('\n').find((l) => l.includes('"url"'));
          if (line) {
            clearTimeout(timer);
            resolve(JSON.parse(line));
          }
        });
      });
      assert.equal(ready.sequences, 1);
      const res = await fetch(`${ready.url}/chrom/11/range?start=3&end=7`);
      assert.equal(await res.text(), 'TNac');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      const access = stdout.split('\n').filter((l) => l.includes('"msg":"request"')).map((l) => JSON.parse(l));
      assert.equal(access.length, 1);
      assert.equal(access[0].sequence, '11');
      assert.equal(access[0].start, 3);
      assert.equal(access[0].end, 7);
      assert.equal(access[0].status, 200);
      assert.doesNotMatch(stdout, /TNac/, 'bodies are never logged');
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
