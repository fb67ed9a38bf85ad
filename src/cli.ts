#!/usr/bin/env node
import cluster from 'node:cluster';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openAssemblies } from './assemblies.js';
import { reportStartupFailure, StartupError } from './cluster.js';
import { ConfigError, configFromEnv, parseConfig, type Config } from './config.js';
import { ensureDemoGenome } from './demo-genome.js';
import { DataError } from './errors.js';
import { packageRoot } from './package-root.js';
import { prepareCommand } from './prepare/prepare.js';
import { indexDigests } from './refget/digest-sidecar.js';
import { serve } from './server.js';

const usage = `usage: seqserve serve [options]
       seqserve index [DIR]
       seqserve prepare INPUT OUTDIR [--force]

serve   serves the sequences of a data folder (FASTA + .fai, raw files; each subfolder with
        sequence files is an assembly of its own) over HTTP.
index   builds the missing .fai files and computes the refget digests (MD5, ga4gh) of every
        sequence in DIR (default: --data), stored beside each file as FILE.refget.tsv, so that
        the server can find sequences by digest from its first request.
prepare turns a FASTA file (plain, gzip or bgzip: the .fa.gz of UCSC and Ensembl) into the
        fastest layout to serve, in one streaming pass: one raw file per sequence
        (OUTDIR/NAME.raw: bases only, case kept) and its refget digests (NAME.raw.refget.tsv).
        A chromAlias.txt (or ASSEMBLY.chromAlias.txt) beside INPUT is copied too. Nothing is
        written if INPUT is bad. Then: seqserve serve --data OUTDIR

options:
  --data DIR              data folder (env SEQSERVE_DATA; default: the bundled demo genome in data/demo)
  --default-assembly NAME the assembly served under /chrom (env SEQSERVE_DEFAULT_ASSEMBLY; default:
                          the data folder's own files, else its first subfolder)
  --port N                port to listen on (env PORT; default 8080)
  --host ADDR             address to listen on (env HOST; default 0.0.0.0)
  --log-level LEVEL       fatal|error|warn|info|debug|trace|silent (env LOG_LEVEL; default info)
  --pretty                human-readable logs instead of JSON
  --no-access-log         no log line per request (for benchmarks)
  --stream-threshold N    answers longer than N bases are streamed (default 1048576)
  --workers N             processes serving the port (env SEQSERVE_WORKERS; default: the number of
                          cores); 1 serves from this process alone
  --preload               read every sequence file into the page cache in the background once
                          listening (env SEQSERVE_PRELOAD=1); progress in the log and /readyz
  --max-answer-bases N    most bases in one /range, /region or refget answer, 413 beyond
                          (env SEQSERVE_MAX_ANSWER_BASES; default 300000000: a whole human chromosome)
  --max-batch-regions N   most regions in one POST /batch (env SEQSERVE_MAX_BATCH_REGIONS; default 1000000)
  --batch-body-limit N    largest POST /batch body in bytes (env SEQSERVE_BATCH_BODY_LIMIT; default 67108864)
  --max-event-loop-delay MS  answer 503 + Retry-After while the event loop lags more (env
                          SEQSERVE_MAX_EVENT_LOOP_DELAY; default 1000; 0 off)
  --max-heap-used-bytes N answer 503 while the heap in use is larger (env SEQSERVE_MAX_HEAP_USED_BYTES;
                          default 90% of V8's heap limit; 0 off)
  --request-timeout MS    time to receive a whole request (env SEQSERVE_REQUEST_TIMEOUT; default 60000)
  --connection-timeout MS close a connection idle this long (env SEQSERVE_CONNECTION_TIMEOUT; default 120000)
  --keep-alive-timeout MS keep an idle keep-alive connection this long (env SEQSERVE_KEEP_ALIVE_TIMEOUT;
                          default 65000)
  --data-check-interval MS  check the mapped files for changes this often (env
                          SEQSERVE_DATA_CHECK_INTERVAL; default 2000; 0 off). Reload new data with
                          kill -HUP or POST /admin/reload (enabled by env SEQSERVE_ADMIN_TOKEN)
  --force                 prepare: overwrite files of the same names in OUTDIR
  -h, --help              this help`;

