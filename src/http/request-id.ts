// API Gateway's request id, for logs and the problem `instance`: read from any event without trusting the rest of it.
import { isPlainObject } from '../config/check';

/**
 * `requestContext.requestId` of a REST (1.0) or HTTP API (2.0) proxy event; undefined for anything else.
 *
 * @example
 * requestIdOf({ requestContext: { requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' } }) // 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef'
 */
export function requestIdOf(event: unknown): string | undefined {
  const id = isPlainObject(event) && isPlainObject(event.requestContext) ? event.requestContext.requestId : undefined;
  return typeof id === 'string' ? id : undefined;
}
