// createDelegationClient: the assertion service A sends to B for its caller: cached, pre-minted, or exchanged once per key.
import { isAllowedJwksUrl } from './http-get.js';
import { decodeJsonObject } from './jws.js';
import { DelegationError, exchange, type FetchLike } from './exchange.js';
import { requestTargetHash } from './request-target.js';
import { DELEGATED_ASSERTION_TYP, MAX_PREMINTED_ASSERTIONS, bodyDigest } from './wire-format.js';

export interface DelegationClientOptions {
  /** meshgate's token endpoint (`<api>/token`). https, or http to a loopback address. */
  readonly tokenEndpoint: string;
  /**
   * How to POST: the global `fetch` by default. On AWS the exchange is IAM-authorised: pass a `fetch` that SigV4-signs
   * the request (service `execute-api`) with the service's role credentials.
   */
  readonly fetch?: FetchLike;
  /**
   * Off AWS and locally, the service proves who it is with a client-credentials access token from an issuer meshgate
   * trusts: return a current one (the function may cache it). Called once per exchange, never on a cache hit.
   */
  readonly actorToken?: () => string | Promise<string>;
  /** A cached assertion is exchanged again this long before it expires, so B never receives one about to lapse. @default 5 */
  readonly refreshBeforeExpirySeconds?: number;
  /** Deadline of one exchange attempt. @default 2000 */
  readonly timeoutMs?: number;
  /** Most cached assertions; expired ones go first, then the oldest. @default 1000 */
  readonly maxEntries?: number;
  /** Clock in epoch milliseconds (tests). @default Date.now */
  readonly now?: () => number;
}

/** The one call A is about to make to B, and the assertion A received for its own caller. */
export interface DelegatedCall {
  /** The `x-identity-assertion` A received (already verified by A). */
  readonly subjectToken: string;
  /** B's meshgate audience. */
  readonly audience: string;
  readonly method: string;
  /** Path and query exactly as B will receive them (`/charges?x=1`). */
  readonly target: string;
  /** The body bytes A will send, if any. */
  readonly body?: Uint8Array | string;
  /** Space-separated scopes to narrow to; absent = everything the edge and the subject allow. */
  readonly scope?: string;
  /** The `x-identity-delegations` header A received, if any: a pre-minted assertion for this call saves the exchange. */
  readonly preminted?: string | readonly string[];
}

export interface DelegationClient {
  /** The delegated assertion to send to B in `x-identity-assertion`, or a {@link DelegationError}. */
  assertionFor(call: DelegatedCall): Promise<string>;
}

interface Subject {
  readonly jti: string;
  readonly txn: string;
}

const MEMO_ENTRIES = 1024;
const MEMO_BODY_CHARS = 4096;

/** A bounded memo: the cached call path must not hash or parse what it has seen before (the ≤ 5 µs budget). */
function memo<T>(compute: (key: string) => T): (key: string) => T {
  const seen = new Map<string, T>();
  return (key) => {
    const known = seen.get(key);
    if (known !== undefined) return known;
    const value = compute(key);
    if (seen.size >= MEMO_ENTRIES) seen.clear();
    seen.set(key, value);
    return value;
  };
}

function unverifiedPart(token: string, index: 0 | 1): Record<string, unknown> | undefined {
  try {
    return decodeJsonObject(token.split('.')[index] ?? '', 'JWS');
  } catch {
    return undefined;
  }
}

const subjectOf = memo((token: string): Subject | null => {
  const claims = unverifiedPart(token, 1) ?? {};
  const jti = claims.jti;
  if (typeof jti !== 'string' || jti.length === 0) return null;
  return { jti, txn: typeof claims.txn === 'string' ? claims.txn : jti };
});

const requestHashOf = memo((methodAndTarget: string): string => {
  const space = methodAndTarget.indexOf(' ');
  return requestTargetHash(methodAndTarget.slice(0, space), methodAndTarget.slice(space + 1));
});
const stringBodyDigest = memo((body: string): string => bodyDigest(body));

function digestOf(body: Uint8Array | string | undefined): string {
  return typeof body === 'string' && body.length <= MEMO_BODY_CHARS ? stringBodyDigest(body) : bodyDigest(body);
}

function scopesWithin(granted: unknown, requested: string | undefined): boolean {
  if (requested === undefined) return true;
  const allowed = new Set(requested.split(' '));
  return typeof granted === 'string' && granted.split(' ').every((s) => s === '' || allowed.has(s));
}

