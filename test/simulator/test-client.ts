/**
 * HTTP clients for the simulator's own tests: undici with the simulator CA passed explicitly
 * (works with or without NODE_EXTRA_CA_CERTS), and a raw node:https request for hostile replies.
 */
import { request as httpRequest } from 'node:http';
import { type RequestOptions, request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { Agent, type RequestInit, type Response, fetch } from 'undici';

export interface SimClient {
  fetch(url: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** A client with its own connection pool; `close()` destroys its sockets. */
export function simClient(caPem: string, options: { maxHeaderSize?: number } = {}): SimClient {
  const dispatcher = new Agent({ connect: { ca: caPem }, ...options });
  return {
    fetch: (url, init = {}) => fetch(url, { ...init, dispatcher }),
    close: () => dispatcher.destroy(),
  };
}

export interface RawResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawHeaderCount: number;
  readonly body: Buffer;
}

/** One GET with node:http(s), no pooling, no header count limit; rejects on any socket or parse error or idle `timeout`. */
export function rawGet(
  url: string,
  caPem: string,
  options: RequestOptions = {},
): Promise<RawResult> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: caPem, agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('aborted')));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaderCount: res.rawHeaders.length / 2,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.maxHeadersCount = 0;
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Sends a GET over a raw TLS socket and returns whatever bytes arrive within `ms`. */
export function rawTlsExchange(url: string, caPem: string, ms: number): Promise<string> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = tlsConnect(
      { host: target.hostname, port: Number(target.port), ca: caPem },
      () => {
        socket.write(`GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`);
      },
    );
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }, ms);
  });
}
