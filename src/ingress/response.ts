// The upstream's answer as an API Gateway proxy result: status, headers and body unchanged, binary as base64.
import { isUtf8 } from 'node:buffer';
import type { HttpResult } from '../http/problem';
import { HOP_BY_HOP } from './headers';
import type { UpstreamResponse } from './forward';
import type { EventFormat } from './request';

// API Gateway computes these itself; passing the upstream's would be wrong after base64 or re-chunking.
const DROPPED = new Set([...HOP_BY_HOP, 'content-length']);
const TEXT_TYPES = /^(text\/[^;]+|application\/(json|[^;]*\+json|xml|[^;]*\+xml|javascript|x-www-form-urlencoded|graphql))\s*(;|$)/i;

/** True when the body can travel as a UTF-8 string; anything else (images, gzip, unknown) goes as base64. */
export function isTextBody(contentType: string | undefined, contentEncoding: string | undefined, body: Buffer): boolean {
  if (contentEncoding !== undefined && contentEncoding.toLowerCase() !== 'identity') return false;
  return contentType !== undefined && TEXT_TYPES.test(contentType) && isUtf8(body);
}

/**
 * Converts an upstream response for the event format it answers: REST (1.0) gets every header in
 * `multiValueHeaders`; HTTP API (2.0) gets comma-joined `headers` and `Set-Cookie` values in `cookies`.
 *
 * @example
 * // given: import { forwardRequest, type UpstreamRequest } from './forward';
 * // given: import type { IngressRequest } from './request';
 * // given: declare const upstreamRequest: UpstreamRequest, request: IngressRequest;
 * const result = toProxyResult(await forwardRequest(upstreamRequest), request.format);
 */
export function toProxyResult(res: UpstreamResponse, format: EventFormat): HttpResult {
  const multi: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    const name = (res.rawHeaders[i] as string).toLowerCase();
    (multi[name] ??= []).push(res.rawHeaders[i + 1] as string);
  }
  const listed = new Set((multi.connection ?? []).flatMap((v) => v.split(',').map((t) => t.trim().toLowerCase())));
  for (const name of Object.keys(multi)) if (DROPPED.has(name) || listed.has(name)) delete multi[name];
  const text = isTextBody(multi['content-type']?.[0], multi['content-encoding']?.[0], res.body);
  const body = text ? res.body.toString('utf8') : res.body.toString('base64');
  if (format === 'rest') return { statusCode: res.status, headers: {}, multiValueHeaders: { ...multi }, body, isBase64Encoded: !text };
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, values] of Object.entries(multi)) {
    if (name === 'set-cookie') cookies = values;
    else headers[name] = values.join(', ');
  }
  return { statusCode: res.status, headers, ...(cookies ? { cookies } : {}), body, isBase64Encoded: !text };
}
