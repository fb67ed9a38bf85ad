import { readFileSync } from 'node:fs';

/** Anonymous resident memory of this process, KiB: heap and copies, not the file pages of a mapping. */
export function rssAnonKiB(): number {
  return Number(/RssAnon:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'latin1'))?.[1] ?? NaN);
}