/**
 * Creates the client A uses to call B on its caller's behalf. One assertion per (subject `jti`, audience, `req`, body
 * digest, scope), reused until shortly before it expires; concurrent identical calls share one exchange.
 *
 * @example
 * // given: declare const received: string; // the x-identity-assertion this request came with
 * const delegation = createDelegationClient({
 *   tokenEndpoint: 'https://meshgate.example.com/token',
 *   actorToken: async () => 'client-credentials access token of orders',
 * });
 * const assertion = await delegation.assertionFor({ subjectToken: received, audience: 'payments-service', method: 'POST', target: '/charges', body: '{"amount":5}' });
 */
export function createDelegationClient(options: DelegationClientOptions): DelegationClient {
  let endpoint: URL;
  try {
    endpoint = new URL(options.tokenEndpoint);
  } catch {
    throw new TypeError('tokenEndpoint must be an absolute URL');
  }
  if (!isAllowedJwksUrl(endpoint)) throw new TypeError('tokenEndpoint must be https (http only for loopback hosts)');
  const marginMs = (options.refreshBeforeExpirySeconds ?? 5) * 1000;
  const maxEntries = options.maxEntries ?? 1000;
  if (!(marginMs >= 0) || !Number.isInteger(maxEntries) || maxEntries < 1)
    throw new TypeError('refreshBeforeExpirySeconds or maxEntries is out of range');
  const now = options.now ?? Date.now;
  const transport = {
    endpoint: endpoint.href,
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 2000,
  };
  const cache = new Map<string, { token: string; refreshAt: number }>();
  const inflight = new Map<string, Promise<string>>();

  const remember = (key: string, token: string, expiresAtMs: number): void => {
    if (cache.size >= maxEntries) {
      const t = now();
      for (const [k, e] of cache) if (e.refreshAt <= t) cache.delete(k);
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    }
    cache.set(key, { token, refreshAt: expiresAtMs - marginMs });
  };

  /** A pre-minted assertion for exactly this call (same chain, audience, request and body), still fresh enough. */
  const preminted = (call: DelegatedCall, subject: Subject, req: string, digest: string): { token: string; expMs: number } | undefined => {
    const tokens = [call.preminted ?? []]
      .flat()
      .flatMap((v) => v.split(','))
      .map((t) => t.trim());
    for (const token of tokens.slice(0, MAX_PREMINTED_ASSERTIONS)) {
      const claims = unverifiedPart(token, 1);
      if (unverifiedPart(token, 0)?.typ !== DELEGATED_ASSERTION_TYP || claims === undefined || typeof claims.exp !== 'number') continue;
      const matches = claims.aud === call.audience && claims.req === req && claims.body_sha256 === digest && claims.txn === subject.txn;
      if (matches && scopesWithin(claims.scope, call.scope) && claims.exp * 1000 - marginMs > now())
        return { token, expMs: claims.exp * 1000 };
    }
    return undefined;
  };

  const fetchAssertion = async (key: string, call: DelegatedCall, subject: Subject, req: string, digest: string): Promise<string> => {
    const ready = preminted(call, subject, req, digest);
    if (ready !== undefined) {
      remember(key, ready.token, ready.expMs);
      return ready.token;
    }
    const actorToken = options.actorToken === undefined ? undefined : await options.actorToken();
    const started = now();
    const { token, expiresInSeconds } = await exchange(transport, {
      subjectToken: call.subjectToken,
      audience: call.audience,
      method: call.method,
      target: call.target,
      bodySha256: call.body === undefined ? undefined : digest,
      scope: call.scope,
      actorToken,
    });
    remember(key, token, started + expiresInSeconds * 1000);
    return token;
  };

  return {
    assertionFor(call: DelegatedCall): Promise<string> {
      const subject = subjectOf(call.subjectToken);
      if (subject === null) return Promise.reject(new DelegationError('subject_invalid', 'the subject token is no meshgate assertion'));
      const req = requestHashOf(`${call.method} ${call.target}`);
      const digest = digestOf(call.body);
      const key = `${subject.jti}\n${call.audience}\n${req}\n${digest}\n${call.scope ?? ''}`;
      const hit = cache.get(key);
      if (hit !== undefined && hit.refreshAt > now()) return Promise.resolve(hit.token);
      let pending = inflight.get(key);
      if (pending === undefined) {
        pending = fetchAssertion(key, call, subject, req, digest).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      return pending;
    },
  };
}
