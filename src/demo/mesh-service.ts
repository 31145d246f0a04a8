// The demo mesh service of `npm start`: verifies every request's assertion with @meshgate/consumer and echoes what it trusted.
import { createAssertionVerifier, verifyRequest, type AssertionVerifierOptions } from '@meshgate/consumer';
import { readBody, serveDemo, type DemoServer } from './serve';

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

export type DemoService = DemoServer;

const ECHOED_HEADER = /^(x-identity-.*|x-request-id|traceparent|tracestate|x-amzn-trace-id)$/;
const MAX_BODY_BYTES = 1024 * 1024;

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
  return serveDemo(options.host, options.port, async (req, send) => {
    // The consumer checks the body bytes against the assertion's body_sha256, so it reads them first.
    const bytes = await readBody(req, MAX_BODY_BYTES);
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
  });
}
