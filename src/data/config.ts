/** The settings (flags, environment, defaults) and their validation. */
import { availableParallelism } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { z } from 'zod';

/** A comma-separated list of assemblies and sequences (or `all`), as a list of names. */
const targetList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '')
      : v,
  z.array(z.string().min(1)),
);

/**
 * Every setting, from flags and environment, validated in one place. A bad value stops startup
 * with one line naming the setting and what it allows (see ConfigError).
 */
const configSchema = z.object({
  data: z.string().min(1, 'a folder with FASTA (.fa/.fasta/.fna + .fai) or raw sequence files'),
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  pretty: z.boolean(),
  /** One log line per request; benchmarks turn it off. */
  accessLog: z.boolean(),
  /** Largest answer (in bases) assembled in memory; larger ones are streamed. */
  streamThreshold: z.coerce.number().int().min(1024),
  /** The assembly served under /chrom (default: the data folder's own, else its first subfolder). */
  defaultAssembly: z.string().min(1).optional(),
  /** Compute missing refget digests in the background (tests of the pending state turn it off). */
  digests: z.boolean(),
  /** Processes serving the port (node:cluster); 1 is a single process without a cluster. */
  workers: z.coerce.number().int().min(1, 'a whole number of processes, at least 1').max(256),
  /** Warm the page cache with every mapped file in the background once listening. */
  preload: z.boolean({ error: 'on or off: 1, true, yes or 0, false, no' }),
  /**
   * Lock these mapped files in memory (mlock) at startup: `all`, or assemblies and sequences
   * (ASSEMBLY, ASSEMBLY:SEQUENCE, or a sequence of the default assembly); empty: none.
   */
  lock: targetList,
  /** Re-read the pages of these (same names as lock) that left the page cache, in the background. */
  keepWarm: targetList,
  /** The keeper's most re-read bytes per second, MiB. */
  keepWarmRate: z.coerce.number().min(0.1).max(65536),
  /** How often the keeper looks for pages that left the page cache, ms. */
  keepWarmInterval: z.coerce.number().int().min(100),
  /** Warn when a preloaded, locked or kept assembly has less than this % of its bytes in the page cache (0: never). */
  residencyWarn: z.coerce.number().min(0).max(100),
  /** How often that residency is checked for the warning, ms. */
  residencyCheckInterval: z.coerce.number().int().min(100),
  /** Most bases in one answer of /range, /region or refget (413 beyond); the default serves a whole human chromosome. */
  maxAnswerBases: z.coerce.number().int().min(1),
  /** Most regions in one POST /batch (413 beyond). */
  maxBatchRegions: z.coerce.number().int().min(1),
  /** Largest POST /batch body, in bytes (413 beyond). */
  batchBodyLimit: z.coerce.number().int().min(1024),
  /** Overload: answer 503 while the mean event-loop delay is over this many ms (0: not checked). */
  maxEventLoopDelay: z.coerce.number().int().min(0),
  /** Overload: answer 503 while the V8 heap in use is over this many bytes (0: not checked). */
  maxHeapUsedBytes: z.coerce.number().int().min(0),
  /** Time for a client to send a whole request (headers and body), ms (0: none). */
  requestTimeout: z.coerce.number().int().min(0),
  /** A connection idle this long (nothing read or written), ms, is closed (0: never). */
  connectionTimeout: z.coerce.number().int().min(0),
  /** An idle keep-alive connection is kept this long between requests, ms. */
  keepAliveTimeout: z.coerce.number().int().min(0),
  /** How often every mapped file is checked for changes on disk, ms (0: never). */
  dataCheckInterval: z.coerce.number().int().min(0),
  /** Memory for inflated BGZF blocks of bgzipped FASTA (an LRU shared by all requests of a process), MiB. */
  bgzfCacheMib: z.coerce.number().int().min(1),
  /**
   * SIGTERM/SIGINT: idle connections are closed at once; answers in flight get this long (ms) to
   * finish, then are cut, so the process exits within it (docker stop waits 10 s before SIGKILL).
   */
  shutdownGrace: z.coerce.number().int().min(0).max(600_000),
  /** Cache-Control max-age (seconds) of sequence and catalog answers; data changes only by reload. */
  cacheMaxAge: z.coerce.number().int().min(0),
  /** Compress answers when the client's Accept-Encoding asks (gzip, br, zstd where Node has it). */
  compression: z.boolean({ error: 'on or off: 1, true, yes or 0, false, no' }),
  /** Compression level: gzip and zstd 1-9 (zstd's scale goes higher, but its fast levels are what pays here), br maps 1-9 onto its quality. */
  compressionLevel: z.coerce.number().int().min(1).max(9),
  /** Answers of at most this many bytes are never compressed (the default is the fast path's largest answer). */
  compressionThreshold: z.coerce.number().int().min(0),
  /** Bearer token enabling POST /admin/reload (from the environment only); absent: the route answers 404. */
  adminToken: z.string().min(16, 'at least 16 characters').optional(),
});

