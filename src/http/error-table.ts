// THE one error table: every ErrorCode's HTTP status, problem title, whether its message may be shown, and its log outcome.
import { ASSERTION_ERROR_STATUS, type AssertionErrorCode } from '@meshgate/consumer';
import type { ErrorCode } from '../errors';

/** The access-decision outcome an error ends a request in (docs/log-queries.md); `allow` is the one success. */
export type ErrorOutcome = 'unauthorized' | 'deny' | 'invalid' | 'not_found' | 'upstream_error' | 'error';

export interface ErrorRow {
  readonly status: number;
  /** The problem+json `title`: fixed per code, so it never carries request data. */
  readonly title: string;
  /** Whether the error's message may be shown to the caller as `detail` (never for 5xx: it may name internals). */
  readonly expose: boolean;
  readonly outcome: ErrorOutcome;
}

const unauthorized = (title: string): ErrorRow => ({ status: 401, title, expose: false, outcome: 'unauthorized' });
const denied = (title: string): ErrorRow => ({ status: 403, title, expose: false, outcome: 'deny' });
const badRequest = (status: 400 | 413 | 415 | 431, title: string): ErrorRow => ({ status, title, expose: true, outcome: 'invalid' });
const upstream = (status: 502 | 504, title: string): ErrorRow => ({ status, title, expose: false, outcome: 'upstream_error' });
const failure = (status: 500 | 503, title: string): ErrorRow => ({ status, title, expose: false, outcome: 'error' });
const gateway = (status: 400 | 403 | 429 | 500 | 504, title: string): ErrorRow => ({ status, title, expose: false, outcome: 'error' });
// The consumer package owns its codes' statuses (services answer with them); meshgate reuses them, never restates them.
const consumer = (code: AssertionErrorCode & ErrorCode, title: string): ErrorRow => ({
  status: ASSERTION_ERROR_STATUS[code],
  title,
  expose: false,
  outcome: 'error',
});

/**
 * `satisfies Record<ErrorCode, …>` makes the table exhaustive: a new code does not compile until it has a row here
 * (and docs/errors.md, which test/docs/errors-doc.test.ts compares with this table, documents it).
 *
 * @example
 * const { status, title, outcome } = ERROR_TABLE['payload_too_large']; // 413, 'Request body too large', 'invalid'
 */
export const ERROR_TABLE = {
  config_invalid: failure(503, 'Service is not configured correctly'),
  token_missing: unauthorized('Credential missing'),
  token_malformed: unauthorized('Credential malformed'),
  token_too_large: unauthorized('Credential too large'),
  token_alg_not_allowed: unauthorized('Credential algorithm not allowed'),
  token_crit_unsupported: unauthorized('Credential has an unsupported critical header'),
  token_expired: unauthorized('Credential expired'),
  token_not_yet_valid: unauthorized('Credential not yet valid'),
  token_iat_in_future: unauthorized('Credential issued in the future'),
  token_exp_missing: unauthorized('Credential has no expiry'),
  token_signature_invalid: unauthorized('Credential signature invalid'),
  token_kid_unknown: unauthorized('Credential signed by an unknown key'),
  token_claim_invalid: unauthorized('Credential claim invalid'),
  issuer_untrusted: unauthorized('Credential issuer not trusted'),
  audience_mismatch: unauthorized('Credential audience mismatch'),
  token_use_mismatch: unauthorized('Credential use mismatch'),
  jwks_unavailable: consumer('jwks_unavailable', 'Issuer keys unavailable'),
  scope_missing: denied('Missing scope'),
  route_forbidden: denied('Route not allowed for this identity'),
  route_not_found: { status: 404, title: 'No such route', expose: false, outcome: 'not_found' },
  identity_missing: unauthorized('No verified identity'),
  payload_invalid: badRequest(400, 'Request body does not match the schema'),
  payload_malformed: badRequest(400, 'Request body is not well-formed'),
  payload_too_large: badRequest(413, 'Request body too large'),
  media_type_unsupported: badRequest(415, 'Unsupported media type'),
  upstream_unavailable: upstream(502, 'Upstream service unavailable'),
  upstream_timeout: upstream(504, 'Upstream service timed out'),
  key_set_unavailable: failure(503, 'Signing keys unavailable'),
  assertion_missing: consumer('assertion_missing', 'Identity assertion missing'),
  assertion_invalid: consumer('assertion_invalid', 'Identity assertion invalid'),
  assertion_expired: consumer('assertion_expired', 'Identity assertion expired'),
  assertion_audience_mismatch: consumer('assertion_audience_mismatch', 'Identity assertion audience mismatch'),
  assertion_issuer_mismatch: consumer('assertion_issuer_mismatch', 'Identity assertion issuer mismatch'),
  assertion_request_mismatch: consumer('assertion_request_mismatch', 'Identity assertion bound to another request'),
  assertion_actor_refused: consumer('assertion_actor_refused', 'Delegated call refused'),
  rotation_not_enabled: failure(500, 'Rotation not enabled'),
  rotation_version_not_pending: failure(500, 'Rotation version not pending'),
  rotation_step_failed: failure(500, 'Rotation step failed'),
  audit_input_invalid: { status: 400, title: 'Audit input invalid', expose: true, outcome: 'error' },
  internal: failure(500, 'Internal error'),
  query_invalid: badRequest(400, 'Query parameters do not match the schema'),
  upstream_response_too_large: upstream(502, 'Upstream response too large for API Gateway'),
  token_typ_not_allowed: unauthorized('Credential type not allowed'),
  token_lifetime_too_long: unauthorized('Credential lifetime too long'),
  token_scope_invalid: unauthorized('Credential scope malformed'),
  payload_ambiguous: badRequest(400, 'Request body can be read more than one way'),
  key_set_empty: failure(503, 'Signing keys not created yet'),
  key_secret_not_found: failure(503, 'Signing key secret not found'),
  secrets_manager_unreachable: failure(503, 'Signing keys unreachable'),
  key_file_missing: failure(503, 'Local signing key file missing'),
  method_override_refused: badRequest(400, 'Request carries a method override'),
  headers_too_large: badRequest(431, 'Request headers too large to forward'),
  // Answered by API Gateway itself (src/http/gateway-responses.ts), never thrown by a function.
  credential_rejected: unauthorized('Credential missing or not accepted'),
  request_unauthenticated: { status: 403, title: 'No such route, or the request is not signed', expose: false, outcome: 'unauthorized' },
  request_blocked: gateway(403, 'Request blocked'),
  request_rejected: gateway(400, 'Request rejected'),
  throttled: gateway(429, 'Too many requests'),
  authorizer_failed: gateway(500, 'Authorizer failed'),
  integration_failed: gateway(504, 'Service did not answer'),
  gateway_error: gateway(500, 'Gateway error'),
} as const satisfies Record<ErrorCode, ErrorRow>;
