#!/usr/bin/env node
/**
 * The command line: picks the command, parses its own options (src/cli/usage.ts), runs it.
 * Help on stdout, exit 0; a usage mistake is one line and that command's usage on stderr, exit 2;
 * bad settings or data one line, exit 1; Ctrl-C during long work, exit 130.
 */
import cluster from 'node:cluster';
import { ConfigError } from '../data/config.js';
import { ExitError } from './exit-error.js';
import { Interrupted } from './interrupt.js';
import { UsageError, commandNames, commandUsage, mainUsage, parseCommand, type CommandName } from './usage.js';
import { DataError } from '../core/errors.js';

const isCommand = (word: string | undefined): word is CommandName => commandNames.includes(word as CommandName);

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === undefined) return (await import('./serve-command.js')).serveCommand(parseCommand('serve', []));
  if (first === '--help' || first === '-h') return void console.log(mainUsage());
  if (first === 'help') {
    if (rest.length === 0) return void console.log(mainUsage());
    if (!isCommand(rest[0]) || rest.length > 1) throw new UsageError(`help: unknown command "${rest.join(' ')}"`);
    return void console.log(commandUsage(rest[0]));
  }
  // Options first (seqserve --port 8080) means serve, the default command.
  const command: CommandName | undefined = first.startsWith('-') ? 'serve' : isCommand(first) ? first : undefined;
  if (!command) throw new UsageError(`unknown command "${first}"; the commands are ${commandNames.join(', ')}`);
  const parsed = parseCommand(command, first.startsWith('-') ? argv : rest);
  if (parsed.values.help) return void console.log(commandUsage(command));
  const { values, positionals } = parsed;
  // Each command's code is loaded when it runs: help and usage errors answer without loading the server.
  const dataDir = () => positionals[0] ?? (values.data as string | undefined) ?? process.env.SEQSERVE_DATA;
  switch (command) {
    case 'serve':
      return (await import('./serve-command.js')).serveCommand(parsed);
    case 'index': {
      const dir = dataDir();
      if (!dir) throw new UsageError('index: missing the data folder: seqserve index DIR', 'index');
      return (await import('./index-command.js')).indexCommand(dir);
    }
    case 'info': {
      const dir = dataDir();
      if (!dir) throw new UsageError('info: missing the data folder: seqserve info DIR', 'info');
      return (await import('./info.js')).infoCommand(dir, values.json === true);
    }
    case 'prepare':
      return (await import('./prepare-command.js')).prepareCommand(parsed);
    case 'get':
      return (await import('./get.js')).getCommand(parsed);
    case 'compare':
      if (values.json === true && values['chrom-alias'] === true)
        throw new UsageError('compare: --json and --chrom-alias print different things; pick one', 'compare');
      return (await import('./compare-command.js')).compareCommand(positionals[0]!, positionals[1]!, {
        json: values.json === true,
        chromAlias: values['chrom-alias'] === true,
      });
  }
}

main(process.argv.slice(2)).catch(async (e: unknown) => {
  if (e instanceof UsageError) {
    console.error(`seqserve: ${e.message}\n\n${e.command ? commandUsage(e.command) : mainUsage()}`);
    process.exit(2);
  }
  if (e instanceof Interrupted) {
    console.error(`seqserve: ${e.message}`);
    process.exit(130);
  }
  if (e instanceof ExitError) {
    console.error(`seqserve: ${e.message}`);
    process.exit(e.exitCode);
  }
  const { StartupError, reportStartupFailure } = await import('../server/cluster.js');
  // Bad settings and bad data are the user's to fix: one line, no stack.
  const line = e instanceof ConfigError || e instanceof DataError || e instanceof StartupError ? e.message : `failed to start: ${(e as Error).message ?? e}`;
  // A cluster worker leaves it to the primary, so that N workers failing alike say it once.
  if (cluster.isWorker) return reportStartupFailure(line);
  console.error(`seqserve: ${line}`);
  process.exit(1);
});
