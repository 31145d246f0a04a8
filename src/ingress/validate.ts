// Stage 1, the payload validator: content type, size, encoding, JSON syntax, body and query schemas, in that order.
import { isUtf8 } from 'node:buffer';
import { ConfigError, MeshgateError } from '../errors';
import type { Route } from '../routes/route-table';
import type { IngressRequest } from './request';
import { checkBodyOverride, checkQueryOverride } from './overrides';
import { parseUntrustedJson } from './safe-json';
import { bodyValidator, queryValidator, schemaProblems } from './schemas';

/** What the later stages need from a request that passed validation. */
export interface ValidatedRequest {
  /** The body bytes exactly as they go upstream (base64 already decoded); undefined when there is none. */
  readonly body: Buffer | undefined;
  /** The media type of the body, lowercased, without parameters. */
  readonly mediaType: string | undefined;
}

/** `application/json` and any `application/*+json` (RFC 6839 §3.1). */
export function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(mediaType);
}

/** `Type/Subtype; charset=utf-8` → `type/subtype` (RFC 9110 §8.3.1: case-insensitive, parameters aside). */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const essence = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  return essence ? essence : undefined;
}

function accepts(route: Route, mediaType: string): boolean {
  return route.contentTypes.some((t) => t === mediaType || t === '*/*' || (t.endsWith('/*') && mediaType.startsWith(t.slice(0, -1))));
}

/** Decoded size of a body, computed without decoding it: base64 is counted as the bytes it stands for. */
export function decodedBodyBytes(body: string, isBase64Encoded: boolean): number {
  if (!isBase64Encoded) return Buffer.byteLength(body, 'utf8');
  const trimmed = body.replace(/[\s=]+$/, '');
  return Math.floor((trimmed.replace(/\s+/g, '').length * 3) / 4);
}

function checkMediaType(request: IngressRequest, route: Route): string {
  const values = request.untrustedHeaders.get('content-type') ?? [];
  // A singleton field (RFC 9110 §8.3): with two values the upstream may read the one that was not validated.
  if (values.length > 1) throw new MeshgateError('media_type_unsupported', 'a body needs exactly one Content-Type');
  const contentType = values[0];
  const mediaType = mediaTypeOf(contentType);
  if (mediaType === undefined)
    throw new MeshgateError('media_type_unsupported', `a body needs a Content-Type: ${route.contentTypes.join(', ')}`);
  if (!accepts(route, mediaType))
    throw new MeshgateError('media_type_unsupported', `Content-Type must be one of ${route.contentTypes.join(', ')}`);
  return mediaType;
}

/**
 * meshgate validates the bytes it receives and never inflates untrusted compressed bodies (no gzip bombs), so a
 * JSON body with a content coding (RFC 9110 §8.4) is refused: forwarded as is, the upstream would decode bytes that
 * were never validated. RFC 9110 §15.5.16 names 415 for a content coding the server does not accept.
 */
function checkContentEncoding(request: IngressRequest, json: boolean): void {
  if (!json) return;
  // JSON is UTF-8 (RFC 8259 §8.1); a consumer honouring another charset would read other characters than were validated.
  // Every charset parameter: with two, parsers disagree on which one counts (many keep the last).
  const charsets = [...(request.untrustedHeaders.get('content-type')?.[0] ?? '').matchAll(/;\s*charset\s*=\s*"?([^";\s]*)/gi)].map((m) =>
    (m[1] as string).toLowerCase(),
  );
  if (charsets.some((charset) => charset !== 'utf-8' && charset !== 'utf8'))
    throw new MeshgateError('media_type_unsupported', 'a JSON body must be UTF-8');
  const codings = (request.untrustedHeaders.get('content-encoding') ?? []).flatMap((v) => v.split(',')).map((c) => c.trim().toLowerCase());
  if (codings.some((c) => c !== '' && c !== 'identity'))
    throw new MeshgateError('media_type_unsupported', 'a JSON body must be sent without Content-Encoding');
}

