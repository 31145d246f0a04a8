// The transport identity of a request's peer, read where the transport puts it: an mTLS certificate, or VPC Lattice's header.
import { isHeadersObject, type HeadersLike } from './untrusted-header.js';

const LATTICE_IDENTITY = 'x-amzn-lattice-identity';
// One URI SAN as node prints it (`URI:spiffe://…`); a quoted value (node quotes names holding `,` or `"`) never matches.
const SPIFFE_SAN = /(?:^|, )URI:(spiffe:\/\/[^,\s"]+)/g;

/**
 * The SPIFFE id of a peer's X.509-SVID (the `URI:spiffe://…` SAN of a verified client certificate), or undefined when
 * it has none or several (an X.509-SVID has exactly one). Read it only from a TLS socket that checked the certificate
 * (`requestCert` and `rejectUnauthorized`, or `socket.authorized`).
 *
 * @example
 * spiffeIdOf({ subjectaltname: 'URI:spiffe://cluster.local/ns/shop/sa/orders' }) // 'spiffe://cluster.local/ns/shop/sa/orders'
 */
export function spiffeIdOf(certificate: { readonly subjectaltname?: string } | undefined): string | undefined {
  const ids = [...(certificate?.subjectaltname ?? '').matchAll(SPIFFE_SAN)].map((m) => m[1] as string);
  return ids.length === 1 ? ids[0] : undefined;
}

/**
 * The IAM principal VPC Lattice authenticated for this request (`Principal=` in `x-amzn-lattice-identity`), or undefined.
 * Lattice writes the header itself; trust it only on a service reachable through Lattice alone, with an IAM auth policy.
 *
 * @example
 * latticeCallerOf({ 'x-amzn-lattice-identity': 'Principal=arn:aws:sts::123456789012:assumed-role/orders/i-0abc; SessionName=i-0abc; Type=AWS_IAM' })
 * // 'arn:aws:sts::123456789012:assumed-role/orders/i-0abc'
 */
export function latticeCallerOf(headers: HeadersLike): string | undefined {
  const values: unknown[] = isHeadersObject(headers)
    ? [headers.get(LATTICE_IDENTITY)]
    : Object.entries(headers)
        .filter(([name]) => name.toLowerCase() === LATTICE_IDENTITY)
        .map(([, value]): unknown => value);
  // Several copies of the header (two spellings, a list): not one that Lattice wrote alone.
  const raw = values.length === 1 ? values[0] : undefined;
  if (typeof raw !== 'string') return undefined;
  const fields = raw.split(';').map((f) => f.trim());
  const principals = fields.filter((f) => f.startsWith('Principal=')).map((f) => f.slice('Principal='.length));
  return principals.length === 1 && principals[0] !== '' ? principals[0] : undefined;
}
