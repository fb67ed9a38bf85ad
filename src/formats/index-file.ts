/** Saving an index built at startup beside its data file, or keeping it in memory when that folder is read-only. */
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';

export interface IndexLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/**
 * Saves an index built at startup (.fai, .gzi) beside its data file: written under a temporary
 * name, then renamed, so an interrupted start never leaves half an index. A folder that cannot be
 * written (a read-only volume) is not an error: the index is kept in memory and rebuilt at every
 * start, which the warning says, with the fix.
 */
export function saveIndex(indexPath: string, bytes: Buffer, dataPath: string, log: IndexLog, detail: string): boolean {
  try {
    const tmp = `${indexPath}.tmp-${process.pid}`;
    writeFileSync(tmp, bytes);
    try {
      renameSync(tmp, indexPath);
    } catch (e) {
      unlinkSync(tmp);
      throw e;
    }
    log.info(`built index ${indexPath} (${detail})`);
    return true;
  } catch (e) {
    log.warn(
      `built index for ${dataPath} in memory (${detail}) but could not save ${indexPath} (${(e as NodeJS.ErrnoException).code ?? String(e)}); it will be rebuilt at every start: run samtools faidx ${dataPath} where the folder is writable`,
    );
    return false;
  }
}
