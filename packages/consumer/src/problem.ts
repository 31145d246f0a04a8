// RFC 9457 problem details as meshgate writes them: the content type and the `type` URI of every code.

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://meshgate.dev/problems/';

/**
 * The stable `type` URI of a code: RFC 9457 §3.1.1 says consumers MUST use `type` as the primary identifier.
 *
 * @example
 * problemType('assertion_expired') // 'https://meshgate.dev/problems/assertion_expired'
 */
export function problemType(code: string): string {
  return `${PROBLEM_TYPE_BASE}${code}`;
}