const options = {
  data: { type: 'string' },
  'default-assembly': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'log-level': { type: 'string' },
  pretty: { type: 'boolean' },
  'no-access-log': { type: 'boolean' },
  'stream-threshold': { type: 'string' },
  workers: { type: 'string' },
  preload: { type: 'boolean' },
  'max-answer-bases': { type: 'string' },
  'max-batch-regions': { type: 'string' },
  'batch-body-limit': { type: 'string' },
  'max-event-loop-delay': { type: 'string' },
  'max-heap-used-bytes': { type: 'string' },
  'request-timeout': { type: 'string' },
  'connection-timeout': { type: 'string' },
  'keep-alive-timeout': { type: 'string' },
  'data-check-interval': { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    return usageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return void console.log(usage);
  const [command = 'serve', ...rest] = positionals;
  if (command === 'index') {
    if (rest.length > 1) return usageError(`unexpected argument "${rest[1]}"`);
    const dir = rest[0] ?? values.data ?? process.env.SEQSERVE_DATA;
    if (!dir) return usageError('index needs a data folder: seqserve index DIR');
    return indexCommand(dir);
  }
  if (command === 'prepare') {
    if (rest.length !== 2) return usageError('prepare needs an input FASTA and an output folder: seqserve prepare INPUT OUTDIR');
    const log = { info: (m: string) => console.log(m), warn: (m: string) => console.error(`warning: ${m}`) };
    await prepareCommand(rest[0]!, rest[1]!, { force: values.force ?? false, log });
    return;
  }
  if (command !== 'serve') return usageError(`unknown command "${command}"`);
  if (rest.length > 0) return usageError(`unexpected argument "${rest[0]}"`);

  const notes: string[] = [];
  const config = parseConfig({
    ...configFromEnv(process.env),
    ...dropUndefined({
      data: values.data,
      port: values.port,
      host: values.host,
      logLevel: values['log-level'],
      pretty: values.pretty,
      accessLog: values['no-access-log'] ? false : undefined,
      streamThreshold: values['stream-threshold'],
      defaultAssembly: values['default-assembly'],
      workers: values.workers,
      preload: values.preload,
      maxAnswerBases: values['max-answer-bases'],
      maxBatchRegions: values['max-batch-regions'],
      batchBodyLimit: values['batch-body-limit'],
      maxEventLoopDelay: values['max-event-loop-delay'],
      maxHeapUsedBytes: values['max-heap-used-bytes'],
      requestTimeout: values['request-timeout'],
      connectionTimeout: values['connection-timeout'],
      keepAliveTimeout: values['keep-alive-timeout'],
      dataCheckInterval: values['data-check-interval'],
    }),
    data: values.data ?? process.env.SEQSERVE_DATA ?? demoData(notes),
  } satisfies Partial<Record<keyof Config, unknown>>);
  await serve(config, notes);
}

/** seqserve index DIR: every .fai and digest sidecar written, so that serving starts complete. */
function indexCommand(dir: string): void {
  const started = performance.now();
  const log = { info: (m: string) => console.log(m), warn: (m: string) => console.error(`warning: ${m}`) };
  const assemblies = openAssemblies(dir, log);
  try {
    const records = assemblies.list.flatMap((a) => a.catalog.records);
    const { reused, computed } = indexDigests(records, log);
    const s = ((performance.now() - started) / 1000).toFixed(1);
    const held = assemblies.list.length > 1 ? ` in ${assemblies.list.length} assemblies` : '';
    console.log(`${records.length} sequences${held}: digests of ${computed} computed, ${reused} already stored (${s} s)`);
  } finally {
    assemblies.close();
  }
}

/** The bundled demo genome, generated into a git-ignored folder on first start. */
function demoData(notes: string[]): string {
  const dir = join(packageRoot(), 'data', 'demo');
  if (ensureDemoGenome(dir)) notes.push(`first start: generated the demo genome into ${dir}`);
  return dir;
}

function usageError(message: string): void {
  console.error(`seqserve: ${message}\n\n${usage}`);
  process.exitCode = 2;
}

function dropUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

main(process.argv.slice(2)).catch((e: unknown) => {
  // Bad settings and bad data are the user's to fix: one line, no stack.
  const line = e instanceof ConfigError || e instanceof DataError || e instanceof StartupError ? e.message : `failed to start: ${(e as Error).message ?? e}`;
  // A cluster worker leaves it to the primary, so that N workers failing alike say it once.
  if (cluster.isWorker) return reportStartupFailure(line);
  console.error(`seqserve: ${line}`);
  process.exit(1);
});
