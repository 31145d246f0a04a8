// A loopback HTTP server that answers each request with the next scripted answer (or drops the connection). Loopback only.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback.js';

/** A status with a raw body, or `drop`: the connection is destroyed without an answer. */
export type ScriptedAnswer = { readonly status: number; readonly body: string; readonly headers?: Record<string, string> } | 'drop';

export interface ScriptedServer {
  readonly url: string;
  /** Answers still to give, first next; when empty, requests get 500. */
  readonly script: ScriptedAnswer[];
  /** Every request's headers and body, in arrival order. */
  readonly requests: { readonly headers: IncomingHttpHeaders; readonly body: string }[];
  close(): Promise<void>;
}

export const jsonAnswer = (status: number, body: unknown): ScriptedAnswer => ({ status, body: JSON.stringify(body) });

export async function startScriptedServer(path = '/'): Promise<ScriptedServer> {
  const script: ScriptedAnswer[] = [];
  const requests: ScriptedServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = script.shift() ?? { status: 500, body: 'unscripted request' };
      if (answer === 'drop') req.socket.destroy();
      else res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}${path}`,
    script,
    requests,
    close: () => closeServer(server),
  };
}
