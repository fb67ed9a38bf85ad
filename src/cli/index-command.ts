/** `seqserve index DIR`: every .fai and digest sidecar written, so that serving starts complete. */
import { basename } from 'node:path';
import { openAssemblies } from '../data/assemblies.js';
import { Progress } from '../core/progress.js';
import { indexDigestsAsync } from '../refget/digest-sidecar.js';
import { consoleLog, type CommandLog } from './console-log.js';
import { interruptible } from './interrupt.js';

export async function indexCommand(dir: string): Promise<void> {
  const started = performance.now();
  const log = consoleLog();
  // Synchronous, and not interruptible by us: a .fai is written to a temporary name and renamed, so Ctrl-C's default exit is safe.
  let assemblies;
  try {
    assemblies = openAssemblies(dir, withIndexProgress(log));
  } finally {
    dropProgress(log);
  }
  try {
    const records = assemblies.list.flatMap((a) => a.catalog.records);
    let result;
    try {
      result = await interruptible((signal) =>
        indexDigestsAsync(records, log, {
          signal,
          onProgress: (done, total) => {
            if (total === 0) return;
            log.progress ??= new Progress('refget digests', total);
            log.progress.update(done);
          },
        }),
      );
      log.progress?.finish();
    } finally {
      log.progress?.stop();
    }
    const { reused, computed } = result;
    const s = ((performance.now() - started) / 1000).toFixed(1);
    const held = assemblies.list.length > 1 ? ` in ${assemblies.list.length} assemblies` : '';
    console.log(`${records.length} sequences${held}: digests of ${computed} computed, ${reused} already stored (${s} s)`);
  } finally {
    assemblies.close();
  }
}

/** The log given to the catalog, with a progress line per index it builds (.fai; .fai and .gzi of a bgzipped FASTA). */
function withIndexProgress(log: CommandLog) {
  let file: string | undefined;
  return {
    info: (m: string) => log.info(m),
    warn: (m: string) => log.warn(m),
    onIndexProgress: (path: string, bytesDone: number, bytesTotal: number) => {
      if (path !== file) {
        log.progress?.finish();
        file = path;
        log.progress = new Progress(`indexing ${basename(path)}`, bytesTotal);
      }
      log.progress!.update(bytesDone);
      if (bytesDone >= bytesTotal) {
        log.progress!.finish();
        log.progress = undefined;
      }
    },
  };
}

/** Ends the line on screen (if any) and forgets it, so that the next phase draws its own. */
function dropProgress(log: CommandLog): void {
  log.progress?.stop();
  log.progress = undefined;
}
