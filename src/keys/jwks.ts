// GET /.well-known/jwks.json: the public half of the signing key set, cacheable, with ETag revalidation.
import { createHash } from 'node:crypto';
import { MeshgateError, isMeshgateError } from '../errors';
import { errorResult } from '../http/error-response';
import type { HttpResult } from '../http/problem';
import type { PublicJwks } from './public-jwks';
import { KEY_STORE_FAILURE_CODES } from './key-store';

export const JWKS_CONTENT_TYPE = 'application/jwk-set+json';

/**
 * Caching is safe because of how keys rotate: the next key is published one full rotation before it signs anything,
 * and the previous key stays published until every assertion it signed has expired. A client holding a copy up to
 * 300 s old (+60 s while it revalidates in the background) therefore always has the key of any assertion it sees.
 * The bound is for the emergency case: a key pulled from the set stops verifying everywhere within ~6 minutes.
 */
export const JWKS_CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=60';

/** The JWKS document as served; callers pass `publicJwks(set)` or a checked `parsePublicJwks` result, never a key set. */
export function jwksBody(jwks: PublicJwks): string {
  return JSON.stringify({ keys: jwks.keys });
}

/** A strong validator over the exact bytes served, so any key change gives a new ETag. */
export function jwksEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

function headerValues(event: unknown, name: string): string[] {
  const e = (event ?? {}) as { headers?: Record<string, unknown> | null; multiValueHeaders?: Record<string, unknown> | null };
  const values: string[] = [];
  // REST (1.0) keeps the client's header casing and also fills multiValueHeaders; HTTP API (2.0) lowercases.
  for (const source of [e.headers, e.multiValueHeaders]) {
    for (const [key, value] of Object.entries(source ?? {})) {
      if (key.toLowerCase() !== name) continue;
      if (typeof value === 'string') values.push(value);
      else if (Array.isArray(value)) values.push(...value.filter((v): v is string => typeof v === 'string'));
    }
  }
  return values;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison, and `*` matches any current representation. */
export function ifNoneMatchMatches(values: readonly string[], etag: string): boolean {
  const opaque = etag.replace(/^W\//, '');
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .some((tag) => tag === '*' || tag.replace(/^W\//, '') === opaque);
}

/**
 * The JWKS answer for a REST (payload 1.0) or HTTP API (payload 2.0) event: 200 with the key set, or 304 when
 * the client's `If-None-Match` names the current ETag.
 *
 * @example
 * // given: import type { JwksSource } from './jwks-source';
 * // given: declare const source: JwksSource, event: unknown;
 * const result = jwksResult(await source.load(), event);
 */
export function jwksResult(jwks: PublicJwks, event: unknown): HttpResult {
  const body = jwksBody(jwks);
  const etag = jwksEtag(body);
  const cacheHeaders = { 'cache-control': JWKS_CACHE_CONTROL, etag };
  if (ifNoneMatchMatches(headerValues(event, 'if-none-match'), etag))
    return { statusCode: 304, headers: cacheHeaders, body: '', isBase64Encoded: false };
  return {
    statusCode: 200,
    headers: { 'content-type': JWKS_CONTENT_TYPE, ...cacheHeaders, 'x-content-type-options': 'nosniff' },
    body,
    isBase64Encoded: false,
  };
}

const KEY_STORE_FAILURES: ReadonlySet<string> = new Set([...KEY_STORE_FAILURE_CODES, 'config_invalid']);

/** 503 problem+json when the key store cannot be read; the cause is logged by the caller, never sent. */
export function keyStoreFailureResult(err: unknown, requestId: string | undefined): HttpResult {
  const failure =
    isMeshgateError(err) && KEY_STORE_FAILURES.has(err.code)
      ? err
      : new MeshgateError('key_set_unavailable', 'signing key set could not be loaded');
  const result = errorResult(failure, requestId);
  return { ...result, headers: { ...result.headers, 'retry-after': '5' } };
}
