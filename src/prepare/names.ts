/**
 * Which sequence names can become file names. The catalog serves `NAME.raw` under the name
 * NAME (the file name minus its extension, src/data/catalog.ts rawRecord) and decodes nothing, so a
 * percent-encoded file name would be served under its encoded spelling: a name that is not a
 * safe file name is refused, never rewritten.
 */
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Longest name in UTF-8 bytes: NAME.raw.tmp-PID.refget.tsv.tmp-PID must fit in 255 bytes. */
const MAX_NAME_BYTES = 200;

/** Why `name` cannot be the file name NAME.raw, or undefined when it can. */
export function unsafeNameReason(name: string, nameBytes: Buffer): string | undefined {
  if (name.length === 0) return 'the name is empty';
  if (!Buffer.from(name, 'utf8').equals(nameBytes)) return 'the name is not valid UTF-8, so no file name spells it';
  if (name.includes('/')) return 'it holds "/", which separates folders in a path';
  if (name.includes('\0')) return 'it holds a NUL byte';
  if (name.startsWith('.')) return 'it starts with ".", which would make a hidden file (or "." / "..")';
  if (nameBytes.length > MAX_NAME_BYTES) return `it is ${nameBytes.length} bytes long, more than the ${MAX_NAME_BYTES} a file name can hold here`;
  return undefined;
}

/** The raw file of a sequence: `NAME.raw`, which the catalog serves under NAME. */
export function rawFileName(name: string): string {
  return `${name}.raw`;
}

/** Whether `dir`'s file system treats file names differing only by case as the same file (macOS, Windows). */
export function isCaseInsensitive(dir: string): boolean {
  const probe = join(dir, `.seqserve-case-probe-${process.pid}`);
  writeFileSync(probe, '');
  try {
    return existsSync(join(dir, `.SEQSERVE-CASE-PROBE-${process.pid}`));
  } finally {
    unlinkSync(probe);
  }
}
