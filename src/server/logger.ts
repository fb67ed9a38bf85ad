/** The server's pino logger, and a way to act once the lines logged so far are written. */
import { pino, type Logger } from 'pino';
import type { Config } from '../data/config.js';

/** pino JSON logs, or one human line per event with --pretty. */
export function createLogger(config: Pick<Config, 'logLevel' | 'pretty'>): Logger {
  return pino({
    level: config.logLevel,
    ...(config.pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
  });
}

/** What a sonic-boom destination (pino's default, asynchronous) shows of a write in flight. */
interface Destination {
  _writing?: unknown;
  once?(event: 'drain', listener: () => void): unknown;
}

/**
 * Calls `done` once every line logged so far has reached stdout. pino's flush(cb) calls back at
 * once while a write is still in flight (sonic-boom with minLength 0), so a line written to
 * stderr in the callback could reach a terminal before it; here a write in flight is waited for
 * ('drain'). Other destinations (the --pretty transport) fall back to flush(cb).
 */
export function whenLogsWritten(logger: Logger, done: () => void): void {
  const stream = (logger as unknown as Record<symbol, Destination | undefined>)[pino.symbols.streamSym];
  if (stream?._writing === true && typeof stream.once === 'function') stream.once('drain', done);
  else logger.flush(() => done());
}
