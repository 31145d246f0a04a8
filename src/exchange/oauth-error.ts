// The token endpoint's refusals in RFC 6749 §5.2 / RFC 8693 §2.2.2 words, and the JSON responses both ways.
import type { HttpResult } from '../http/problem';

/** RFC 6749 §5.2 and RFC 8693 §2.2.2 error codes this endpoint answers with (plus 503 when it cannot sign). */
export type OAuthErrorCode =
  'invalid_request' | 'invalid_client' | 'invalid_target' | 'invalid_scope' | 'unsupported_grant_type' | 'temporarily_unavailable';

const STATUS: Readonly<Record<OAuthErrorCode, number>> = {
  invalid_request: 400,
  // RFC 6749 §5.2: 401 when the client tried to authenticate (here: the actor always must).
  invalid_client: 401,
  invalid_target: 400,
  invalid_scope: 400,
  unsupported_grant_type: 400,
  temporarily_unavailable: 503,
};

/**
 * A refused exchange. `error` and `description` go to the caller; `reason` is the stable name of the rule that
 * refused it, for the decision log and the tests, never a token or a claim value an attacker chose.
 */
export class ExchangeRefusal extends Error {
  readonly error: OAuthErrorCode;
  readonly reason: string;
  readonly status: number;

  constructor(error: OAuthErrorCode, reason: string, description: string, options?: { cause?: unknown }) {
    super(description, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExchangeRefusal';
    this.error = error;
    this.reason = reason;
    this.status = STATUS[error];
  }
}

/** Shorthand for a refusal: `refuse('invalid_target', 'edge_undeclared', 'no edge orders → ledger')`. */
export function refuse(error: OAuthErrorCode, reason: string, description: string): ExchangeRefusal {
  return new ExchangeRefusal(error, reason, description);
}

// RFC 6749 §5.1: the response MUST carry Cache-Control: no-store and Pragma: no-cache; errors get the same.
const HEADERS = {
  'content-type': 'application/json;charset=UTF-8',
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'x-content-type-options': 'nosniff',
} as const;

/** A JSON token endpoint answer (success or error), never cached. */
export function oauthResult(status: number, body: Record<string, unknown>, extraHeaders: Record<string, string> = {}): HttpResult {
  return { statusCode: status, headers: { ...HEADERS, ...extraHeaders }, body: JSON.stringify(body), isBase64Encoded: false };
}

/**
 * The error response of a refusal. RFC 6749 §5.2: `error_description` is ASCII without `"` and `\`, so it is
 * reduced to that; a 401 carries the `WWW-Authenticate` challenge of the one scheme the actor can use.
 *
 * @example
 * refusalResult(refuse('invalid_scope', 'scope_widened', 'scope payments:refund is not granted'));
 */
export function refusalResult(refusal: ExchangeRefusal): HttpResult {
  const description = refusal.message.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?').slice(0, 300);
  const challenge: Record<string, string> = refusal.status === 401 ? { 'www-authenticate': 'AWS4-HMAC-SHA256' } : {};
  return oauthResult(refusal.status, { error: refusal.error, error_description: description }, challenge);
}
