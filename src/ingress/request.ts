// Reads REST (payload 1.0) and HTTP API (payload 2.0) proxy events into one untrusted request shape.
import { isPlainObject } from '../config/check';
import { MeshgateError } from '../errors';
import { percentEncode } from '../http/percent-encoding';
import { queryString } from '@meshgate/consumer';

export type EventFormat = 'rest' | 'http-v2';

/** A proxy event, normalised. Everything here came from the client except `requestContext`. */
export interface IngressRequest {
  readonly format: EventFormat;
  readonly requestId: string | undefined;
  readonly method: string;
  /** Request path relative to the API (no stage prefix), as API Gateway reports it. */
  readonly path: string;
  /** The same path, percent-encoded where needed: what goes upstream. */
  readonly forwardPath: string;
  /** Route template API Gateway matched (`resource` in REST, the path of `routeKey` in HTTP API). */
  readonly template: string | undefined;
  /** Lowercased names → every value, in order. */
  readonly untrustedHeaders: ReadonlyMap<string, readonly string[]>;
  /** Decoded names → every value, in order. */
  readonly query: ReadonlyMap<string, readonly string[]>;
  /**
   * Query string to forward, without `?`: the validated pairs re-encoded one way (RFC 3986 percent-encoding, never
   * `+`), so every upstream parser reads exactly the pairs that were validated and bound in the assertion's `req`.
   */
  readonly rawQuery: string;
  readonly body: string | undefined;
  readonly isBase64Encoded: boolean;
  /** Set by API Gateway (not by the client): authorizer context and SigV4 identity live here. */
  readonly requestContext: Readonly<Record<string, unknown>>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function addValue<K>(map: Map<K, string[]>, key: K, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function readHeaders(single: unknown, multi: unknown, cookies: unknown): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const seen = new Set<string>();
  if (isPlainObject(multi)) {
    for (const [name, values] of Object.entries(multi)) {
      if (!Array.isArray(values)) continue;
      seen.add(name);
      for (const v of values) if (typeof v === 'string') addValue(headers, name.toLowerCase(), v);
    }
  }
  if (isPlainObject(single)) {
    for (const [name, value] of Object.entries(single)) {
      if (!seen.has(name) && typeof value === 'string') addValue(headers, name.toLowerCase(), value);
    }
  }
  if (Array.isArray(cookies)) {
    const list = cookies.filter((c): c is string => typeof c === 'string');
    if (list.length > 0) addValue(headers, 'cookie', list.join('; '));
  }
  return headers;
}

function readQuery(single: unknown, multi: unknown): Map<string, string[]> {
  const query = new Map<string, string[]>();
  const source = isPlainObject(multi) ? multi : isPlainObject(single) ? single : {};
  for (const [name, values] of Object.entries(source)) {
    for (const v of Array.isArray(values) ? values : [values]) {
      if (typeof v !== 'string') continue;
      // A lone surrogate has no UTF-8 form: it cannot be forwarded as validated (encodeURIComponent throws on it).
      if (!name.isWellFormed() || !v.isWellFormed()) throw new MeshgateError('query_invalid', 'query string is not valid UTF-8');
      addValue(query, name, v);
    }
  }
  return query;
}

/**
 * Every name/value pair of a decoded query, names in first-seen order, values of one name in order.
 *
 * @example
 * [...queryPairs(new Map([['a', ['1', '2']]]))] // [['a', '1'], ['a', '2']]
 */
export function* queryPairs(query: ReadonlyMap<string, readonly string[]>): Generator<[string, string]> {
  for (const [name, values] of query) for (const value of values) yield [name, value];
}

// RFC 3986 pchar plus `/` (and `?` in a query) stay; a `%` stays only as the start of a valid percent-encoded octet.
const PATH_UNSAFE = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/gu;

/**
 * Whether an upstream could read a dot segment in this segment: decoded once (Envoy/Istio path normalisation decodes
 * `%2F` and `%5C` before resolving), with `/` and `\` as separators, and `;params` dropped (Tomcat, Jetty: `..;`).
 */
function hasDotSegment(segment: string): boolean {
  if (!/[.%]/.test(segment)) return false; // most segments: nothing to decode, no dot (runs per segment per request)
  const decoded = segment.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return decoded.split(/[/\\]/).some((part) => /^\.{1,2}$/.test(part.split(';', 1)[0] as string));
}

/** A path upstream servers could resolve to another route (`..`, `.`, or encoded forms) is refused. */
function checkPath(path: string): void {
  if (!path.startsWith('/') || path.length > 8192) throw new MeshgateError('route_not_found', 'request path is not absolute');
  for (const segment of path.split('/')) {
    if (hasDotSegment(segment)) throw new MeshgateError('route_not_found', 'request path has a dot segment');
  }
}

function stripStage(rawPath: string, stage: string | undefined): string {
  if (stage === undefined || stage === '$default') return rawPath;
  const prefix = `/${stage}`;
  return rawPath === prefix ? '/' : rawPath.startsWith(`${prefix}/`) ? rawPath.slice(prefix.length) : rawPath;
}

/**
 * Normalises a REST 1.0 or HTTP API 2.0 proxy event. Throws `route_not_found` for paths that are not plain
 * absolute paths, so no later stage sees `..`.
 *
 * @example
 * // given: declare const event: unknown; // the API Gateway proxy event (REST v1 or HTTP API v2)
 * const request = readIngressEvent(event);
 */
export function readIngressEvent(event: unknown): IngressRequest {
  const e = isPlainObject(event) ? event : {};
  const ctx = isPlainObject(e.requestContext) ? e.requestContext : {};
  const v2 = e.version === '2.0';
  const http = isPlainObject(ctx.http) ? ctx.http : {};
  const method = (v2 ? str(http.method) : str(e.httpMethod))?.toUpperCase() ?? 'GET';
  const path = v2 ? stripStage(str(e.rawPath) ?? '/', str(ctx.stage)) : (str(e.path) ?? '/');
  const routeKey = str(e.routeKey);
  const template = v2 ? (routeKey && routeKey !== '$default' ? routeKey.slice(routeKey.indexOf(' ') + 1) : undefined) : str(e.resource);
  const query = v2 ? new Map<string, string[]>() : readQuery(e.queryStringParameters, e.multiValueQueryStringParameters);
  const rawQueryString = str(e.rawQueryString) ?? '';
  if (v2) for (const [name, value] of new URLSearchParams(rawQueryString)) addValue(query, name, value);
  checkPath(path);
  return {
    format: v2 ? 'http-v2' : 'rest',
    requestId: str(ctx.requestId),
    method,
    path,
    forwardPath: percentEncode(path, PATH_UNSAFE),
    template,
    untrustedHeaders: readHeaders(e.headers, v2 ? undefined : e.multiValueHeaders, v2 ? e.cookies : undefined),
    query,
    rawQuery: queryString(queryPairs(query)),
    body: typeof e.body === 'string' && e.body.length > 0 ? e.body : undefined,
    isBase64Encoded: e.isBase64Encoded === true,
    requestContext: ctx,
  };
}
