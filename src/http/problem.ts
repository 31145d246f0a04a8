// RFC 9457 problem details (`application/problem+json`) and the proxy result that carries them.
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, problemType as typeUriOf } from '@meshgate/consumer';
import type { ErrorCode } from '../errors';

// Services answer with the same content type and `type` URIs as the ingress: one definition, in the consumer package.
export { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE };

/** One failing location: `pointer` is a JSON Pointer into the body (RFC 6901, fragment form); `parameter` names a query parameter. */
export interface ProblemItem {
  readonly pointer?: string;
  readonly parameter?: string;
  readonly detail: string;
}

/** An RFC 9457 problem object; `code` is meshgate's extension member, equal to the last segment of `type`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail?: string;
  /** The API Gateway request id, so a caller can quote it to the operator. */
  readonly instance?: string;
  readonly errors?: readonly ProblemItem[];
}

/** What every ingress answer looks like: the common subset of REST (1.0) and HTTP API (2.0) proxy results. */
export interface HttpResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly multiValueHeaders?: Record<string, string[]>;
  /** HTTP API (2.0) only: `Set-Cookie` values. */
  readonly cookies?: string[];
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

/** The stable `type` URI of a code: RFC 9457 §3.1.1 says consumers MUST use `type` as the primary identifier. */
export function problemType(code: ErrorCode): string {
  return typeUriOf(code);
}

/**
 * Serialises a problem as a proxy result. Problems are never cached: they describe one request.
 *
 * @example
 * problemResult({ type: problemType('payload_invalid'), code: 'payload_invalid', title: 'Request body is invalid', status: 400 });
 */
export function problemResult(problem: Problem): HttpResult {
  return {
    statusCode: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    body: JSON.stringify(problem),
    isBase64Encoded: false,
  };
}
