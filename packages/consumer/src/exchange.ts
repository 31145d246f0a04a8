// One RFC 8693 token exchange at meshgate's POST /token: the form, one retry on a 5xx or a lost connection, typed errors.
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE } from './wire-format.js';

/**
 * Why a delegated assertion could not be had: `exchange_refused` (meshgate answered 4xx: `oauthError` is the RFC 6749
 * §5.2 / RFC 8693 §2.2.2 code, e.g. `invalid_target` for an undeclared edge), `exchange_failed` (5xx twice, timeout,
 * network), `exchange_response_invalid` (a 200 that holds no usable token), `subject_invalid` (the subject token is
 * not a meshgate assertion this client can read).
 */
export type DelegationErrorCode = 'exchange_refused' | 'exchange_failed' | 'exchange_response_invalid' | 'subject_invalid';

/** A failed exchange. Messages carry meshgate's `error_description` at most, never a token. */
export class DelegationError extends Error {
  readonly code: DelegationErrorCode;
  /** The `error` meshgate answered with (`invalid_request`, `invalid_client`, `invalid_target`, `invalid_scope`). */
  readonly oauthError: string | undefined;
  /** The HTTP status of the last answer, when there was one. */
  readonly status: number | undefined;

  constructor(code: DelegationErrorCode, message: string, details: { oauthError?: string; status?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DelegationError';
    this.code = code;
    this.oauthError = details.oauthError;
    this.status = details.status;
  }
}

/** The part of WHATWG `fetch` the client uses; the global `fetch` is one, and so is a wrapper that SigV4-signs. */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ readonly status: number; text(): Promise<string> }>;

export interface ExchangeParams {
  readonly subjectToken: string;
  readonly audience: string;
  readonly method: string;
  readonly target: string;
  /** base64url SHA-256 of the body; undefined when there is no body. */
  readonly bodySha256: string | undefined;
  readonly scope: string | undefined;
  readonly actorToken: string | undefined;
}

export interface ExchangeResult {
  readonly token: string;
  readonly expiresInSeconds: number;
}

export interface ExchangeTransport {
  readonly endpoint: string;
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
}

const MAX_RESPONSE_CHARS = 65_536;

/** The RFC 8693 §2.1 form with meshgate's request-binding parameters, each parameter once. */
export function exchangeForm(p: ExchangeParams): string {
  const form = new URLSearchParams({
    grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
    subject_token: p.subjectToken,
    subject_token_type: JWT_TOKEN_TYPE,
    audience: p.audience,
    request_method: p.method.toUpperCase(),
    request_target: p.target,
  });
  if (p.bodySha256 !== undefined) form.set('body_sha256', p.bodySha256);
  if (p.scope !== undefined) form.set('scope', p.scope);
  if (p.actorToken !== undefined) {
    form.set('actor_token', p.actorToken);
    form.set('actor_token_type', ACCESS_TOKEN_TYPE);
  }
  return form.toString();
}

type Attempt = { ok: true; result: ExchangeResult } | { ok: false; error: DelegationError; retry: boolean };

async function attempt(t: ExchangeTransport, body: string): Promise<Attempt> {
  let status: number;
  let text: string;
  try {
    const res = await t.fetch(t.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(t.timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    return {
      ok: false,
      retry: true,
      error: new DelegationError('exchange_failed', 'the token endpoint could not be reached', { cause: err }),
    };
  }
  if (status >= 500)
    return { ok: false, retry: true, error: new DelegationError('exchange_failed', `the token endpoint answered ${status}`, { status }) };
  const json = parseObject(text);
  if (status !== 200) {
    const oauthError = typeof json.error === 'string' ? json.error : undefined;
    const description = typeof json.error_description === 'string' ? `: ${json.error_description.slice(0, 200)}` : '';
    return {
      ok: false,
      retry: false,
      error: new DelegationError('exchange_refused', `exchange refused (${oauthError ?? status})${description}`, { status, oauthError }),
    };
  }
  const token = json.access_token;
  const expiresIn = json.expires_in;
  if (typeof token !== 'string' || token.length === 0 || json.issued_token_type !== JWT_TOKEN_TYPE)
    return { ok: false, retry: false, error: invalidResponse(status, 'no access_token of the JWT token type') };
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0)
    return { ok: false, retry: false, error: invalidResponse(status, 'no positive expires_in') };
  return { ok: true, result: { token, expiresInSeconds: expiresIn } };
}

/** The answer's members; none for an oversized or non-JSON answer. Object() boxes a JSON primitive or null into something with no such members. */
function parseObject(text: string): Record<string, unknown> {
  if (text.length > MAX_RESPONSE_CHARS) return {};
  try {
    return Object(JSON.parse(text)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const invalidResponse = (status: number, why: string): DelegationError =>
  new DelegationError('exchange_response_invalid', `the token endpoint answered 200 with ${why}`, { status });

/**
 * Exchanges a subject assertion for a delegated one. A 5xx, a timeout or a lost connection is retried once (the
 * exchange is idempotent: it only signs); a 4xx never is, it is the caller's or the configuration's mistake.
 *
 * @example
 * // given: declare const subjectToken: string, actorToken: string;
 * const { token } = await exchange(
 *   { endpoint: 'http://127.0.0.1:3000/token', fetch: globalThis.fetch, timeoutMs: 2000 },
 *   { subjectToken, audience: 'payments-service', method: 'POST', target: '/charges', bodySha256: undefined, scope: undefined, actorToken },
 * );
 */
export async function exchange(t: ExchangeTransport, params: ExchangeParams): Promise<ExchangeResult> {
  const body = exchangeForm(params);
  let outcome = await attempt(t, body);
  if (!outcome.ok && outcome.retry) outcome = await attempt(t, body);
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}
