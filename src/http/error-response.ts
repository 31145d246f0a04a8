// THE one mapping from error to HTTP: every ErrorCode has exactly one status and title here.
import { isMeshgateError, type ErrorCode } from '../errors';
import { logger } from '../observability';
import { problemResult, problemType, type HttpResult, type Problem, type ProblemItem } from './problem';

interface HttpMapping {
  readonly status: number;
  readonly title: string;
  /** Whether the error's message may be shown to the caller as `detail` (never for 5xx: it may name internals). */
  readonly expose: boolean;
}

const unauthorized = (title: string): HttpMapping => ({ status: 401, title, expose: false });

/** `satisfies Record<ErrorCode, …>` makes the table exhaustive: a new code does not compile until it is mapped here. */
export const ERROR_HTTP = {
  config_invalid: { status: 503, title: 'Service is not configured correctly', expose: false },
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
  jwks_unavailable: { status: 503, title: 'Issuer keys unavailable', expose: false },
  scope_missing: { status: 403, title: 'Missing scope', expose: false },
  route_forbidden: { status: 403, title: 'Route not allowed for this identity', expose: false },
  route_not_found: { status: 404, title: 'No such route', expose: false },
  identity_missing: unauthorized('No verified identity'),
  payload_invalid: { status: 400, title: 'Request body does not match the schema', expose: true },
  payload_malformed: { status: 400, title: 'Request body is not well-formed', expose: true },
  payload_too_large: { status: 413, title: 'Request body too large', expose: true },
  media_type_unsupported: { status: 415, title: 'Unsupported media type', expose: true },
  upstream_unavailable: { status: 502, title: 'Upstream service unavailable', expose: false },
  upstream_timeout: { status: 504, title: 'Upstream service timed out', expose: false },
  key_set_unavailable: { status: 503, title: 'Signing keys unavailable', expose: false },
  assertion_missing: unauthorized('Identity assertion missing'),
  assertion_invalid: unauthorized('Identity assertion invalid'),
  assertion_expired: unauthorized('Identity assertion expired'),
  assertion_audience_mismatch: unauthorized('Identity assertion audience mismatch'),
  assertion_issuer_mismatch: unauthorized('Identity assertion issuer mismatch'),
  assertion_request_mismatch: unauthorized('Identity assertion bound to another request'),
  rotation_not_enabled: { status: 500, title: 'Rotation not enabled', expose: false },
  rotation_version_not_pending: { status: 500, title: 'Rotation version not pending', expose: false },
  rotation_step_failed: { status: 500, title: 'Rotation step failed', expose: false },
  audit_input_invalid: { status: 400, title: 'Audit input invalid', expose: true },
  internal: { status: 500, title: 'Internal error', expose: false },
  query_invalid: { status: 400, title: 'Query parameters do not match the schema', expose: true },
  upstream_response_too_large: { status: 502, title: 'Upstream response too large for API Gateway', expose: false },
  token_typ_not_allowed: unauthorized('Credential type not allowed'),
  token_lifetime_too_long: unauthorized('Credential lifetime too long'),
  token_scope_invalid: unauthorized('Credential scope malformed'),
  payload_ambiguous: { status: 400, title: 'Request body can be read more than one way', expose: true },
  key_set_empty: { status: 503, title: 'Signing keys not created yet', expose: false },
  key_secret_not_found: { status: 503, title: 'Signing key secret not found', expose: false },
  secrets_manager_unreachable: { status: 503, title: 'Signing keys unreachable', expose: false },
} as const satisfies Record<ErrorCode, HttpMapping>;

function problemItems(details: Readonly<Record<string, unknown>>): ProblemItem[] | undefined {
  const items = details.errors;
  return Array.isArray(items) && items.length > 0 ? (items as ProblemItem[]) : undefined;
}

/**
 * Turns any thrown value into a problem+json answer. A {@link MeshgateError} gets its code's status and title
 * (and its message as `detail` when the table allows); anything else is a bare 500 with no detail, and is logged.
 *
 * @example
 * return errorResult(err, event.requestContext.requestId);
 */
export function errorResult(err: unknown, requestId: string | undefined): HttpResult {
  return problemResult(toProblem(err, requestId));
}

/** The problem object for an error (see {@link errorResult}). */
export function toProblem(err: unknown, requestId: string | undefined): Problem {
  const instance = requestId === undefined ? {} : { instance: requestId };
  if (!isMeshgateError(err)) {
    logger.error('unexpected error', { error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
    const { status, title } = ERROR_HTTP.internal;
    return { type: problemType('internal'), code: 'internal', title, status, ...instance };
  }
  const mapping: HttpMapping = ERROR_HTTP[err.code];
  const errors = mapping.expose ? problemItems(err.details) : undefined;
  return {
    type: problemType(err.code),
    code: err.code,
    title: mapping.title,
    status: mapping.status,
    ...(mapping.expose ? { detail: err.message } : {}),
    ...instance,
    ...(errors ? { errors } : {}),
  };
}
