/**
 * The log of a CLI command: news on stdout, warnings on stderr, each first wiping the
 * progress line of a terminal (if one is drawn) so that the two never share a line.
 */
import type { Progress } from '../core/progress.js';

export interface CommandLog {
  info(m: string): void;
  warn(m: string): void;
  /** The progress line to wipe before each message, once there is one. */
  progress: Progress | undefined;
}

export function consoleLog(): CommandLog {
  const log: CommandLog = {
    progress: undefined,
    info: (m) => {
      log.progress?.clearLine();
      console.log(m);
    },
    warn: (m) => {
      log.progress?.clearLine();
      console.error(`warning: ${m}`);
    },
  };
  return log;
}
