/** The kernel's TCP send queue of each connection, read from /proc/net/tcp{,6} while shutting down. */
import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { endianness } from 'node:os';

/**
 * The kernel's send queue of each TCP connection in this network namespace: bytes written by
 * the process but not yet acknowledged by the peer (the tx_queue column of /proc/net/tcp and
 * /proc/net/tcp6). Zero means the peer's kernel holds everything we sent, so closing the socket
 * and exiting cannot lose any of it, even in a container whose network goes away with us.
 * Read only while shutting down (src/http/connection-drain.ts), never on the request path.
 */
export type SendQueues = Map<string, number>;

const tables = ['/proc/net/tcp', '/proc/net/tcp6'];
const littleEndian = endianness() === 'LE';

/** The send queue of every connection, by sendQueueKey; undefined where /proc/net/tcp cannot be read (not Linux). */
export function readSendQueues(): SendQueues | undefined {
  const queues: SendQueues = new Map();
  let read = 0;
  for (const table of tables) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue; // tcp6 is absent where IPv6 is off
    }
    read++;
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue ...
      const fields = line.trim().split(/\s+/);
      if (fields.length < 5) continue;
      const local = procEndpoint(fields[1]!);
      const remote = procEndpoint(fields[2]!);
      const tx = Number.parseInt(fields[4]!.split(':')[0]!, 16);
      if (local === undefined || remote === undefined || !Number.isFinite(tx)) continue;
      const key = `${local}>${remote}`;
      // The same pair may linger in TIME_WAIT (queue 0) beside a live connection: keep the larger.
      queues.set(key, Math.max(queues.get(key) ?? 0, tx));
    }
  }
  return read > 0 ? queues : undefined;
}

/** The key of a connection, from our side: local address and port, then the peer's. Undefined for an address that cannot be parsed. */
export function sendQueueKey(
  localAddress: string | undefined,
  localPort: number | undefined,
  remoteAddress: string | undefined,
  remotePort: number | undefined,
): string | undefined {
  const local = addressHex(localAddress);
  const remote = addressHex(remoteAddress);
  if (local === undefined || remote === undefined || localPort === undefined || remotePort === undefined) return undefined;
  return `${local}:${localPort}>${remote}:${remotePort}`;
}

/** `0100007F:1F90` (address words in host byte order, port in hex) as `<32 hex digits>:8080`. */
function procEndpoint(field: string): string | undefined {
  const [hex, port] = field.split(':');
  if (hex === undefined || port === undefined || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const bytes = Buffer.alloc(hex.length / 2);
  for (let w = 0; w < hex.length / 8; w++) {
    const word = Number.parseInt(hex.slice(w * 8, w * 8 + 8), 16);
    if (littleEndian) bytes.writeUInt32LE(word, w * 4);
    else bytes.writeUInt32BE(word, w * 4);
  }
  return `${canonical(bytes)}:${Number.parseInt(port, 16)}`;
}

/** An address as Node gives it ('127.0.0.1', '::ffff:127.0.0.1', '::1', 'fe80::1%eth0') as 32 hex digits. */
function addressHex(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const plain = address.split('%')[0]!;
  if (isIPv4(plain)) return canonical(Buffer.from(plain.split('.').map(Number)));
  if (!isIPv6(plain)) return undefined;
  const groups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((g) => {
      if (!g.includes('.')) return [Number.parseInt(g, 16)];
      const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head, tail] = plain.split('::') as [string, string | undefined];
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  const bytes = Buffer.alloc(16);
  all.forEach((g, i) => bytes.writeUInt16BE(g, i * 2));
  return canonical(bytes);
}

/** IPv4 as its IPv4-mapped IPv6 form, so a v4 socket and a dual-stack one name the same peer alike. */
function canonical(bytes: Buffer): string {
  if (bytes.length === 4) return `00000000000000000000ffff${bytes.toString('hex')}`;
  return bytes.toString('hex');
}
