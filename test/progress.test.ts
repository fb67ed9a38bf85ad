/* eslint-disable no-control-regex -- these tests match the terminal codes the progress line draws with (ESC [K) on purpose */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readyLine } from '../src/server/ready-line.js';
import { Preload } from '../src/data/preload.js';
import { MappedFile } from '../src/store/mapped-file.js';
import { cli, freePort, startCli, stop } from './helpers/cli-server.js';
import { Progress, formatBases, formatBytes, formatDuration, formatProgress, rateOf, secondsLeft } from '../src/core/progress.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** A sink that records what is written, and a clock the test moves. */
function harness(tty: boolean, options: { plainEveryMs?: number } = {}) {
  let t = 0;
  const writes: string[] = [];
  const sink = { isTTY: tty, write: (s: string) => writes.push(s) };
  const clock = { advance: (ms: number) => (t += ms) };
  const make = (label: string, total: number) => new Progress(label, total, { sink, now: () => t, ...options });
  return { writes, clock, make };
}

describe('progress figures', () => {
  it('formats bytes in binary units, three figures at most', () => {
    const cases: [number, string][] = [
      [0, '0 B'],
      [1023, '1023 B'],
      [1024, '1.0 KiB'],
      [1536, '1.5 KiB'],
      [210 * MiB, '210 MiB'],
      [1.2 * GiB, '1.2 GiB'],
      [3 * GiB, '3.0 GiB'],
      [2048 * GiB, '2.0 TiB'],
    ];
    for (const [bytes, text] of cases) assert.equal(formatBytes(bytes), text, `${bytes} bytes`);
  });

  it('formats bases in genome units', () => {
    const cases: [number, string][] = [
      [850, '850 bp'],
      [6100, '6.1 kbp'],
      [6_100_000, '6.1 Mbp'],
      [3_100_000_000, '3.1 Gbp'],
      [248_956_422, '249 Mbp'],
    ];
    for (const [bases, text] of cases) assert.equal(formatBases(bases), text, `${bases} bases`);
  });

  it('formats durations as m:ss and h:mm:ss', () => {
    const cases: [number, string][] = [
      [0, '0:00'],
      [9.4, '0:09'],
      [59.6, '1:00'],
      [61, '1:01'],
      [3600, '1:00:00'],
      [3725, '1:02:05'],
    ];
    for (const [s, text] of cases) assert.equal(formatDuration(s), text, `${s} s`);
  });

  it('computes the rate and the time left from the average so far', () => {
    assert.equal(rateOf(100 * MiB, 500), 200 * MiB, 'bytes per second');
    assert.equal(rateOf(5, 0), 0, 'no time, no rate');
    assert.equal(secondsLeft(1 * GiB, 3 * GiB, 10_000), 20, '2 GiB left at 0.1 GiB/s');
    assert.equal(secondsLeft(0, 3 * GiB, 1000), undefined, 'nothing done yet: unknown');
    assert.equal(secondsLeft(3 * GiB, 3 * GiB, 1000), 0, 'done: nothing left');
  });

  it('writes the line of the brief', () => {
    const line = formatProgress({ label: 'digests', done: 1.2 * GiB, total: 3 * GiB, elapsedMs: (1.2 * GiB * 1000) / (210 * MiB) });
    assert.equal(line, 'digests  1.2 GiB / 3.0 GiB  40%  210 MiB/s  0:09 left');
    assert.equal(formatProgress({ label: 'x', done: 0, total: 10, elapsedMs: 0 }), 'x  0 B / 10 B  0%  0 B/s  -:-- left', 'no estimate before any progress');
    assert.equal(formatProgress({ label: 'x', done: 10, total: 10, elapsedMs: 15_000 }, true), 'x  10 B / 10 B  100%  1 B/s  done in 0:15', 'the closing line');
    assert.equal(formatProgress({ label: 'x', done: 0, total: 0, elapsedMs: 5 }, true).includes('100%'), true, 'nothing to do is all done');
  });
});

