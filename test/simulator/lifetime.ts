/**
 * Owns every timer, socket and server of one simulator so that close() can release all of them:
 * a test must never hang on a handle the simulator forgot (blackholes and endless bodies included).
 */
import type { Server } from 'node:net';
import type { Duplex } from 'node:stream';

export class Lifetime {
  #closed = false;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #sockets = new Set<Duplex>();
  readonly #servers = new Set<Server>();
  readonly #closeHooks: Array<() => void> = [];
  readonly #sleepers = new Set<() => void>();

  get closed(): boolean {
    return this.#closed;
  }

  /** setTimeout that close() clears; a no-op once closed. */
  setTimeout(callback: () => void, ms: number): NodeJS.Timeout | null {
    if (this.#closed) return null;
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        callback();
      },
      Math.max(0, ms),
    );
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(timer: NodeJS.Timeout | null): void {
    if (timer === null) return;
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  /** Resolves after ms, or at close() (so loops that await it can check `closed` and stop). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#closed) return resolve();
      const wake = (): void => {
        this.#sleepers.delete(wake);
        resolve();
      };
      this.#sleepers.add(wake);
      this.setTimeout(wake, ms);
    });
  }

  /** Tracks a socket until it closes; close() destroys whatever is still open. */
  track(socket: Duplex): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  trackServer(server: Server): void {
    this.#servers.add(server);
  }

  onClose(hook: () => void): void {
    if (this.#closed) hook();
    else this.#closeHooks.push(hook);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const wake of [...this.#sleepers]) wake();
    for (const hook of this.#closeHooks.splice(0)) hook();
    const closing = [...this.#servers].map(
      (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await Promise.all(closing);
    this.#servers.clear();
  }
}
