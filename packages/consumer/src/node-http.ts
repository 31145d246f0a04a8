// node:http / express-style helpers: verify the request, answer 401/503 problem+json, and read the identity later.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TrustedIdentity } from './claims.js';
import { ASSERTION_ERROR_STATUS, AssertionError } from './errors.js';
import { PROBLEM_CONTENT_TYPE, problemType } from './problem.js';
import type { AssertionVerifier } from './verifier.js';

/** What the helpers read from a request: node's IncomingMessage, or express's (which adds `originalUrl`). */
export type RequestLike = Pick<IncomingMessage, 'method' | 'url' | 'headers'> & {
  readonly headersDistinct?: IncomingMessage['headersDistinct'];
  readonly originalUrl?: string;
};

const verified = new WeakMap<object, TrustedIdentity>();
const TITLES: Readonly<Record<number, string>> = {
  401: 'Identity assertion rejected',
  403: 'Delegated call refused',
  503: 'Identity keys unavailable',
};

/**
 * Verifies a node:http request. Reads `headersDistinct` where node provides it, so a duplicated header is seen
 * as two values, and express's `originalUrl`, because a mounted router rewrites `url`. Pass the raw body bytes
 * as `body` to also check that they are the bytes meshgate validated and forwarded.
 *
 * @example
 * // given: declare const verifier: AssertionVerifier, req: IncomingMessage, rawBody: Buffer;
 * const identity = await verifyRequest(verifier, req, { body: rawBody });
 */
export async function verifyRequest(
  verifier: AssertionVerifier,
  req: RequestLike,
  options: { readonly body?: Uint8Array | string } = {},
): Promise<TrustedIdentity> {
  const identity = await verifier.verify({
    method: req.method ?? 'GET',
    path: req.originalUrl ?? req.url ?? '/',
    headers: req.headersDistinct ?? req.headers,
    body: options.body,
  });
  verified.set(req, identity);
  return identity;
}

/**
 * HTTP status and problem+json body (RFC 9457, meshgate's `type` URIs) for a rejection: the code's status from
 * {@link ASSERTION_ERROR_STATUS} (401; 403 for a refused actor; 503 when the JWKS is unreachable), 500 for anything that is not an
 * {@link AssertionError}. The body names the code only; the reason belongs in the service's own logs.
 *
 * @example
 * // given: declare const err: unknown, res: ServerResponse;
 * const { status, body } = problemFor(err);
 * res.writeHead(status, { 'content-type': 'application/problem+json' }).end(JSON.stringify(body));
 */
export function problemFor(err: unknown): { status: number; body: Record<string, unknown> } {
  const code = err instanceof AssertionError ? err.code : 'internal';
  const status = code === 'internal' ? 500 : ASSERTION_ERROR_STATUS[code];
  const title = TITLES[status] ?? 'Internal error';
  return { status, body: { type: problemType(code), title, status, code } };
}

/**
 * Express/connect-style middleware: verifies every request and answers 401 (or 503) problem+json itself,
 * so a handler behind it only ever sees verified callers. Read the identity with {@link identityFromRequest}.
 *
 * @example
 * // given: declare const verifier: AssertionVerifier;
 * // given: type Handler = (req: IncomingMessage, res: ServerResponse & { json(body: unknown): void }) => void;
 * // given: declare const app: { use(middleware: ReturnType<typeof assertionMiddleware>): void; get(path: string, handler: Handler): void };
 * app.use(assertionMiddleware(verifier));
 * app.get('/orders/:id', (req, res) => res.json({ caller: identityFromRequest(req).sub }));
 */
export function assertionMiddleware(verifier: AssertionVerifier) {
  return (req: RequestLike, res: ServerResponse, next: (err?: unknown) => void): void => {
    verifyRequest(verifier, req).then(
      () => next(),
      (err: unknown) => {
        const { status, body } = problemFor(err);
        res.writeHead(status, { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' }).end(JSON.stringify(body));
      },
    );
  };
}

/**
 * The identity verified for this request by {@link verifyRequest} or {@link assertionMiddleware}.
 * Throws `assertion_missing` when the request was never verified: a route outside the middleware is a bug, not a guest.
 *
 * @example
 * // given: declare const req: IncomingMessage;
 * const { sub, scopes } = identityFromRequest(req);
 */
export function identityFromRequest(req: object): TrustedIdentity {
  const identity = verified.get(req);
  if (identity === undefined)
    throw new AssertionError('assertion_missing', 'not_verified', 'this request was not verified by the assertion middleware');
  return identity;
}
