// A JWKS endpoint on 127.0.0.1 whose keys, latency and health the test controls; it counts requests. Loopback only.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JwksServer {
  readonly url: string;
  /** `/jwks` URL on this server. */
  readonly jwksUri: string;
  requests: number;
  keys: Record<string, string>[];
  mode: 'ok' | 'down' | 'slow' | 'garbage';
  slowMs: number;
  close(): Promise<void>;
}

export async function startJwksServer(keys: Record<string, string>[]): Promise<JwksServer> {
  const state = { requests: 0, keys, mode: 'ok' as JwksServer['mode'], slowMs: 5000 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    if (state.mode === 'down') {
      res.writeHead(503).end();
    } else if (state.mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": not json');
    } else if (state.mode === 'slow') {
      const t = setTimeout(() => res.writeHead(200).end(JSON.stringify({ keys: state.keys })), state.slowMs);
      req.on('close', () => clearTimeout(t));
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    jwksUri: `${url}/jwks`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
