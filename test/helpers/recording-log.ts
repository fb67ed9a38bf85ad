/**
 * Logs for code that takes an { info, warn } log (prepare, the catalog, digest indexing): one
 * that keeps every message for the test to read, and one that drops them.
 */

interface RecordingLog {
  info(m: string): void;
  warn(m: string): void;
  /** Every info message, in order. */
  infos: string[];
  /** Every warning, in order. */
  warns: string[];
}

export function recordingLog(): RecordingLog {
  const infos: string[] = [];
  const warns: string[] = [];
  return { infos, warns, info: (m) => void infos.push(m), warn: (m) => void warns.push(m) };
}

/** A log that says nothing. */
export const silent = { info: () => {}, warn: () => {} };
