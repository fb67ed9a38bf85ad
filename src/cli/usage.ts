/**
 * Every command and its options, in one table: the help text and the argument parser are both
 * made from it, so an option listed is an option accepted (by its own command only), and the
 * defaults shown are those of src/data/config.ts, not copies.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { defaults } from '../data/config.js';
import { residencyOptions } from './residency-options.js';

export type CommandName = 'serve' | 'index' | 'prepare' | 'info' | 'get' | 'compare';

interface OptionSpec {
  flag: string;
  short?: string;
  /** The value's placeholder (N, DIR, ...); none for a switch. */
  value?: string;
  help: string;
  env?: string;
  default?: string;
}

export interface CommandSpec {
  name: CommandName;
  synopsis: string;
  about: string;
  /** Positional arguments accepted: at least, at most. */
  positionals: [min: number, max: number];
  options: OptionSpec[];
}

/** A usage mistake: said in one line with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super(message);
  }
}

const help: OptionSpec = { flag: 'help', short: 'h', help: 'this help' };
const mib = (bytes: number) => `${bytes} (${bytes / 1024 / 1024} MiB)`;

const serveOptions: OptionSpec[] = [
  {
    flag: 'data',
    value: 'DIR',
    help: 'data folder: FASTA (+ .fai), bgzipped FASTA (.fa.gz + .fai + .gzi), .2bit, raw files; each subfolder with sequence files is an assembly of its own',
    env: 'SEQSERVE_DATA',
    default: 'the bundled demo genome, generated into data/demo',
  },
  {
    flag: 'default-assembly',
    value: 'NAME',
    help: 'the assembly served under /chrom',
    env: 'SEQSERVE_DEFAULT_ASSEMBLY',
    default: "the data folder's own files, else its first subfolder",
  },
  { flag: 'port', value: 'N', help: 'port to listen on', env: 'PORT', default: String(defaults.port) },
  { flag: 'host', value: 'ADDR', help: 'address to listen on', env: 'HOST', default: defaults.host },
  { flag: 'log-level', value: 'LEVEL', help: 'fatal|error|warn|info|debug|trace|silent', env: 'LOG_LEVEL', default: defaults.logLevel },
  { flag: 'pretty', help: 'human-readable logs instead of JSON lines' },
  { flag: 'no-access-log', help: 'no log line per request (for benchmarks)' },
  { flag: 'stream-threshold', value: 'N', help: 'answers longer than N bases are streamed', default: String(defaults.streamThreshold) },
  {
    flag: 'workers',
    value: 'N',
    help: 'processes serving the port; 1 serves from this process alone',
    env: 'SEQSERVE_WORKERS',
    default: `the number of cores (${availableParallelism()} here)`,
  },
  {
    flag: 'preload',
    help: 'read every sequence file into the page cache in the background once listening; progress in the log and /readyz',
    env: 'SEQSERVE_PRELOAD=1',
    default: defaults.preload ? 'on' : 'off',
  },
  ...residencyOptions,
  {
    flag: 'max-answer-bases',
    value: 'N',
    help: 'most bases in one /range, /region or refget answer, 413 beyond',
    env: 'SEQSERVE_MAX_ANSWER_BASES',
    default: `${defaults.maxAnswerBases}: a whole human chromosome`,
  },
  {
    flag: 'max-batch-regions',
    value: 'N',
    help: 'most regions in one POST /batch',
    env: 'SEQSERVE_MAX_BATCH_REGIONS',
    default: String(defaults.maxBatchRegions),
  },
  { flag: 'batch-body-limit', value: 'N', help: 'largest POST /batch body in bytes', env: 'SEQSERVE_BATCH_BODY_LIMIT', default: mib(defaults.batchBodyLimit) },
  {
    flag: 'max-event-loop-delay',
    value: 'MS',
    help: 'answer 503 + Retry-After while the event loop lags more; 0 off',
    env: 'SEQSERVE_MAX_EVENT_LOOP_DELAY',
    default: String(defaults.maxEventLoopDelay),
  },
  {
    flag: 'max-heap-used-bytes',
    value: 'N',
    help: 'answer 503 while the heap in use is larger; 0 off',
    env: 'SEQSERVE_MAX_HEAP_USED_BYTES',
    default: `90% of V8's heap limit (${defaults.maxHeapUsedBytes} here)`,
  },
  { flag: 'request-timeout', value: 'MS', help: 'time to receive a whole request', env: 'SEQSERVE_REQUEST_TIMEOUT', default: String(defaults.requestTimeout) },
  {
    flag: 'connection-timeout',
    value: 'MS',
    help: 'close a connection idle this long',
    env: 'SEQSERVE_CONNECTION_TIMEOUT',
    default: String(defaults.connectionTimeout),
  },
  {
    flag: 'keep-alive-timeout',
    value: 'MS',
    help: 'keep an idle keep-alive connection this long',
    env: 'SEQSERVE_KEEP_ALIVE_TIMEOUT',
    default: String(defaults.keepAliveTimeout),
  },
  {
    flag: 'data-check-interval',
    value: 'MS',
    help: 'check the mapped files for changes this often; 0 off. Reload new data with kill -HUP, or POST /admin/reload (enabled by env SEQSERVE_ADMIN_TOKEN)',
    env: 'SEQSERVE_DATA_CHECK_INTERVAL',
    default: String(defaults.dataCheckInterval),
  },
  {
    flag: 'bgzf-cache-mib',
    value: 'N',
    help: 'memory for inflated blocks of bgzipped FASTA, an LRU shared by the requests of a process, in MiB',
    env: 'SEQSERVE_BGZF_CACHE_MIB',
    default: String(defaults.bgzfCacheMib),
  },
  {
    flag: 'shutdown-grace',
    value: 'MS',
    help: 'on SIGTERM/SIGINT idle connections close at once; answers in flight get this long, then are cut and the process exits 0',
    env: 'SEQSERVE_SHUTDOWN_GRACE',
    default: String(defaults.shutdownGrace),
  },
  {
    flag: 'cache-max-age',
    value: 'S',
    help: 'Cache-Control max-age of sequence and catalog answers, in seconds (refget answers, addressed by digest, are immutable)',
    env: 'SEQSERVE_CACHE_MAX_AGE',
    default: String(defaults.cacheMaxAge),
  },
  {
    flag: 'no-compression',
    help: 'never compress answers (otherwise gzip, br or zstd when the client asks in Accept-Encoding)',
    env: 'SEQSERVE_COMPRESSION=0',
  },
  {
    flag: 'compression-level',
    value: 'N',
    help: 'compression level 1 (fastest) to 9 (smallest)',
    env: 'SEQSERVE_COMPRESSION_LEVEL',
    default: String(defaults.compressionLevel),
  },
  {
    flag: 'compression-threshold',
    value: 'N',
    help: 'answers of at most N bytes are sent uncompressed',
    env: 'SEQSERVE_COMPRESSION_THRESHOLD',
    default: String(defaults.compressionThreshold),
  },
  help,
];

export const commands: Record<CommandName, CommandSpec> = {
  serve: {
    name: 'serve',
    synopsis: 'seqserve [serve] [options]',
    about: `serves the sequences of a data folder over HTTP (the default command). Once listening it prints one line with the URL to open.`,
    positionals: [0, 0],
    options: serveOptions,
  },
  index: {
    name: 'index',
    synopsis: 'seqserve index [DIR]',
    about: `builds the missing .fai files and computes the refget digests (MD5, ga4gh) of every sequence in DIR, stored beside each file as FILE.refget.tsv, so that the server finds sequences by digest from its first request. Shows progress on stderr; Ctrl-C stops it without leaving a half-written file (sidecars are written to a temporary name, then renamed).`,
    positionals: [0, 1],
    options: [{ flag: 'data', value: 'DIR', help: 'the data folder, when DIR is not given', env: 'SEQSERVE_DATA' }, help],
  },
  prepare: {
    name: 'prepare',
    synopsis: 'seqserve prepare INPUT OUTDIR [--force]',
    about: `turns a FASTA file (plain, gzip or bgzip: the .fa.gz of UCSC and Ensembl) into the fastest layout to serve, in one streaming pass: one raw file per sequence (OUTDIR/NAME.raw: bases only, case kept) and its refget digests (NAME.raw.refget.tsv). A chromAlias.txt (or ASSEMBLY.chromAlias.txt) beside INPUT is copied too. Nothing appears in OUTDIR unless the whole INPUT was read (bad input, or Ctrl-C, leaves it as it was). Shows progress on stderr. Then: seqserve serve --data OUTDIR`,
    positionals: [2, 2],
    options: [{ flag: 'force', help: 'overwrite files of the same names in OUTDIR', default: 'off' }, help],
  },
  info: {
    name: 'info',
    synopsis: 'seqserve info [DIR] [--json]',
    about: `prints what serve would serve from DIR, without starting a server: per assembly how much of its files is in the page cache now (mincore, as GET /readyz measures it: what a server started now would find in memory) and each sequence's name, length, format, file, aliases and refget digests (from FILE.refget.tsv sidecars, when present and up to date), then the totals and whether every digest is known. Reads the folder as serve does: a FASTA without .fai is indexed, and the .fai saved beside it (said on stderr), as serve would at its start.`,
    positionals: [0, 1],
    options: [
      { flag: 'data', value: 'DIR', help: 'the data folder, when DIR is not given', env: 'SEQSERVE_DATA' },
      { flag: 'json', help: 'one JSON document instead of tables', default: 'off' },
      help,
    ],
  },
  get: {
    name: 'get',
    synopsis: 'seqserve get DIR REGION [REGION...] [options]',
    about: `prints regions (samtools syntax: NAME, NAME:BEGIN, NAME:BEGIN-END, 1-based inclusive) as FASTA on stdout, the same bytes as the server's POST /batch?format=fasta, and as samtools faidx DIR/FILE REGION. Exit code 1 for an unknown sequence or a region past the end, 2 for a malformed region.`,
    positionals: [2, Infinity],
    options: [
      { flag: 'reverse-complement', short: 'i', help: 'the reverse complement, headers marked /rc (as samtools faidx -i)', default: 'off' },
      { flag: 'width', short: 'n', value: 'N', help: 'bases per line; 0 = one line (as samtools faidx -n)', default: '60' },
      {
        flag: 'assembly',
        value: 'NAME',
        help: 'the assembly to read, in a folder of several',
        default: "the data folder's own files, else its first subfolder",
      },
      help,
    ],
  },
  compare: {
    name: 'compare',
    synopsis: 'seqserve compare A B [--json] [--chrom-alias]',
    about: `compares two genomes as GA4GH sequence collections (seqcol 1.0), without a server, and says what it means. A and B are each a data folder (its default assembly, as serve picks it), an assembly's folder (DIR/NAME), or one file: FASTA (.fa, .fasta, .fna, bgzipped .fa.gz) or .2bit, whose refget digests come from FILE.refget.tsv or are computed (progress on stderr) and saved there as seqserve index does; a samtools .fai or a SAM .dict, which give names and lengths only (a .dict's M5 is an MD5, not a ga4gh digest), so sequences are then not compared. Prints each side, the comparison (per attribute: count in A, in B, shared, same order), then the verdict: identical, different order only, same sequences with different names (the pairs, and a chromAlias.txt that serves A's names in B's folder), a subset, same coordinate system with different sequences, overlapping or unrelated, with the names on one side only and those whose sequence differs. Exit 0 whatever the verdict.`,
    positionals: [2, 2],
    options: [
      { flag: 'json', help: "the spec's comparison object only (digests null for a side without sequence digests)", default: 'off' },
      { flag: 'chrom-alias', help: "only the chromAlias.txt lines that serve A's names in B's folder (alias<TAB>chrom)", default: 'off' },
      help,
    ],
  },
};

export const commandNames = Object.keys(commands) as CommandName[];

const WIDTH = 100;
const COLUMN = 26;

/** Text wrapped to the help's width, every line after the first indented by `indent`. */
function wrap(text: string, first: string, indent: number): string {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > WIDTH && line.trim().length > 0 && line.length > indent) {
      lines.push(line);
      line = ' '.repeat(indent) + word;
    } else {
      line += (line.length === 0 || line.endsWith(' ') ? '' : ' ') + word;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

function optionLine(o: OptionSpec): string {
  const names = `${o.short ? `-${o.short}, ` : '    '}--${o.flag}${o.value ? ` ${o.value}` : ''}`;
  const notes = [o.env ? `env ${o.env}` : '', o.default !== undefined ? `default: ${o.default}` : ''].filter(Boolean).join('; ');
  const text = notes ? `${o.help} (${notes})` : o.help;
  const left = `  ${names}`;
  // A long flag pushes its text to the next line rather than out of the column.
  return left.length < COLUMN ? wrap(text, left.padEnd(COLUMN), COLUMN) : `${left}\n${wrap(text, ' '.repeat(COLUMN), COLUMN)}`;
}

/** One command's help: synopsis, what it does, its options. */
export function commandUsage(name: CommandName): string {
  const c = commands[name];
  return [`usage: ${c.synopsis}`, '', wrap(c.about, `${c.name}: `, 2), '', 'options:', ...c.options.map(optionLine)].join('\n');
}

/** seqserve --help: every command, then each command's options. */
export function mainUsage(): string {
  const synopses = commandNames.map((n, i) => `${i === 0 ? 'usage: ' : '       '}${commands[n].synopsis}`);
  const sections = commandNames.map((n) => commandUsage(n).split('\n').slice(2).join('\n'));
  return [...synopses, '       seqserve help [COMMAND]', '', ...sections.flatMap((s) => [s, ''])].join('\n').trimEnd();
}

type ParseOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** parseArgs's table for a command's options. */
function parseOptionsOf(spec: CommandSpec): ParseOptions {
  const out: ParseOptions = {};
  for (const o of spec.options) out[o.flag] = { type: o.value ? 'string' : 'boolean', ...(o.short ? { short: o.short } : {}) };
  return out;
}

export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** A command's arguments, checked: only its own options, and the positionals it takes. */
export function parseCommand(name: CommandName, args: string[]): ParsedCommand {
  const spec = commands[name];
  let parsed;
  try {
    parsed = parseArgs({ args, options: parseOptionsOf(spec), allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(oneLine((e as Error).message, name), name);
  }
  const { values, positionals } = parsed;
  if (values.help) return { values, positionals };
  const [min, max] = spec.positionals;
  if (positionals.length > max) throw new UsageError(`${name}: unexpected argument "${positionals[max]}"`, name);
  if (positionals.length < min) throw new UsageError(`${name}: missing ${missingWhat(name, positionals.length)}`, name);
  return { values, positionals };
}

function missingWhat(name: CommandName, given: number): string {
  if (name === 'prepare')
    return given === 0 ? 'the input FASTA and the output folder: seqserve prepare INPUT OUTDIR' : 'the output folder: seqserve prepare INPUT OUTDIR';
  if (name === 'get') return given === 0 ? 'the data folder and a region: seqserve get DIR REGION' : 'a region: seqserve get DIR REGION (e.g. chr1:1000-2000)';
  if (name === 'compare') return given === 0 ? 'the two sides: seqserve compare A B' : 'the second side: seqserve compare A B';
  return 'arguments';
}

/**
 * parseArgs's messages, shortened to one line and said in the command's terms ("Unknown option
 * '--port'. To specify a positional argument starting with a '-', ..." → "index: no option --port").
 */
function oneLine(message: string, name: CommandName): string {
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    const flag = unknown[1]!;
    const owners = commandNames.filter((n) => n !== name && commands[n].options.some((o) => `--${o.flag}` === flag || `-${o.short}` === flag));
    return `${name}: unknown option ${flag}${owners.length > 0 ? ` (an option of seqserve ${owners.join(', ')})` : ''}`;
  }
  const missingValue = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missingValue) return `${name}: option ${missingValue[1]} needs a value`;
  const noValue = /Option '(--[\w-]+)' does not take an argument/.exec(message);
  if (noValue) return `${name}: option ${noValue[1]} takes no value`;
  return `${name}: ${message.split('\n')[0]}`;
}
