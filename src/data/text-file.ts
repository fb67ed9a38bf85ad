/** The small text files beside the sequences (alias files, assembly reports), read at startup. */
import { readFileSync } from 'node:fs';
import { DataError } from '../core/errors.js';

/** The file's text; a DataError naming it and the fix when it cannot be read. `what` names the file's kind, `without` what removing it loses. */
export function readTextFile(path: string, what: string, without: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(
      `cannot read ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)}); make it readable by this user, or remove it to serve ${without}`,
    );
  }
}
