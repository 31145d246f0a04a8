// A real HTTP upstream on 127.0.0.1 (port chosen by the OS) whose behaviour each test picks per path.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

export interface UpstreamServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** TCP connections accepted so far: keep-alive reuse shows as fewer connections than requests. */
  connections(): number;
  close(): Promise<void>;
}

export type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse, seen: SeenRequest) => void;

/** Echoes the request as JSON (method, url, headers, body as UTF-8). */
export const echo: Behaviour = (_req, res, seen) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ method: seen.method, url: seen.url, headers: seen.headers, body: seen.body.toString('utf8') }));
};

export async function startUpstream(behaviour: Behaviour = echo): Promise<UpstreamServer> {
  const requests: SeenRequest[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      };
      requests.push(seen);
      behaviour(req, res, seen);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound by the OS, then released. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
