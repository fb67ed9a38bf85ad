/** ConnectionDrain: closing the server within a bounded time without losing the tail of an answer. */
import type { Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { readSendQueues, sendQueueKey, type SendQueues } from './tcp-send-queue.js';

export interface DrainOptions {
  /** How long answers in flight get once closing starts; then every connection left is cut (config.shutdownGrace). */
  graceMs: number;
  /** How often the connections are looked at while draining. */
  pollMs?: number;
  /** The kernel's send queues (src/http/tcp-send-queue.ts); undefined where they cannot be known. */
  sendQueues?: () => SendQueues | undefined;
}

interface Tracked {
  /** Requests being answered (a keep-alive socket answers one at a time, but may have pipelined ones). */
  inFlight: number;
  /** The connection's key in the send-queue table, taken at connect (a destroyed socket forgets its addresses). */
  key: string | undefined;
  /** Ended with FIN: then we wait for the client's close. */
  ended: boolean;
  /** When its last answer was handed to the kernel (performance.now()); 0: none yet. */
  answeredAt: number;
}

/**
 * An answer handed to the kernel this long before closing began is taken as read. A more recent one
 * may sit unread in a proxy's buffer (docker's userland proxy acks megabytes it has not relayed), so
 * its connection is ended with FIN and kept until the client closes, or the grace ends.
 */
const settledMs = 1000;

/**
 * On close the server stops accepting, then: an idle connection whose last answer settled (settledMs)
 * is destroyed at once; a more recent one is ended with FIN and kept until its client closes; one whose
 * answer still sits in the kernel's send queue is kept until the client has taken it (a container's
 * network goes away with the process); at `graceMs` every connection left is reset. Where the send
 * queue cannot be read, an idle connection is ended with FIN and kept until the client closes.
 */
export class ConnectionDrain {
  private readonly sockets = new Map<Socket, Tracked>();
  private closing = false;
  /** Wakes the drain loop early: a connection closed or an answer finished. */
  private wake: (() => void) | undefined;
  private readonly pollMs: number;
  private readonly sendQueues: () => SendQueues | undefined;

  constructor(
    private readonly server: Server,
    private readonly options: DrainOptions,
  ) {
    this.pollMs = options.pollMs ?? 50;
    this.sendQueues = options.sendQueues ?? readSendQueues;
    server.on('connection', (socket: Socket) => {
      const key = sendQueueKey(socket.localAddress, socket.localPort, socket.remoteAddress, socket.remotePort);
      this.sockets.set(socket, { inFlight: 0, key, ended: false, answeredAt: 0 });
      socket.once('close', () => {
        this.sockets.delete(socket);
        this.wake?.();
      });
    });
    server.on('request', (request, response) => {
      const tracked = this.sockets.get(request.socket);
      if (!tracked) return;
      tracked.inFlight++;
      response.once('close', () => {
        tracked.inFlight--;
        tracked.answeredAt = performance.now();
        if (this.closing) this.wake?.();
      });
    });
  }

  /** Stops accepting, then resolves once every connection is closed: at once when all are idle, at the latest after graceMs. */
  async drain(): Promise<void> {
    this.closing = true;
    // Node's http close() would also destroy idle connections whose tail may still be queued; the
    // listening socket alone is closed here (in a cluster worker: the primary stops handing it connections).
    if (this.server.listening) NetServer.prototype.close.call(this.server);
    const began = performance.now();
    const deadline = began + this.options.graceMs;
    while (this.sockets.size > 0) {
      const left = deadline - performance.now();
      if (left <= 0) {
        for (const socket of this.sockets.keys()) cut(socket);
      } else {
        this.sweep(began);
      }
      if (this.sockets.size === 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => resolve(), Math.max(1, Math.min(this.pollMs, left)));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /**
   * Destroys each connection with nothing in flight and nothing left to send, whose last answer
   * had settled before closing `began`; ends the others that have nothing in flight with FIN (their
   * client closes once it has read everything).
   */
  private sweep(began: number): void {
    const idle = [...this.sockets].filter(([socket, t]) => t.inFlight === 0 && socket.writableLength === 0 && !socket.destroyed);
    if (idle.length === 0) return;
    const queues = this.sendQueues();
    for (const [socket, tracked] of idle) {
      const queue = queues === undefined || tracked.key === undefined ? undefined : queues.get(tracked.key);
      // Everything sent was acknowledged long enough ago: the client has it all.
      if (queue === 0 && began - tracked.answeredAt >= settledMs) socket.destroy();
      else if (!tracked.ended) {
        socket.end();
        tracked.ended = true;
      }
    }
  }
}

/**
 * Cuts a connection with RST: a plain close would leave what is still queued to be sent (MBs to a
 * client that stopped reading) to the kernel after we exit, and the client would see a clean FIN
 * after a truncated answer; a reset frees it at once and tells the client the answer is cut.
 */
function cut(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/**
 * What closing may take beyond the grace (the hooks after the drain: the digest thread, the
 * unmapping; then exit). The close-with-grace backstop of a process is grace + this, so a slow
 * drain, cut at the grace, never turns into its exit 1.
 */
export const closeMarginMs = 2000;
