/** The server's pino logger. */
import { pino, type Logger } from 'pino';
import type { Config } from '../data/config.js';

/** pino JSON logs, or one human line per event with --pretty. */
export function createLogger(config: Pick<Config, 'logLevel' | 'pretty'>): Logger {
  return pino({
    level: config.logLevel,
    ...(config.pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
  });
}
