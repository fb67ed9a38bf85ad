/** `seqserve serve`: the settings from flags over environment over defaults, then the server. */
import { join } from 'node:path';
import { configFromEnv, parseConfig, type Config } from '../data/config.js';
import { ensureDemoGenome } from '../data/demo-genome.js';
import { packageRoot } from '../core/package-root.js';
import { serve } from '../server/server.js';
import type { ParsedCommand } from './usage.js';

export async function serveCommand({ values }: ParsedCommand): Promise<void> {
  const notes: string[] = [];
  const v = (flag: string) => values[flag];
  const data = (v('data') as string | undefined) ?? process.env.SEQSERVE_DATA;
  const config = parseConfig({
    ...configFromEnv(process.env),
    ...dropUndefined({
      port: v('port'),
      host: v('host'),
      logLevel: v('log-level'),
      pretty: v('pretty'),
      accessLog: v('no-access-log') ? false : undefined,
      streamThreshold: v('stream-threshold'),
      defaultAssembly: v('default-assembly'),
      workers: v('workers'),
      preload: v('preload'),
      lock: v('lock'),
      keepWarm: v('keep-warm'),
      keepWarmRate: v('keep-warm-rate'),
      keepWarmInterval: v('keep-warm-interval'),
      residencyWarn: v('residency-warn'),
      residencyCheckInterval: v('residency-check-interval'),
      maxAnswerBases: v('max-answer-bases'),
      maxBatchRegions: v('max-batch-regions'),
      batchBodyLimit: v('batch-body-limit'),
      maxEventLoopDelay: v('max-event-loop-delay'),
      maxHeapUsedBytes: v('max-heap-used-bytes'),
      requestTimeout: v('request-timeout'),
      connectionTimeout: v('connection-timeout'),
      keepAliveTimeout: v('keep-alive-timeout'),
      dataCheckInterval: v('data-check-interval'),
      bgzfCacheMib: v('bgzf-cache-mib'),
      shutdownGrace: v('shutdown-grace'),
      cacheMaxAge: v('cache-max-age'),
      compression: v('no-compression') ? false : undefined,
      compressionLevel: v('compression-level'),
      compressionThreshold: v('compression-threshold'),
    }),
    data: data ?? demoData(notes),
  } satisfies Partial<Record<keyof Config, unknown>>);
  await serve(config, notes);
}

/** The bundled demo genome, generated into a git-ignored folder on first start. */
function demoData(notes: string[]): string {
  const dir = join(packageRoot(), 'data', 'demo');
  if (ensureDemoGenome(dir)) notes.push(`first start: generated the demo genome into ${dir}`);
  return dir;
}

function dropUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