describe('Progress', () => {
  it('on a terminal redraws one line at most every 100 ms, and ends it with a line feed', () => {
    const { writes, clock, make } = harness(true);
    const p = make('hash', 1000);
    p.update(10);
    clock.advance(50);
    p.update(20); // too soon: skipped
    clock.advance(60);
    p.update(30);
    assert.equal(writes.length, 2, `two draws: ${JSON.stringify(writes)}`);
    for (const w of writes) assert.match(w, /^\r.*\x1b\[K$/, 'each draw returns to the line start and clears its rest');
    assert.match(writes[1]!, /hash {2}30 B \/ 1000 B {2}3%/, 'the latest figures');
    clock.advance(1000);
    p.finish();
    assert.match(writes.at(-2)!, /^\rhash {2}1000 B \/ 1000 B {2}100% .*done in 0:01\x1b\[K$/, 'the closing figures');
    assert.equal(writes.at(-1), '\n', 'the line is ended');
    p.update(5);
    p.finish();
    assert.equal(writes.length, 4, 'nothing after the end');
  });

  it('on a terminal wipes its line before another message, and redraws at the next update', () => {
    const { writes, clock, make } = harness(true);
    const p = make('hash', 100);
    p.update(1);
    p.clearLine();
    assert.equal(writes.at(-1), '\r\x1b[K', 'wiped');
    p.clearLine();
    assert.equal(writes.length, 2, 'a second wipe writes nothing');
    clock.advance(1);
    p.update(2);
    assert.match(writes.at(-1)!, /^\rhash {2}2 B/, 'redrawn at once, without waiting for the interval');
    p.stop();
    assert.equal(writes.at(-1), '\n', 'stop ends the line');
  });

  it('elsewhere writes a plain line per interval and a closing line', () => {
    const { writes, clock, make } = harness(false, { plainEveryMs: 5000 });
    const p = make('prepare', 100 * MiB);
    for (let i = 1; i <= 120; i++) {
      clock.advance(100); // 12 s in all
      p.update(i * MiB * 0.8);
    }
    p.finish();
    assert.equal(writes.length, 3, `a line at 5 s and 10 s, then the closing one: ${JSON.stringify(writes)}`);
    for (const w of writes) assert.match(w, /^prepare {2}.*\n$/, 'whole lines, no carriage return');
    assert.doesNotMatch(writes.join(''), /\r|\x1b/, 'no terminal codes in a log');
    assert.match(writes[0]!, /40.0 MiB \/ 100 MiB {2}40% {2}8.0 MiB\/s {2}0:08 left/, 'figures at 5 s');
    assert.match(writes[2]!, /100 MiB \/ 100 MiB {2}100% .*done in 0:12/, 'the closing line');
  });

  it('short work prints its closing line only', () => {
    const { writes, clock, make } = harness(false);
    const p = make('x', 10);
    p.update(5);
    clock.advance(10);
    p.finish();
    assert.equal(writes.length, 1, JSON.stringify(writes));
  });
});

describe('long commands show progress and can be interrupted', () => {
  const root = join(import.meta.dirname, '.tmp', `progress-${process.pid}`);
  const data = join(root, 'data');
  const fasta = join(data, 'g.fa');
  const SEQUENCES = 20;

  before(() => {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(data, { recursive: true });
    // 20 sequences of 8 Mbp (163 MB): hashing takes long enough to be interrupted midway.
    const line = Buffer.alloc(61, 'ACGTTGCAAC');
    line[60] = 0x0a;
    const block = Buffer.concat(Array.from({ length: 8_000_000 / 60 }, () => line));
    const fd = openSync(fasta, 'w');
    for (let i = 0; i < SEQUENCES; i++) {
      writeSync(fd, `>s${i}\n`);
      writeSync(fd, block);
    }
    closeSync(fd);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** The real CLI with stderr and stdout as pipes; `onStderr` sees stderr as it comes. */
  function start(args: string[], onStderr?: (text: string, child: ChildProcess) => void) {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, SEQSERVE_PROGRESS_INTERVAL: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  const leftovers = (dir: string) => readdirSync(dir).filter((f) => /\.tmp-\d+/.test(f));
  const interruptAtFirstLine = (label: string) => (text: string, child: ChildProcess) => {
    if (text.includes(`${label}  `) && child.signalCode === null && !child.killed) child.kill('SIGINT');
  };

  it('index, interrupted by Ctrl-C midway: exit 130, no sidecar, no temporary file', async () => {
    const r = await start(['index', data], interruptAtFirstLine('refget digests'));
    assert.equal(r.code, 130, `exit 130: ${r.stderr}`);
    assert.match(r.stderr, /seqserve: interrupted \(SIGINT\)/, 'said');
    assert.ok(!existsSync(`${fasta}.refget.tsv`), 'no sidecar under the final name');
    assert.deepEqual(leftovers(data), [], 'no temporary file');
  });

  it('index off a terminal: plain progress lines, then a closing line, on stderr', async () => {
    const r = await start(['index', data]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /\r|\x1b/, 'no terminal codes');
    const lines = r.stderr.trim().split('\n');
    assert.ok(lines.length >= 3, `several lines: ${r.stderr}`);
    for (const l of lines.slice(0, -1))
      assert.match(l, /^refget digests {2}[\d.]+ [KMG]?i?B \/ 15\d MiB {2}\d+% {2}[\d.]+ [KMG]?i?B\/s {2}(\d+:\d\d|-:--) left$/, `a progress line: ${l}`);
    assert.match(lines.at(-1)!, /^refget digests {2}(15\d MiB) \/ \1 {2}100% {2}[\d.]+ [KMG]iB\/s {2}done in \d+:\d\d$/, 'the closing line');
    assert.match(r.stdout, new RegExp(`${SEQUENCES} sequences: digests of ${SEQUENCES} computed`), 'the summary on stdout');
    assert.ok(existsSync(`${fasta}.refget.tsv`), 'the sidecar');
  });

  it('index on a terminal: one line redrawn in place', { skip: !existsSync('/usr/bin/script') && 'no script(1)' }, () => {
    rmSync(`${fasta}.refget.tsv`);
    const out = execFileSync('script', ['-qec', `${process.execPath} --import tsx ${cli} index ${data}`, '/dev/null'], { encoding: 'latin1' });
    assert.match(out, /\rrefget digests {2}.*done in \d+:\d\d\x1b\[K/, `redrawn: ${JSON.stringify(out.slice(0, 400))}`);
    assert.doesNotMatch(out, /\nrefget digests/, 'never a new line per update');
  });

  it('prepare: progress lines off a terminal; Ctrl-C midway leaves OUTDIR without a file', async () => {
    const out = join(root, 'out');
    const stopped = await start(['prepare', fasta, out], interruptAtFirstLine('prepare'));
    assert.equal(stopped.code, 130, `exit 130: ${stopped.stderr}`);
    assert.deepEqual(readdirSync(out), [], 'nothing in OUTDIR: no raw file, no sidecar, no temporary');
    const done = await start(['prepare', fasta, out]);
    assert.equal(done.code, 0, done.stderr);
    const lines = done.stderr.trim().split('\n');
    assert.match(lines[0]!, /^prepare {2}[\d.]+ [KMG]?i?B \/ 15\d MiB {2}\d+%/, 'a progress line');
    assert.match(lines.at(-1)!, /^prepare {2}(15\d MiB) \/ \1 {2}100% .*done in/, 'the closing line');
    assert.equal(readdirSync(out).filter((f) => f.endsWith('.raw')).length, SEQUENCES, 'every raw file');
    assert.deepEqual(leftovers(out), [], 'no temporary file');
  });
});

describe('preload and startup lines', () => {
  const root = join(import.meta.dirname, '.tmp', `progress-preload-${process.pid}`);
  before(() => mkdirSync(root, { recursive: true }));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('--preload off a terminal logs plain progress lines, and none when told not to show', async () => {
    const path = join(root, 'p.raw');
    writeFileSync(path, Buffer.alloc(4 << 20, 'ACGT'));
    const file = MappedFile.open(path);
    try {
      for (const show of [true, false]) {
        const infos: string[] = [];
        const preload = Preload.start([file], { info: (m) => infos.push(m), warn: (m) => infos.push(m) }, { logEveryMs: 0, show });
        await preload.done;
        const lines = infos.filter((m) => m.startsWith('preloading: '));
        if (show) {
          assert.ok(lines.length >= 1, `progress logged: ${JSON.stringify(infos)}`);
          for (const l of lines) assert.match(l, /^preloading: page cache {2}[\d.]+ [KMG]?i?B \/ 4\.0 MiB {2}\d+% /, l);
        } else {
          assert.deepEqual(lines, [], 'no progress lines');
        }
      }
    } finally {
      file.close();
    }
  });

  it(
    'serve prints one friendly line on a terminal, after every worker listens; none into a pipe',
    { skip: !existsSync('/usr/bin/script') && 'no script(1)' },
    async () => {
      const dir = join(root, 'serve');
      mkdirSync(dir);
      writeFileSync(join(dir, 'g.fa'), '>chr1\nACGTACGTAC\nACG\n>chr2\nAAAA\n');
      const port = await freePort();
      const command = `${process.execPath} --import tsx ${cli} serve --data ${dir} --host 127.0.0.1 --port ${port} --workers 2`;
      const child = spawn('script', ['-qec', command, '/dev/null']);
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`no friendly line within 20 s: ${out}`));
        }, 20_000);
        child.stdout.on('data', (d) => {
          out += d;
          // A terminal's lines end in \r\n.
          const pid = /"pid":(\d+)[^\n]*seqserve ready/.exec(out);
          if (pid && /seqserve: open [^\n]*\n/.test(out)) {
            clearTimeout(timer);
            process.kill(Number(pid[1]), 'SIGTERM');
            resolve();
          }
        });
      });
      await new Promise((resolve) => child.on('close', resolve));
      const friendly = out.split(/\r?\n/).filter((l) => l.startsWith('seqserve: open'));
      assert.equal(friendly.length, 1, `one line: ${out}`);
      assert.match(
        friendly[0]!,
        new RegExp(`^seqserve: open http://127\\.0\\.0\\.1:${port}/ — 2 sequences, 17 bp in 1 assembly, 2 workers, ready in \\d+ ms$`),
        'the URL, what is served, the time',
      );
      assert.ok(out.indexOf('"msg":"seqserve ready') < out.indexOf('seqserve: open'), 'after the JSON ready line, itself once every worker listens');
      const piped = await startCli(['--data', dir, '--port', '0', '--workers', '1']);
      await stop(piped);
      assert.doesNotMatch(piped.stderr(), /seqserve: open/, 'not into a pipe');
    },
  );

  it('readyLine says it in one line', () => {
    assert.equal(
      readyLine({ url: 'http://localhost:8080', sequences: 4, bases: 6_100_000, assemblies: 1, workers: 1, ms: 131 }),
      'seqserve: open http://localhost:8080/ — 4 sequences, 6.1 Mbp in 1 assembly, ready in 131 ms',
    );
    assert.equal(
      readyLine({ url: 'http://localhost:8080/', sequences: 1, bases: 3_100_000_000, assemblies: 2, workers: 4, ms: 900 }),
      'seqserve: open http://localhost:8080/ — 1 sequence, 3.1 Gbp in 2 assemblies, 4 workers, ready in 900 ms',
    );
  });
});
