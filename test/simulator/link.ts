/**
 * A TCP relay that makes loopback behave like a wide-area link: every chunk in each direction
 * is delayed by RTT/2 (so TCP request/response and every TLS handshake flight pays real round
 * trips) and server→client bytes are paced to a bandwidth cap. It sits in front of the real
 * HTTP(S) server and forwards bytes untouched (TLS terminates at the server, not here).
 *
 * The kernel completes the TCP handshake before user space sees the connection, so the SYN
 * round trip cannot delay `connect`; when `chargeConnect` is on, that round trip is charged to
 * the client's first bytes instead. Totals per new connection then match a real link, but a
 * client's connect phase reads ~0 and its TLS/first-byte phase one RTT longer.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Lifetime } from './lifetime.js';

export interface LinkProfile {
  /** Round-trip time in milliseconds. */
  readonly latencyMs?: number;
  /** Server→client bytes per second; undefined: unlimited. */
  readonly bandwidthBps?: number;
  /** Charge the TCP handshake's round trip to the first client bytes (default true). */
  readonly chargeConnect?: boolean;
}

const HIGH_WATER = 256 * 1024;
const LOW_WATER = 64 * 1024;

type Item =
  | { readonly at: number; readonly kind: 'data'; readonly data: Buffer }
  | { readonly at: number; readonly kind: 'end' | 'reset' };

/** One direction of the link: FIFO with a delivery time per item, one timer for the head. */
class DelayLine {
  readonly #queue: Item[] = [];
  #queuedBytes = 0;
  #timer: NodeJS.Timeout | null = null;
  #linkFreeAt = 0;
  #lastAt = 0;
  #ended = false;
  #firstExtraMs: number;

  constructor(
    private readonly oneWayMs: number,
    private readonly bytesPerSec: number,
    private readonly dest: Socket,
    private readonly lifetime: Lifetime,
    private readonly onRoom: () => void,
    firstExtraMs: number,
  ) {
    this.#firstExtraMs = firstExtraMs;
    dest.on('drain', () => this.#maybeRoom());
  }

  get pendingBytes(): number {
    return this.#queuedBytes + this.dest.writableLength;
  }

  push(data: Buffer): void {
    const pieceSize = Number.isFinite(this.bytesPerSec)
      ? Math.max(1024, Math.min(16 * 1024, Math.floor(this.bytesPerSec / 50)))
      : data.length;
    for (let offset = 0; offset < data.length; offset += pieceSize) {
      const piece = data.subarray(offset, offset + pieceSize);
      this.#enqueue({ at: this.#deliveryTime(piece.length), kind: 'data', data: piece });
      this.#queuedBytes += piece.length;
    }
  }

  pushEnd(kind: 'end' | 'reset'): void {
    this.#enqueue({ at: this.#deliveryTime(0), kind });
  }

  clear(): void {
    this.lifetime.clearTimeout(this.#timer);
    this.#timer = null;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
  }

  #deliveryTime(bytes: number): number {
    const now = performance.now();
    const sendStart = Math.max(now, this.#linkFreeAt);
    this.#linkFreeAt =
      sendStart + (Number.isFinite(this.bytesPerSec) ? (bytes / this.bytesPerSec) * 1000 : 0);
    const at = Math.max(this.#linkFreeAt + this.oneWayMs + this.#firstExtraMs, this.#lastAt);
    this.#firstExtraMs = 0;
    this.#lastAt = at;
    return at;
  }

  #enqueue(item: Item): void {
    this.#queue.push(item);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== null || this.#queue.length === 0) return;
    const wait = this.#queue[0]!.at - performance.now();
    this.#timer = this.lifetime.setTimeout(
      () => {
        this.#timer = null;
        this.#flush();
      },
      Math.max(0, Math.ceil(wait)),
    );
  }

  #flush(): void {
    const now = performance.now() + 0.5;
    while (this.#queue.length > 0 && this.#queue[0]!.at <= now) {
      const item = this.#queue.shift()!;
      if (this.dest.destroyed || this.#ended) continue;
      if (item.kind === 'data') {
        this.#queuedBytes -= item.data.length;
        this.dest.write(item.data);
      } else if (item.kind === 'end') {
        this.#ended = true;
        this.dest.end();
      } else {
        this.#ended = true;
        resetSocket(this.dest);
      }
    }
    this.#schedule();
    this.#maybeRoom();
  }

  #maybeRoom(): void {
    if (this.pendingBytes < LOW_WATER) this.onRoom();
  }
}

function resetSocket(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function') {
    try {
      socket.resetAndDestroy();
      return;
    } catch {
      // Not a plain TCP socket handle: an ordinary close is the best we can do.
    }
  }
  socket.destroy();
}

function relayConnection(
  client: Socket,
  targetPort: number,
  profile: LinkProfile,
  lifetime: Lifetime,
): void {
  const rtt = profile.latencyMs ?? 0;
  const bandwidth = profile.bandwidthBps ?? Number.POSITIVE_INFINITY;
  const upstream = connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
  lifetime.track(client);
  lifetime.track(upstream);
  client.setNoDelay(true);
  upstream.setNoDelay(true);

  const connectCharge = (profile.chargeConnect ?? true) ? rtt : 0;
  const toServer = new DelayLine(
    rtt / 2,
    Number.POSITIVE_INFINITY,
    upstream,
    lifetime,
    () => client.resume(),
    connectCharge,
  );
  const toClient = new DelayLine(rtt / 2, bandwidth, client, lifetime, () => upstream.resume(), 0);

  client.on('data', (data: Buffer) => {
    toServer.push(data);
    if (toServer.pendingBytes > HIGH_WATER) client.pause();
  });
  upstream.on('data', (data: Buffer) => {
    toClient.push(data);
    if (toClient.pendingBytes > HIGH_WATER) upstream.pause();
  });
  client.on('end', () => toServer.pushEnd('end'));
  upstream.on('end', () => toClient.pushEnd('end'));
  upstream.on('error', () => toClient.pushEnd('reset'));
  // The client went away: nobody is left to deliver to, so the server side goes at once.
  client.on('error', () => {});
  client.on('close', () => {
    toClient.clear();
    toServer.clear();
    upstream.destroy();
  });
}

/** Starts a relay on 127.0.0.1 (ephemeral port) in front of 127.0.0.1:targetPort. */
export async function startLinkRelay(
  targetPort: number,
  profile: LinkProfile,
  lifetime: Lifetime,
  onConnection?: (socket: Socket) => void,
): Promise<Server> {
  const server = createServer({ allowHalfOpen: true }, (client) => {
    onConnection?.(client);
    relayConnection(client, targetPort, profile, lifetime);
  });
  lifetime.trackServer(server);
  await listen(server);
  return server;
}

export function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}