function decodeBody(body: string, isBase64Encoded: boolean, json: boolean): { bytes: Buffer; text: string | undefined } {
  if (isBase64Encoded) {
    const bytes = Buffer.from(body, 'base64');
    if (!json) return { bytes, text: undefined };
    if (!isUtf8(bytes)) throw new MeshgateError('payload_malformed', 'body is not valid UTF-8');
    return { bytes, text: bytes.toString('utf8') };
  }
  // A string body with a lone surrogate has no UTF-8 form: API Gateway's transcoding lost bytes on the way in.
  if (!body.isWellFormed()) throw new MeshgateError('payload_malformed', 'body is not valid UTF-8');
  return { bytes: Buffer.from(body, 'utf8'), text: json ? body : undefined };
}

/** Checks a body against the route's schema: `value` is the parsed JSON body, undefined when it is not JSON. */
function checkBodySchema(route: Route, value: unknown): void {
  if (route.bodySchema === undefined) return;
  const validate = bodyValidator(route.bodySchema);
  if (validate === undefined) throw new ConfigError(`route ${route.id}.bodySchema`, `no compiled schema "${route.bodySchema}"`);
  if (value === undefined)
    throw new MeshgateError('payload_invalid', 'this route needs a JSON body', {
      details: { errors: [{ pointer: '#', detail: 'body is required' }] },
    });
  if (!validate(value)) {
    throw new MeshgateError('payload_invalid', 'body does not match the route schema', {
      details: { errors: schemaProblems(validate.errors, 'body') },
    });
  }
}

function checkQuery(request: IngressRequest, route: Route): void {
  if (route.querySchema === undefined) return;
  const validate = queryValidator(route.querySchema);
  if (validate === undefined) throw new ConfigError(`route ${route.id}.querySchema`, `no compiled schema "${route.querySchema}"`);
  // Null prototype: a parameter named `__proto__` is just a name here.
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, values] of request.query) query[name] = values.length === 1 ? (values[0] as string) : [...values];
  if (!validate(query)) {
    throw new MeshgateError('query_invalid', 'query parameters do not match the route schema', {
      details: { errors: schemaProblems(validate.errors, 'query') },
    });
  }
}

/**
 * Runs stage 1 for a request on a route. Cheap checks first: a method override in the query (400
 * `method_override_refused`), the content type and, for JSON, the absence of a
 * content coding (415; body-less requests skip both) and
 * the size (413, before anything is decoded or parsed), then UTF-8 and JSON syntax (400 `payload_malformed`), a
 * body parsers could read two ways (400 `payload_ambiguous`: repeated member names, numbers a double cannot hold),
 * a method override in a form body or at a JSON body's top level (400 `method_override_refused`), the body schema
 * (400 `payload_invalid` with JSON Pointers), then the query schema (400 `query_invalid`).
 *
 * @example
 * // given: import { readIngressEvent } from './request';
 * // given: declare const event: unknown, route: Route;
 * const { body } = validateRequest(readIngressEvent(event), route);
 */
export function validateRequest(request: IngressRequest, route: Route): ValidatedRequest {
  checkQueryOverride(request.query);
  if (request.body === undefined) {
    checkBodySchema(route, undefined);
    checkQuery(request, route);
    return { body: undefined, mediaType: undefined };
  }
  const mediaType = checkMediaType(request, route);
  const json = isJsonMediaType(mediaType);
  checkContentEncoding(request, json);
  const size = decodedBodyBytes(request.body, request.isBase64Encoded);
  if (size > route.maxBodyBytes)
    throw new MeshgateError('payload_too_large', `body is ${size} bytes; this route accepts at most ${route.maxBodyBytes}`);
  const { bytes, text } = decodeBody(request.body, request.isBase64Encoded, json);
  const value = text === undefined ? undefined : parseUntrustedJson(text);
  checkBodyOverride(mediaType, bytes, value);
  checkBodySchema(route, value);
  checkQuery(request, route);
  return { body: bytes, mediaType };
}
