/**
 * A raw HTTP/1.1 client over a socket, for requests that neither app.inject nor node:http will
 * send: malformed percent-encoding, spaces and control bytes in the path, huge request lines
 * and headers. No test cases here.
 */
import { connect } from 'node:net';

export interface RawAnswer {
  statusCode: number;
  headers: Record<string, string>;
  rawPayload: Buffer;
  /** The bytes as received, status line and headers included. */
  raw: Buffer;
}

/** Sends `GET path` (or another method) exactly as written and reads until the server closes. */
export function rawRequest(base: string, path: string, options: { method?: string; headers?: string[]; timeoutMs?: number } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  const head = [`${options.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', ...(options.headers ?? [])].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms to ${path.slice(0, 100)}`));
    }, options.timeoutMs ?? 10_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    // The server may close while we still write a huge request: what it answered is what counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.write(`${head}\r\n\r\n`, 'latin1');
  });
}

function parse(raw: Buffer): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { statusCode: 0, headers: {}, rawPayload: Buffer.alloc(0), raw };
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const statusCode = Number(lines[0]!.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = unchunk(body);
  return { statusCode, headers, rawPayload: body, raw };
}

function unchunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