export type Config = z.infer<typeof configSchema>;

export const defaults: Config = {
  data: '',
  port: 8080,
  host: '0.0.0.0',
  logLevel: 'info',
  pretty: false,
  accessLog: true,
  streamThreshold: 1 << 20,
  digests: true,
  workers: availableParallelism(),
  preload: false,
  lock: [],
  keepWarm: [],
  keepWarmRate: 64,
  keepWarmInterval: 10_000,
  residencyWarn: 90,
  residencyCheckInterval: 30_000,
  // 300 Mbp: more than the longest human chromosome (chr1, 248.9 Mbp in GRCh38 and T2T).
  maxAnswerBases: 300_000_000,
  maxBatchRegions: 1_000_000,
  batchBodyLimit: 64 * 1024 * 1024,
  maxEventLoopDelay: 1000,
  // Most of V8's heap limit: past it a process is close to failing anyway.
  maxHeapUsedBytes: Math.floor(getHeapStatistics().heap_size_limit * 0.9),
  requestTimeout: 60_000,
  connectionTimeout: 120_000,
  keepAliveTimeout: 65_000,
  dataCheckInterval: 2000,
  // 1,024 blocks of 64 KiB: the working set of a genome browser's view, many times over.
  bgzfCacheMib: 64,
  // Well inside docker stop's 10 s and Kubernetes' 30 s before SIGKILL.
  shutdownGrace: 5000,
  cacheMaxAge: 600,
  compression: true,
  compressionLevel: 1,
  // The fast path's largest answer: small answers are never worth a compressor.
  compressionThreshold: 16 * 1024,
};

export class ConfigError extends Error {}

/** Merge the layers (defaults < environment < flags) and validate the result. */
export function parseConfig(values: Record<string, unknown>): Config {
  const merged = { ...defaults, ...dropUndefined(values) };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.join('.');
    const value = key === 'adminToken' ? '(hidden)' : JSON.stringify(merged[key as keyof Config]);
    throw new ConfigError(`invalid setting ${settingName(key)}=${value}: ${issue.message}`);
  }
  return result.data;
}

/** Settings that may come from the environment, by variable name. */
export function configFromEnv(env: NodeJS.ProcessEnv): Partial<Record<keyof Config, unknown>> {
  return dropUndefined({
    data: env.SEQSERVE_DATA,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    defaultAssembly: env.SEQSERVE_DEFAULT_ASSEMBLY,
    workers: env.SEQSERVE_WORKERS,
    preload: envFlag(env.SEQSERVE_PRELOAD),
    lock: env.SEQSERVE_LOCK,
    keepWarm: env.SEQSERVE_KEEP_WARM,
    keepWarmRate: env.SEQSERVE_KEEP_WARM_RATE,
    keepWarmInterval: env.SEQSERVE_KEEP_WARM_INTERVAL,
    residencyWarn: env.SEQSERVE_RESIDENCY_WARN,
    residencyCheckInterval: env.SEQSERVE_RESIDENCY_CHECK_INTERVAL,
    maxAnswerBases: env.SEQSERVE_MAX_ANSWER_BASES,
    maxBatchRegions: env.SEQSERVE_MAX_BATCH_REGIONS,
    batchBodyLimit: env.SEQSERVE_BATCH_BODY_LIMIT,
    maxEventLoopDelay: env.SEQSERVE_MAX_EVENT_LOOP_DELAY,
    maxHeapUsedBytes: env.SEQSERVE_MAX_HEAP_USED_BYTES,
    requestTimeout: env.SEQSERVE_REQUEST_TIMEOUT,
    connectionTimeout: env.SEQSERVE_CONNECTION_TIMEOUT,
    keepAliveTimeout: env.SEQSERVE_KEEP_ALIVE_TIMEOUT,
    dataCheckInterval: env.SEQSERVE_DATA_CHECK_INTERVAL,
    bgzfCacheMib: env.SEQSERVE_BGZF_CACHE_MIB,
    shutdownGrace: env.SEQSERVE_SHUTDOWN_GRACE,
    cacheMaxAge: env.SEQSERVE_CACHE_MAX_AGE,
    compression: envFlag(env.SEQSERVE_COMPRESSION),
    compressionLevel: env.SEQSERVE_COMPRESSION_LEVEL,
    compressionThreshold: env.SEQSERVE_COMPRESSION_THRESHOLD,
    adminToken: env.SEQSERVE_ADMIN_TOKEN || undefined,
  });
}

