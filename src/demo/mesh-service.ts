// The demo mesh service of `npm start`: verifies every request's assertion with @meshgate/consumer and echoes what it trusted.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAssertionVerifier, problemFor, verifyRequest, type AssertionVerifierOptions } from '@meshgate/consumer';

export interface DemoServiceOptions {
  /** 0 lets the OS choose. */
  readonly port: number;
  readonly host: string;
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  /** Passed to the verifier (tests). */
  readonly verifier?: Partial<AssertionVerifierOptions>;
}

export interface DemoService {
  readonly url: string;
  close(): Promise<void>;
}

const ECHOED_HEADER = /^(x-identity-.*|x-request-id|traceparent|tracestate|x-amzn-trace-id)$/;
const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parsedBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return null;
  if (contentType !== undefined && /json/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * Starts the demo service on `host:port`. Answers 200 with `{ trusted, method, path, query, headers, body }`
 * for a verified assertion (request line, query and body bytes included), 401 problem+json with the consumer's
 * code otherwise (503 if the JWKS is unreachable).
 *
 * @example
 * // given: declare const issuer: string, jwksUri: string;
 * const demo = await startDemoService({ port: 4001, host: '127.0.0.1', issuer, audience: 'demo-service', jwksUri });
 * await demo.close();
 */
export async function startDemoService(options: DemoServiceOptions): Promise<DemoService> {
  const verifier = createAssertionVerifier({
    ...options.verifier,
    issuer: options.issuer,
    audience: options.audience,
    jwksUri: options.jwksUri,
  });
  const server = createServer((req, res) => {
    const send = (status: number, type: string, payload: unknown): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(JSON.stringify(payload));
    };
    const serve = async (): Promise<void> => {
      // The consumer checks the body bytes against the assertion's body_sha256, so it reads them first.
      const bytes = await readBody(req);
      const trusted = await verifyRequest(verifier, req, { body: bytes });
      const url = new URL(req.url ?? '/', 'http://demo.invalid');
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => ECHOED_HEADER.test(name)));
      const query: Record<string, string | string[]> = {};
      for (const key of new Set(url.searchParams.keys())) {
        const all = url.searchParams.getAll(key);
        query[key] = all.length === 1 ? (all[0] ?? '') : all;
      }
      send(200, 'application/json', {
        trusted,
        method: req.method,
        path: url.pathname,
        query,
        headers,
        body: parsedBody(bytes.toString('utf8'), req.headers['content-type']),
      });
    };
    serve().catch((err: unknown) => {
      const { status, body } = problemFor(err);
      send(status, 'application/problem+json', body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
