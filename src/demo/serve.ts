// The demo services' HTTP shell: JSON answers, the consumer's problem+json for any rejection, listen and close.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { problemFor } from '@meshgate/consumer';

/** Answers with a JSON body, never cached. */
export type Send = (status: number, type: string, payload: unknown) => void;

export interface DemoServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The raw body bytes; more than `maxBytes` destroys the request. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Listens on `host:port` and runs `handle` per request; whatever it throws is answered by the consumer's
 * `problemFor` (401/403/503 problem+json, or a bare 500).
 *
 * @example
 * const server = await serveDemo('127.0.0.1', 0, async (_req, send) => send(200, 'application/json', { ok: true }));
 * await server.close();
 */
export async function serveDemo(
  host: string,
  port: number,
  handle: (req: IncomingMessage, send: Send) => Promise<void>,
): Promise<DemoServer> {
  const server = createServer((req, res) => {
    const send: Send = (status, type, payload) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(JSON.stringify(payload));
    };
    handle(req, send).catch((err: unknown) => {
      const { status, body } = problemFor(err);
      send(status, 'application/problem+json', body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
