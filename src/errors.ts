// The one error base for meshgate: every failure has a stable `code` that callers switch on.

/** Every error code meshgate emits. `docs/errors.md` documents each one. */
export const ERROR_CODES = [
  // configuration (a deploy or cold-start problem, never a request problem)
  'config_invalid',
  // authorizer: token problems, all answered with 401 Unauthorized
  'token_missing',
  'token_malformed',
  'token_too_large',
  'token_alg_not_allowed',
  'token_crit_unsupported',
  'token_expired',
  'token_not_yet_valid',
  'token_iat_in_future',
  'token_exp_missing',
  'token_signature_invalid',
  'token_kid_unknown',
  'token_claim_invalid',
  'issuer_untrusted',
  'audience_mismatch',
  'token_use_mismatch',
  'jwks_unavailable',
  // authorizer: identity is fine, but not allowed here (403)
  'scope_missing',
  'route_forbidden',
  // ingress
  'route_not_found',
  'identity_missing',
  'payload_invalid',
  'payload_malformed',
  'payload_too_large',
  'media_type_unsupported',
  'upstream_unavailable',
  'upstream_timeout',
  'key_set_unavailable',
  // assertion consumer
  'assertion_missing',
  'assertion_invalid',
  'assertion_expired',
  'assertion_audience_mismatch',
  'assertion_issuer_mismatch',
  'assertion_request_mismatch',
  'assertion_actor_refused',
  // rotation and audit
  'rotation_not_enabled',
  'rotation_version_not_pending',
  'rotation_step_failed',
  'audit_input_invalid',
  'internal',
  // ingress (appended)
  'query_invalid',
  'upstream_response_too_large',
  // identity integrity (appended)
  'token_typ_not_allowed',
  'token_lifetime_too_long',
  'token_scope_invalid',
  'payload_ambiguous',
  // key store: what an operator must fix (appended)
  'key_set_empty',
  'key_secret_not_found',
  'secrets_manager_unreachable',
  'key_file_missing',
  // ingress: edge hardening (appended)
  'method_override_refused',
  'headers_too_large',
  // API Gateway (REST) gateway responses: refusals made before any meshgate function answers (appended)
  'credential_rejected',
  'request_unauthenticated',
  'request_blocked',
  'request_rejected',
  'throttled',
  'authorizer_failed',
  'integration_failed',
  'gateway_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Base class of every meshgate error. `code` is stable; `message` is for humans and never holds a secret. */
export class MeshgateError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeshgateError';
    this.code = code;
    this.details = Object.freeze({ ...options?.details });
  }
}

/** A configuration value is wrong; `path` names the field, e.g. `issuers[1].audience`. */
export class ConfigError extends MeshgateError {
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('config_invalid', `${path}: ${message}`, options);
    this.name = 'ConfigError';
    this.path = path;
  }
}

/** A credential was presented and is not acceptable (401 at the authorizer). */
export class TokenError extends MeshgateError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(code, message, options);
    this.name = 'TokenError';
  }
}

export function isMeshgateError(err: unknown): err is MeshgateError {
  return err instanceof MeshgateError;
}
