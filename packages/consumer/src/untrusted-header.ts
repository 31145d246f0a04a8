// Reads exactly one assertion header from request headers in any of the shapes Node servers hand out.
import { AssertionError, invalid } from './errors.js';
import { ASSERTION_HEADER, MAX_ASSERTION_LENGTH } from './wire-format.js';

/** Node's `IncomingHttpHeaders` / `headersDistinct`, a plain record in any letter case, or a WHATWG `Headers`. */
export type HeadersLike = Readonly<Record<string, string | readonly string[] | undefined>> | { get(name: string): string | null };

export function isHeadersObject(headers: HeadersLike): headers is { get(name: string): string | null } {
  return typeof (headers as { get?: unknown }).get === 'function';
}

/**
 * The raw `x-identity-assertion` value, not yet verified. Two headers (multi-value, two spellings of the name, or
 * values joined with a comma by a proxy or by Node) are rejected: a second copy is how a forged assertion rides along.
 */
export function readUntrustedAssertion(headers: HeadersLike | undefined, name: string = ASSERTION_HEADER): string {
  const values: string[] = [];
  if (headers !== undefined && headers !== null) {
    if (isHeadersObject(headers)) {
      const v = headers.get(name);
      if (v !== null) values.push(v);
    } else {
      for (const [key, value] of Object.entries(headers)) {
        if (key.toLowerCase() !== name || value === undefined) continue;
        if (typeof value === 'string') values.push(value);
        else values.push(...value);
      }
    }
  }
  const [first, ...others] = values;
  if (first === undefined) throw new AssertionError('assertion_missing', 'header_missing', `no ${name} header`);
  if (others.length > 0) throw invalid('header_duplicate', `more than one ${name} header`);
  const value = first.trim();
  if (value === '') throw new AssertionError('assertion_missing', 'header_empty', `${name} header is empty`);
  if (value.includes(',')) throw invalid('header_duplicate', `more than one ${name} value`);
  if (value.length > MAX_ASSERTION_LENGTH) throw invalid('too_large', `${name} is longer than ${MAX_ASSERTION_LENGTH} characters`);
  return value;
}
