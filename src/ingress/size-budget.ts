// One size budget from the edge to the service: what the ingress forwards always fits what the consumer and a
// default Node server accept, or it is refused here with 431 before anything is forwarded.
import { MAX_ASSERTION_LENGTH } from '@meshgate/consumer';
import { MeshgateError } from '../errors';
import type { OutgoingHeaders } from './headers';

/**
 * Node's default `http.maxHeaderSize` (16 KiB): a default Node server answers 431 past it. Envoy's default is 60 KiB,
 * Go's 1 MiB; nginx allows 8 KiB per header line, which the assertion cap keeps the assertion under.
 */
export const UPSTREAM_MAX_HEADER_BYTES = 16 * 1024;

export interface ForwardedHead {
  readonly method: string;
  /** Path and query exactly as forwarded (`/orders?a=1`). */
  readonly target: string;
  /** The upstream's `host[:port]`, as Node's client writes it in `Host`. */
  readonly host: string;
  readonly headers: OutgoingHeaders;
  readonly bodyBytes: number;
}

const line = (name: string, value: string): number => name.length + value.length + 4;

/**
 * Bytes of the request head the upstream receives: the request line, every header line (the ones Node's client adds
 * too: `Host`, `Connection`, `Content-Length`) and the blank line. Every value is visible ASCII by now, so characters
 * are bytes. Node counts less than this (no separators), so a head within the budget always passes Node's check.
 *
 * @example
 * forwardedHeadBytes({ method: 'GET', target: '/', host: 'svc:8080', headers: {}, bodyBytes: 0 }) // 77
 */
export function forwardedHeadBytes(head: ForwardedHead): number {
  let bytes = `${head.method} ${head.target} HTTP/1.1\r\n`.length + 2;
  bytes += line('host', head.host) + line('connection', 'keep-alive') + line('content-length', String(head.bodyBytes));
  for (const name of Object.keys(head.headers)) {
    const value = head.headers[name] as string | string[];
    if (typeof value === 'string') bytes += line(name, value);
    else for (const v of value) bytes += line(name, v);
  }
  return bytes;
}

/**
 * Refuses (431 `headers_too_large`) a request whose assertion is longer than a consumer reads
 * (`MAX_ASSERTION_LENGTH`: the identity's claims, usually its groups, are too many) or whose head would exceed
 * {@link UPSTREAM_MAX_HEADER_BYTES} upstream. Nothing is forwarded: the service would only fail later, on size alone.
 *
 * @example
 * // given: declare const assertion: string, head: ForwardedHead;
 * checkForwardBudget(assertion, head);
 */
export function checkForwardBudget(assertion: string, head: ForwardedHead): void {
  if (assertion.length > MAX_ASSERTION_LENGTH)
    throw new MeshgateError(
      'headers_too_large',
      `the identity makes an assertion of ${assertion.length} characters; services read at most ${MAX_ASSERTION_LENGTH} (fewer groups or scopes fit)`,
    );
  const bytes = forwardedHeadBytes(head);
  if (bytes > UPSTREAM_MAX_HEADER_BYTES)
    throw new MeshgateError(
      'headers_too_large',
      `the request's headers would be ${bytes} bytes upstream; services accept at most ${UPSTREAM_MAX_HEADER_BYTES}`,
    );
}
