// The errors the assertion consumer rejects with: one class, stable codes, a `reason` for the exact check that failed.
import { MeshgateError, type ErrorCode } from '../errors';

/** Codes a verification can end in. `jwks_unavailable` is the only one that is not the caller's fault (answer 503). */
export type AssertionErrorCode = Extract<
  ErrorCode,
  | 'assertion_missing'
  | 'assertion_invalid'
  | 'assertion_expired'
  | 'assertion_audience_mismatch'
  | 'assertion_issuer_mismatch'
  | 'assertion_request_mismatch'
  | 'jwks_unavailable'
>;

/**
 * Why an assertion was rejected. `code` is what to switch on; `reason` names the check (`alg_not_allowed`,
 * `kid_unknown`, `signature_invalid`, …) for logs. Messages never contain the assertion itself.
 */
export class AssertionError extends MeshgateError {
  override readonly code: AssertionErrorCode;
  readonly reason: string;

  constructor(code: AssertionErrorCode, reason: string, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, details: { reason } });
    this.name = 'AssertionError';
    this.code = code;
    this.reason = reason;
  }
}

export const invalid = (reason: string, message: string): AssertionError => new AssertionError('assertion_invalid', reason, message);
