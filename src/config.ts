import { availableParallelism } from 'node:os';
import { z } from 'zod';

/**
 * Every setting, from flags and environment, validated in one place. A bad value stops startup
 * with one line naming the setting and what it allows (see ConfigError).
 */
export const configSchema = z.object({
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
};

export class ConfigError extends Error {}

/** Merge the layers (defaults < environment < flags) and validate the result. */
export function parseConfig(values: Record<string, unknown>): Config {
  const merged = { ...defaults, ...dropUndefined(values) };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.join('.');
    throw new ConfigError(`invalid setting ${settingName(key)}=${JSON.stringify(merged[key as keyof Config])}: ${issue.message}`);
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
};

function settingName(key: string): string {
  return flagNames[key] ?? key;
}

function dropUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
