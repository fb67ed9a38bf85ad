import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readThroughSignal, runCli as run, type Run } from './helpers/cli-server.js';

const cli = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');

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
    for (const args of [['serve', '--frobnicate'], ['launch'], ['index'], ['index', 'a', 'b']]) {
      const r = await run(args, { SEQSERVE_DATA: '' });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /usage: seqserve/);
    }
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--data DIR/);
    assert.match(help.stdout, /seqserve index \[DIR\]/);
  });

  it('index names a bad data folder in one line', async () => {
    assertOneLineNoStack(await run(['index', join(dir, 'nowhere')]), /nowhere.*does not exist/);
  });
});

interface Served {
  child: ChildProcess;
  url: string;
  sequences: number;
  exited: Promise<number | null>;
  stdout: () => string;
}

/** Starts the real CLI on a loopback port and waits for its ready line. */
async function startServer(dir: string): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--data', dir, '--port', '0', '--host', '127.0.0.1']);
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const ready = await new Promise<{ url: string; sequences: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line: ${stdout}`)), 20_000);
    child.stdout.on('data', () => {
      const line = stdout.split('\n').find((l) => l.includes('"msg":"seqserve ready'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { url: string; sequences: number });
      }
    });
  });
  return { child, ...ready, exited, stdout: () => stdout };
}

describe('serving and closing gracefully', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-cli-run-'));
    writeFileSync(join(dir, 'g.fa'), '>11\nACGTN\nacg\n');
    // 64 MB of holes ending in a marker: long enough to be in flight when SIGTERM arrives.
    const fd = openSync(join(dir, 'long.raw'), 'w');
    ftruncateSync(fd, 64_000_000);
    writeSync(fd, 'END', 64_000_000 - 3, 'latin1');
    closeSync(fd);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('logs one ready line, serves, logs one line per request, and exits 0 on SIGTERM', async () => {
    const server = await startServer(dir);
    try {
      assert.equal(server.sequences, 2);
      const res = await fetch(`${server.url}/chrom/11/range?start=3&end=7`);
      assert.equal(await res.text(), 'TNac');
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
      const access = server
        .stdout()
        .split('\n')
        .filter((l) => l.includes('"msg":"request"'))
        .map((l) => JSON.parse(l) as { sequence: string; start: number; end: number; status: number });
      assert.equal(access.length, 1);
      assert.equal(access[0]?.sequence, '11');
      assert.equal(access[0]?.start, 3);
      assert.equal(access[0]?.end, 7);
      assert.equal(access[0]?.status, 200);
      assert.doesNotMatch(server.stdout(), /TNac/, 'bodies are never logged');
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('finishes an in-flight response after SIGTERM, then exits 0', async () => {
    const server = await startServer(dir);
    try {
      const { received, tail } = await readThroughSignal(`${server.url}/chrom/long/range`, server.child);
      assert.equal(received, 64_000_000);
      assert.equal(tail.subarray(-3).toString('latin1'), 'END');
      assert.equal(await server.exited, 0);
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});

describe('a data folder that cannot be written', () => {
  it('builds the .fai in memory, warns, and serves', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'seqserve-ro-'));
    writeFileSync(join(dir, 'g.fa'), '>11\nACGTN\nacg\n');
    // Root ignores permission bits; the immutable attribute stops even root from writing.
    if (spawnSync('chattr', ['+i', dir]).status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      return t.skip('chattr +i is not available here');
    }
    try {
      const server = await startServer(dir);
      try {
        const res = await fetch(`${server.url}/chrom/11/range?start=2&end=8`);
        assert.equal(await res.text(), 'GTNacg');
        const warning = server
          .stdout()
          .split('\n')
          .find((l) => l.includes('"level":40') && l.includes('g.fa.fai'));
        assert.ok(warning, `a warning names the index it could not save: ${server.stdout()}`);
        assert.match(warning, /samtools faidx/);
        assert.equal(existsSync(join(dir, 'g.fa.fai')), false, 'nothing was written');
      } finally {
        server.child.kill('SIGKILL');
      }
    } finally {
      spawnSync('chattr', ['-i', dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
