/**
 * Writing responses, well-behaved and hostile. Hostile writers that must break HTTP framing
 * (slow headers, header floods) write raw bytes to the socket and never touch `res`.
 */
import { type IncomingMessage, STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Lifetime } from './lifetime.js';
import type { SimpleResponse } from './sumdb.js';

export type { SimpleResponse };

export interface StatusSink {
  status: number;
}

export function textResponse(status: number, body: string): SimpleResponse {
  return {
    status,
    contentType: 'text/plain; charset=utf-8',
    body: Buffer.from(body.endsWith('\n') ? body : `${body}\n`),
  };
}

export function send(
  res: ServerResponse,
  response: SimpleResponse,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  res.writeHead(response.status, {
    'Content-Type': response.contentType,
    'Content-Length': String(response.body.length),
    ...extraHeaders,
  });
  res.end(response.body);
}

/** The TCP socket under a (possibly TLS) request socket: resets must hit TCP, not TLS. */
function tcpSocket(socket: Socket): Socket {
  const parent = (socket as Socket & { _parent?: unknown })._parent;
  return parent && typeof parent === 'object' && 'resetAndDestroy' in parent
    ? (parent as Socket)
    : socket;
}

export function resetConnection(socket: Socket): void {
  const tcp = tcpSocket(socket);
  try {
    tcp.resetAndDestroy();
  } catch {
    tcp.destroy();
  }
  socket.destroy();
}

/** Full Content-Length, part of the body, then a TCP reset. */
export function sendThenReset(
  res: ServerResponse,
  response: SimpleResponse,
  afterBytes: number,
): void {
  const socket = res.socket;
  res.writeHead(200, {
    'Content-Type': response.contentType,
    'Content-Length': String(response.body.length),
  });
  const part = response.body.subarray(
    0,
    Math.min(afterBytes, Math.max(0, response.body.length - 1)),
  );
  res.write(part, () => {
    if (socket) resetConnection(socket);
  });
}

/** Headers at once, then the body a few bytes at a time. */
export async function sendSlowBody(
  res: ServerResponse,
  response: SimpleResponse,
  lifetime: Lifetime,
  intervalMs: number,
  chunkBytes: number,
): Promise<void> {
  res.writeHead(response.status, {
    'Content-Type': response.contentType,
    'Content-Length': String(response.body.length),
  });
  res.flushHeaders();
  for (let offset = 0; offset < response.body.length; offset += chunkBytes) {
    await lifetime.sleep(intervalMs);
    if (lifetime.closed || res.destroyed) return;
    res.write(response.body.subarray(offset, offset + chunkBytes));
  }
  res.end();
}

const FILLER = Buffer.from(
  '// an enormous body from the simulator, it never seems to end\n'.repeat(1024),
);

/** A body of `bytes` bytes, or endless (chunked) when undefined; honours backpressure. */
export async function sendHuge(
  res: ServerResponse,
  contentType: string,
  lifetime: Lifetime,
  bytes: number | undefined,
): Promise<void> {
  res.writeHead(200, {
    'Content-Type': contentType,
    ...(bytes === undefined ? {} : { 'Content-Length': String(bytes) }),
  });
  let left = bytes ?? Number.POSITIVE_INFINITY;
  while (left > 0 && !lifetime.closed && !res.destroyed) {
    const chunk = left >= FILLER.length ? FILLER : FILLER.subarray(0, left);
    left -= chunk.length;
    if (!res.write(chunk)) await drained(res);
  }
  if (!res.destroyed && left <= 0) res.end();
}

/** close() destroys every socket, so 'close' always comes. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/** Raw response with `count` junk headers before the real ones. */
export function sendHeaderFlood(
  req: IncomingMessage,
  response: SimpleResponse,
  count: number,
  sink: StatusSink,
): void {
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`];
  for (let i = 0; i < count; i++) lines.push(`X-Flood-${i}: ${'f'.repeat(24)}`);
  lines.push(
    `Content-Type: ${response.contentType}`,
    `Content-Length: ${response.body.length}`,
    'Connection: close',
    '',
    '',
  );
  sink.status = response.status;
  req.socket.end(Buffer.concat([Buffer.from(lines.join('\r\n')), response.body]));
}

/** The status line, then one header byte every intervalMs, forever (until the client or close() ends it). */
export async function sendSlowHeaders(
  req: IncomingMessage,
  lifetime: Lifetime,
  intervalMs: number,
  sink: StatusSink,
): Promise<void> {
  const socket = req.socket;
  sink.status = 200;
  socket.write('HTTP/1.1 200 OK\r\nX-Slow-Drip: ');
  while (!lifetime.closed && !socket.destroyed) {
    await lifetime.sleep(intervalMs);
    if (!socket.destroyed && !lifetime.closed) socket.write('a');
  }
}

export function basicAuthMatches(
  header: string | undefined,
  user: string,
  password: string,
): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice('Basic '.length).trim(), 'base64').toString('utf8');
  return decoded === `${user}:${password}`;
}
