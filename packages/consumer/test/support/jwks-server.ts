// A JWKS endpoint on 127.0.0.1 whose keys, latency and health the test controls; it counts requests. Loopback only.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback.js';

export interface JwksServer {
  readonly url: string;
  /** `/jwks` URL on this server. */
  readonly jwksUri: string;
  requests: number;
  keys: Record<string, string>[];
  /** `held`: each request waits, unanswered, until {@link release}. */
  mode: 'ok' | 'down' | 'slow' | 'garbage' | 'held';
  slowMs: number;
  /** Requests waiting in `held` mode. */
  readonly waiting: number;
  /** Answers every held request with the current keys (and leaves the mode as it is). */
  release(): void;
  close(): Promise<void>;
}

export async function startJwksServer(keys: Record<string, string>[]): Promise<JwksServer> {
  const state = { requests: 0, keys, mode: 'ok' as JwksServer['mode'], slowMs: 5000 };
  const held: ServerResponse[] = [];
  const answer = (res: ServerResponse) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  const server: Server = createServer((req, res) => {
    state.requests++;
    if (state.mode === 'held') {
      held.push(res);
      res.on('close', () => held.includes(res) && held.splice(held.indexOf(res), 1));
    } else if (state.mode === 'down') {
      res.writeHead(503).end();
    } else if (state.mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": not json');
    } else if (state.mode === 'slow') {
      const t = setTimeout(() => res.writeHead(200).end(JSON.stringify({ keys: state.keys })), state.slowMs);
      req.on('close', () => clearTimeout(t));
    } else {
      answer(res);
    }
  });
  const url = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  // A getter, defined (Object.assign would copy its value once).
  Object.defineProperty(state, 'waiting', { get: () => held.length });
  return Object.assign(state as typeof state & { readonly waiting: number }, {
    url,
    jwksUri: `${url}/jwks`,
    release: () => held.splice(0).forEach(answer),
    close: () => closeServer(server),
  });
}
