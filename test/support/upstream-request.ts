// A forwardRequest input for tests: GET /echo with no query, headers or body, and a 2 s deadline, unless overridden.
import type { UpstreamRequest } from '../../src/ingress/forward';

export function upstreamRequest(url: string, overrides: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return {
    baseUrl: new URL(url),
    upstreamName: 'demo',
    method: 'GET',
    path: '/echo',
    rawQuery: '',
    headers: {},
    body: undefined,
    timeoutMs: 2000,
    ...overrides,
  };
}
