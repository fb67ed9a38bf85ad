import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandNames, commandUsage, commands } from '../src/cli/usage.js';
import { defaults } from '../src/data/config.js';
import { runCli as run, type Run } from './helpers/cli-server.js';

/** A usage mistake: exit 2, one line saying it, then the usage; nothing on stdout. */
function assertUsageError(r: Run, line: RegExp, usage: RegExp, what: string) {
  assert.equal(r.code, 2, `${what}: exit code 2, stderr: ${r.stderr}`);
  assert.equal(r.stdout, '', `${what}: nothing on stdout`);
  const [first, blank, usageLine] = r.stderr.split('\n');
  assert.match(first!, line, `${what}: the first line says what is wrong`);
  assert.match(first!, /^seqserve: /, `${what}: said by seqserve`);
  assert.equal(blank, '', `${what}: one line, then the usage`);
  assert.match(usageLine!, usage, `${what}: the usage of the command`);
}

describe('seqserve help', () => {
  it('seqserve --help, -h and help list every command and every option, on stdout, exit 0', async () => {
    const runs = await Promise.all([run(['--help']), run(['-h']), run(['help'])]);
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '', 'nothing on stderr');
      for (const name of commandNames) {
        assert.match(r.stdout, new RegExp(`seqserve ${name === 'serve' ? '\\[serve\\]' : name}`), `command ${name} listed`);
        for (const o of commands[name].options) assert.ok(r.stdout.includes(`--${o.flag}`), `--${o.flag} of ${name} listed`);
      }
    }
    assert.equal(runs[0].stdout, runs[2].stdout, '--help and help say the same');
  });

  it('each command --help lists its own options (and no other), with the defaults of src/data/config.ts', async () => {
    const optionLines = (text: string) => text.split('\n').filter((l) => /^ {2}(-\w, | {4})--/.test(l));
    const helps = await Promise.all(commandNames.map((name) => run([name, '--help'])));
    for (const [i, name] of commandNames.entries()) {
      const r = helps[i]!;
      assert.equal(r.code, 0, `${name} --help: ${r.stderr}`);
      assert.equal(r.stdout, `${commandUsage(name)}\n`, `${name} --help: its usage`);
      assert.match(r.stdout, new RegExp(`^usage: ${commands[name].synopsis.replace(/[[\]().]/g, '\\$&')}\n`), `${name}: its synopsis first`);
      const listed = optionLines(r.stdout).map((l) => /--([\w-]+)/.exec(l)![1]);
      assert.deepEqual(
        listed,
        commands[name].options.map((o) => o.flag),
        `${name}: its options, and only those`,
      );
    }
    for (const name of ['get', 'index']) {
      const [a, b] = await Promise.all([run([name, '-h']), run(['help', name])]);
      assert.equal(a.stdout, `${commandUsage(name as 'get')}\n`, `${name} -h`);
      assert.equal(b.stdout, a.stdout, `help ${name}`);
    }
    const serve = (await run(['serve', '--help'])).stdout.replace(/\s+/g, ' ');
    const shown: [string, unknown][] = [
      ['--port N', defaults.port],
      ['--host ADDR', defaults.host],
      ['--log-level LEVEL', defaults.logLevel],
      ['--stream-threshold N', defaults.streamThreshold],
      ['--max-answer-bases N', defaults.maxAnswerBases],
      ['--max-batch-regions N', defaults.maxBatchRegions],
      ['--batch-body-limit N', defaults.batchBodyLimit],
      ['--max-event-loop-delay MS', defaults.maxEventLoopDelay],
      ['--max-heap-used-bytes N', defaults.maxHeapUsedBytes],
      ['--request-timeout MS', defaults.requestTimeout],
      ['--connection-timeout MS', defaults.connectionTimeout],
      ['--keep-alive-timeout MS', defaults.keepAliveTimeout],
      ['--data-check-interval MS', defaults.dataCheckInterval],
      ['--bgzf-cache-mib N', defaults.bgzfCacheMib],
      ['--workers N', defaults.workers],
    ];
    for (const [flag, value] of shown) {
      const at = serve.indexOf(flag);
      const next = serve.indexOf(' --', at + flag.length);
      const text = serve.slice(at, next < 0 ? undefined : next);
      assert.ok(at >= 0 && text.includes(`default: `) && text.includes(String(value)), `${flag}: default ${String(value)} shown, got: ${text}`);
    }
    assert.match(
      serve,
      /--bgzf-cache-mib N memory for inflated blocks of bgzipped FASTA, an LRU shared by the requests of a process/,
      'the new option is explained',
    );
    const get = (await run(['get', '--help'])).stdout.replace(/\s+/g, ' ');
    assert.match(get, /-n, --width N bases per line; 0 = one line .*default: 60/, 'get --width: default 60, as samtools');
    assert.match(get, /-i, --reverse-complement/, 'get -i, as samtools');
    assert.match((await run(['info', '--help'])).stdout.replace(/\s+/g, ' '), /\.fai saved beside it/, 'info says what it may write');
  });

  it("refuses another command's option: one line naming it, the command's usage, exit 2", async () => {
    assertUsageError(
      await run(['index', '--port', '1']),
      /index: unknown option --port \(an option of seqserve serve\)/,
      /^usage: seqserve index/,
      'index --port',
    );
    assertUsageError(
      await run(['prepare', 'a', 'b', '--json']),
      /prepare: unknown option --json \(an option of seqserve info, compare\)/,
      /^usage: seqserve prepare/,
      'prepare --json',
    );
    assertUsageError(await run(['serve', '--force']), /serve: unknown option --force/, /^usage: seqserve \[serve\]/, 'serve --force');
    assertUsageError(await run(['get', 'd', 'chr1', '--preload']), /get: unknown option --preload/, /^usage: seqserve get/, 'get --preload');
    assertUsageError(await run(['--frobnicate']), /serve: unknown option --frobnicate$/, /^usage: seqserve \[serve\]/, 'an unknown option');
  });

  it('refuses missing and extra arguments, values missing or given to switches, and unknown commands', async () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp, RegExp, string][] = [
      [['prepare'], {}, /prepare: missing the input FASTA and the output folder/, /^usage: seqserve prepare/, 'prepare'],
      [['prepare', 'in.fa'], {}, /prepare: missing the output folder/, /^usage: seqserve prepare/, 'prepare IN'],
      [['get'], {}, /get: missing the data folder and a region/, /^usage: seqserve get/, 'get'],
      [['get', 'dir'], {}, /get: missing a region/, /^usage: seqserve get/, 'get DIR'],
      [['index'], { SEQSERVE_DATA: '' }, /index: missing the data folder/, /^usage: seqserve index/, 'index'],
      [['info'], { SEQSERVE_DATA: '' }, /info: missing the data folder/, /^usage: seqserve info/, 'info'],
      [['info', 'a', 'b'], {}, /info: unexpected argument "b"/, /^usage: seqserve info/, 'info A B'],
      [['serve', 'extra'], {}, /serve: unexpected argument "extra"/, /^usage: seqserve \[serve\]/, 'serve ARG'],
      [['serve', '--port'], {}, /serve: option --port needs a value/, /^usage: seqserve \[serve\]/, 'a value missing'],
      [['serve', '--pretty=yes'], {}, /serve: option --pretty takes no value/, /^usage: seqserve \[serve\]/, 'a value to a switch'],
      [['get', 'd', 'chr1', '--width', 'wide'], {}, /get: --width wide must be a whole number/, /^usage: seqserve get/, 'get --width wide'],
      [
        ['launch'],
        {},
        /unknown command "launch"; the commands are serve, index, prepare, info, get, compare/,
        /^usage: seqserve \[serve\]/,
        'an unknown command',
      ],
      [['help', 'launch'], {}, /help: unknown command "launch"/, /^usage: /, 'help for an unknown command'],
    ];
    const runs = await Promise.all(cases.map(([args, env]) => run(args, env)));
    for (const [i, [, , line, usage, what]] of cases.entries()) assertUsageError(runs[i]!, line, usage, what);
  });
});
