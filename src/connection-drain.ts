import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Closing without losing the tail of an answer. When a response has been written, its last
 * bytes may still sit in socket buffers (ours, a proxy's, the client's); Node's server.close()
 * then destroys the now idle connection and the process exits. On a host that is harmless (the
 * kernel still delivers what was written), but in a container the network namespace goes away
 * with the process and the tail is lost: a client reading slowly through `docker stop` got a
 * truncated answer. So on close every connection is ended (FIN after the data) once its answer is
 * written, and close waits until the client has closed its side too, which it does only after
 * reading everything, or until `lingerMs` has passed.
 */
export class ConnectionDrain {
  private readonly sockets = new Set<Socket>();
  /** Requests being answered on each socket (a keep-alive socket answers one at a time). */
  private readonly inFlight = new WeakMap<Socket, number>();
  private closing = false;

  constructor(server: Server, private readonly lingerMs = 5000) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (request, response) => {
      const socket = request.socket;
      this.inFlight.set(socket, (this.inFlight.get(socket) ?? 0) + 1);
      response.once('close', () => {
        const left = (this.inFlight.get(socket) ?? 1) - 1;
        this.inFlight.set(socket, left);
        if (this.closing && left === 0) this.end(socket);
      });
    });
  }

  /** Ends every idle connection now and each busy one when its answer is written; resolves once all are closed. */
  async drain(): Promise<void> {
    this.closing = true;
    const waits: Promise<void>[] = [];
    for (const socket of this.sockets) {
      waits.push(new Promise((resolve) => socket.once('close', () => resolve())));
      if ((this.inFlight.get(socket) ?? 0) === 0) this.end(socket);
    }
    await Promise.all(waits);
  }

  private end(socket: Socket): void {
    if (socket.destroyed) return;
    socket.end();
    // A client that never closes its side (or never reads) must not hold the shutdown.
    setTimeout(() => socket.destroy(), this.lingerMs).unref();
  }
}