/** 1/true/yes and 0/false/no (any case; empty is off); anything else is kept as it is, for validation to name. */
function envFlag(value: string | undefined): boolean | string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === '1' || v === 'true' || v === 'yes' || v === 'on') return true;
  if (v === '' || v === '0' || v === 'false' || v === 'no' || v === 'off') return false;
  return value;
}

const flagNames: Record<string, string> = {
  data: '--data / SEQSERVE_DATA',
  port: '--port / PORT',
  host: '--host / HOST',
  logLevel: '--log-level / LOG_LEVEL',
  accessLog: '--no-access-log',
  streamThreshold: '--stream-threshold',
  defaultAssembly: '--default-assembly / SEQSERVE_DEFAULT_ASSEMBLY',
  workers: '--workers / SEQSERVE_WORKERS',
  preload: '--preload / SEQSERVE_PRELOAD',
  lock: '--lock / SEQSERVE_LOCK',
  keepWarm: '--keep-warm / SEQSERVE_KEEP_WARM',
  keepWarmRate: '--keep-warm-rate / SEQSERVE_KEEP_WARM_RATE',
  keepWarmInterval: '--keep-warm-interval / SEQSERVE_KEEP_WARM_INTERVAL',
  residencyWarn: '--residency-warn / SEQSERVE_RESIDENCY_WARN',
  residencyCheckInterval: '--residency-check-interval / SEQSERVE_RESIDENCY_CHECK_INTERVAL',
  maxAnswerBases: '--max-answer-bases / SEQSERVE_MAX_ANSWER_BASES',
  maxBatchRegions: '--max-batch-regions / SEQSERVE_MAX_BATCH_REGIONS',
  batchBodyLimit: '--batch-body-limit / SEQSERVE_BATCH_BODY_LIMIT',
  maxEventLoopDelay: '--max-event-loop-delay / SEQSERVE_MAX_EVENT_LOOP_DELAY',
  maxHeapUsedBytes: '--max-heap-used-bytes / SEQSERVE_MAX_HEAP_USED_BYTES',
  requestTimeout: '--request-timeout / SEQSERVE_REQUEST_TIMEOUT',
  connectionTimeout: '--connection-timeout / SEQSERVE_CONNECTION_TIMEOUT',
  keepAliveTimeout: '--keep-alive-timeout / SEQSERVE_KEEP_ALIVE_TIMEOUT',
  dataCheckInterval: '--data-check-interval / SEQSERVE_DATA_CHECK_INTERVAL',
  bgzfCacheMib: '--bgzf-cache-mib / SEQSERVE_BGZF_CACHE_MIB',
  shutdownGrace: '--shutdown-grace / SEQSERVE_SHUTDOWN_GRACE',
  cacheMaxAge: '--cache-max-age / SEQSERVE_CACHE_MAX_AGE',
  compression: '--no-compression / SEQSERVE_COMPRESSION',
  compressionLevel: '--compression-level / SEQSERVE_COMPRESSION_LEVEL',
  compressionThreshold: '--compression-threshold / SEQSERVE_COMPRESSION_THRESHOLD',
  adminToken: 'SEQSERVE_ADMIN_TOKEN',
};

function settingName(key: string): string {
  return flagNames[key] ?? key;
}

function dropUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
