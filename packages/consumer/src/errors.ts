// The errors a verification ends in: stable codes with the HTTP status a service answers, a `reason` for the exact check.

/**
 * Every code a verification can end in, with the status a service answers it with. Only `jwks_unavailable` is
 * not the caller's fault (503). `assertion_actor_refused` is a genuine delegated assertion whose actor this service
 * does not accept (or that arrived from another peer): 403. meshgate's own error table takes these statuses from here.
 */
export const ASSERTION_ERROR_STATUS = {
  assertion_missing: 401,
  assertion_invalid: 401,
  assertion_expired: 401,
  assertion_audience_mismatch: 401,
  assertion_issuer_mismatch: 401,
  assertion_request_mismatch: 401,
  assertion_actor_refused: 403,
  jwks_unavailable: 503,
} as const satisfies Record<string, 401 | 403 | 503>;

export type AssertionErrorCode = keyof typeof ASSERTION_ERROR_STATUS;

/**
 * Why an assertion was rejected. `code` is what to switch on; `reason` names the check (`alg_not_allowed`,
 * `kid_unknown`, `signature_invalid`, …) for logs. Messages never contain the assertion itself.
 */
export class AssertionError extends Error {
  readonly code: AssertionErrorCode;
  readonly reason: string;

  constructor(code: AssertionErrorCode, reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AssertionError';
    this.code = code;
    this.reason = reason;
  }
}

/** A verifier option is wrong; `path` names it. Thrown when the verifier is created, never per request. */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
  readonly path: string;

  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'ConfigError';
    this.path = path;
  }
}

export const invalid = (reason: string, message: string): AssertionError => new AssertionError('assertion_invalid', reason, message);

export const refused = (reason: string, message: string): AssertionError => new AssertionError('assertion_actor_refused', reason, message);
