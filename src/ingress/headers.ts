// Stage 2, the identity enricher: drops spoofable and hop-by-hop headers, adds the mesh contract headers.
import { randomUUID } from 'node:crypto';
import type { VerifiedIdentity } from '../auth/identity';
import { TokenError } from '../errors';
import { percentEncode } from '../http/percent-encoding';
import { ASSERTION_HEADER, MAX_PREMINTED_ASSERTIONS, PREMINT_HEADER } from '@meshgate/consumer';
import { IAM_ISSUER } from './identity-source';

/** Longest identity header value after encoding (the assertion is exempt: it is ours). */
export const MAX_IDENTITY_VALUE_LENGTH = 1024;
const MAX_TRACESTATE_LENGTH = 512;

/** RFC 9110 §7.6.1 hop-by-hop fields, plus the pre-standard ones proxies still see. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Inbound headers never forwarded as sent: `authorization` (the upstream trusts the assertion, and forwarding the
 * bearer token would widen its blast radius), `host`/`content-length`/`expect` (set for the upstream request),
 * and the headers meshgate sets itself (trace headers are re-added only when well-formed).
 */
const REPLACED = new Set([
  'authorization',
  'host',
  'content-length',
  'expect',
  'x-request-id',
  'traceparent',
  'tracestate',
  'x-amzn-trace-id',
]);

/**
 * Method and URL overrides some frameworks honour (method-override, Symfony, IIS, Spring's HiddenHttpMethodFilter
 * family): the upstream would run another route than the one meshgate checked and bound in `req`.
 */
// The client's word on which host it reached (`Forwarded`, `X-Forwarded-Host`) is dropped too: upstreams that
// trust proxy headers build absolute links and redirects from it. API Gateway sets X-Forwarded-For/-Proto/-Port itself.
const ROUTING_OVERRIDES = new Set([
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-original-method',
  'x-original-url',
  'x-rewrite-url',
  'forwarded',
  'x-forwarded-host',
  'x-forwarded-server',
]);

/**
 * Prefixes of the headers the shipped sidecar configurations write from verified claims (docs/envoy/envoy.yaml
 * `claim_to_headers`, docs/istio `outputClaimToHeaders`): a client's copy must never reach the service, even where a
 * proxy would overwrite it, since a request can reach the service by another path.
 */
const SIDECAR_HEADER_PREFIXES: readonly string[] = ['x-verified-'];

/** Inbound header names never forwarded: exact names and prefixes, lowercased, `_` read as `-`. */
export interface ReservedHeaders {
  readonly names: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

const NO_EXTRA_RESERVED_HEADERS: ReservedHeaders = { names: new Set(), prefixes: [] };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
// Pass-through values: HTAB and visible ASCII only. Anything else is dropped, never repaired: it is not ours to rewrite.
const SAFE_PASSTHROUGH_VALUE = /^[\t\x20-\x7e]*$/;
// Identity values keep visible ASCII except `%` (the escape) and `,` (the list separator); space is encoded too.
const IDENTITY_UNSAFE = /[^\x21-\x24\x26-\x2b\x2d-\x7e]/gu;
// A future version's extra fields are visible ASCII too: anything else makes node:http refuse the whole request (500).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[\x21-\x7e]*)?$/;
const AMZN_TRACE_ID = /^[A-Za-z0-9=;:._-]{1,256}$/;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export type OutgoingHeaders = Record<string, string | string[]>;

export interface EnrichInput {
  /** Lowercased names → values, exactly as the client sent them. */
  readonly untrustedHeaders: ReadonlyMap<string, readonly string[]>;
  /** Extra names and prefixes to strip (`MESHGATE_RESERVED_HEADERS`), beyond `x-identity-*` and the sidecar ones. */
  readonly reservedHeaders?: ReservedHeaders;
  readonly identity: VerifiedIdentity;
  readonly assertion: string;
  /** Pre-minted delegated assertions for the route's `premint` edges, forwarded in PREMINT_HEADER (at most 4). */
  readonly delegations?: readonly string[];
  /** API Gateway's request id. */
  readonly requestId: string | undefined;
  /** This function's own X-Ray trace header (`_X_AMZN_TRACE_ID`), preferred over the inbound one. */
  readonly amznTraceId?: string | undefined;
}

/**
 * Percent-encodes everything outside visible ASCII, plus `%`, `,` and space (UTF-8, RFC 3986 §2.1). The mapping is
 * injective for well-formed strings (the authorizer refuses lone surrogates), so two different claims never become
 * the same header value; `decodeURIComponent` inverts it. The result holds no control character: a claim can never
 * start a header line of its own. Since `,` and space are always encoded, a list joined with either splits back
 * into exactly its items (docs/mesh.md, "Identity headers").
 *
 * @example
 * encodeIdentityValue('Zoë\r\nx-identity-sub: admin') // 'Zo%C3%AB%0D%0Ax-identity-sub:%20admin'
 */
export function encodeIdentityValue(value: string): string {
  return percentEncode(value, IDENTITY_UNSAFE);
}

function single(name: string, value: string): string {
  const encoded = encodeIdentityValue(value);
  if (encoded.length > MAX_IDENTITY_VALUE_LENGTH)
    throw new TokenError('token_claim_invalid', `identity value for ${name} is longer than ${MAX_IDENTITY_VALUE_LENGTH} characters`);
  return encoded;
}

// Lists lose whole trailing items past the limit: a consumer then sees fewer scopes or groups, never a wrong one.
function list(items: readonly string[], separator: string): string {
  let out = '';
  for (const item of items) {
    const encoded = encodeIdentityValue(item);
    const next = out === '' ? encoded : `${out}${separator}${encoded}`;
    if (next.length > MAX_IDENTITY_VALUE_LENGTH) break;
    out = next;
  }
  return out;
}

/** A W3C `traceparent` (Trace Context §3.2), or undefined: version `ff` and all-zero ids are invalid. */
export function validTraceparent(value: string | undefined): string | undefined {
  const m = value === undefined ? null : TRACEPARENT.exec(value);
  if (!m) return undefined;
  const [, version, traceId, parentId, , rest] = m;
  if (version === 'ff' || /^0+$/.test(traceId as string) || /^0+$/.test(parentId as string)) return undefined;
  if (version === '00' && rest !== undefined) return undefined;
  return value;
}

function connectionListed(headers: ReadonlyMap<string, readonly string[]>): Set<string> {
  const names = new Set<string>();
  for (const value of headers.get('connection') ?? []) for (const token of value.split(',')) names.add(token.trim().toLowerCase());
  return names;
}

function isReserved(canonical: string, extra: ReservedHeaders): boolean {
  if (canonical.startsWith('x-identity-') || extra.names.has(canonical)) return true;
  for (const prefix of SIDECAR_HEADER_PREFIXES) if (canonical.startsWith(prefix)) return true;
  for (const prefix of extra.prefixes) if (canonical.startsWith(prefix)) return true;
  return false;
}

function passThrough(untrusted: ReadonlyMap<string, readonly string[]>, reserved: ReservedHeaders): OutgoingHeaders {
  // Null prototype: a client header named `__proto__` stays a (dropped) name, never a prototype.
  const out = Object.create(null) as OutgoingHeaders;
  const listed = connectionListed(untrusted);
  for (const [name, values] of untrusted) {
    // `x_identity_sub` too: CGI-style servers (PHP, WSGI, Rack) read `_` and `-` as the same HTTP_X_IDENTITY_SUB.
    const canonical = name.replaceAll('_', '-');
    if (
      isReserved(canonical, reserved) ||
      name.startsWith('proxy-') ||
      HOP_BY_HOP.has(name) ||
      REPLACED.has(name) ||
      ROUTING_OVERRIDES.has(canonical) ||
      listed.has(name)
    )
      continue;
    if (!TOKEN.test(name)) continue;
    const safe = values.filter((v) => SAFE_PASSTHROUGH_VALUE.test(v));
    if (safe.length > 0) out[name] = safe.length === 1 ? (safe[0] as string) : safe;
  }
  return out;
}

/**
 * Builds the headers sent upstream: the client's headers minus every `x-identity-*` and sidecar `x-verified-*`
 * (any case, `_` or `-`, single or multi-value), the configured reserved names, hop-by-hop fields and
 * `authorization`; then the contract headers of DESIGN "Headers to upstream".
 *
 * @example
 * // given: import type { IngressRequest } from './request';
 * // given: declare const request: IngressRequest, identity: VerifiedIdentity, assertion: string, requestId: string | undefined;
 * const headers = enrichHeaders({ untrustedHeaders: request.untrustedHeaders, identity, assertion, requestId });
 */
export function enrichHeaders(input: EnrichInput): OutgoingHeaders {
  const { identity, untrustedHeaders } = input;
  if (!COMPACT_JWS.test(input.assertion)) throw new Error('assertion is not a compact JWS');
  const out = passThrough(untrustedHeaders, input.reservedHeaders ?? NO_EXTRA_RESERVED_HEADERS);
  out['x-identity-sub'] = single('x-identity-sub', identity.sub);
  out['x-identity-iss'] = identity.type === 'iam' ? IAM_ISSUER : single('x-identity-iss', identity.iss);
  out['x-identity-type'] = identity.type;
  out['x-identity-scopes'] = list(identity.scopes, ' ');
  out['x-identity-groups'] = list(identity.groups, ',');
  if (identity.tenant !== undefined) out['x-identity-tenant'] = single('x-identity-tenant', identity.tenant);
  if (identity.clientId !== undefined) out['x-identity-client'] = single('x-identity-client', identity.clientId);
  out[ASSERTION_HEADER] = input.assertion;
  const delegations = input.delegations ?? [];
  if (delegations.length > MAX_PREMINTED_ASSERTIONS || !delegations.every((d) => COMPACT_JWS.test(d)))
    throw new Error('pre-minted assertions must be at most 4 compact JWSs');
  // A compact JWS holds no comma, so the list splits back unambiguously.
  if (delegations.length > 0) out[PREMINT_HEADER] = delegations.join(',');
  out['x-request-id'] = input.requestId !== undefined && /^[A-Za-z0-9=._:-]{1,128}$/.test(input.requestId) ? input.requestId : randomUUID();
  const traceparent = validTraceparent(untrustedHeaders.get('traceparent')?.[0]);
  if (traceparent !== undefined) {
    out.traceparent = traceparent;
    const tracestate = untrustedHeaders.get('tracestate')?.join(',');
    if (tracestate !== undefined && tracestate.length <= MAX_TRACESTATE_LENGTH && /^[\x20-\x7e]*$/.test(tracestate))
      out.tracestate = tracestate;
  }
  const amzn = [input.amznTraceId, untrustedHeaders.get('x-amzn-trace-id')?.[0]].find((v) => v !== undefined && AMZN_TRACE_ID.test(v));
  if (amzn !== undefined) out['x-amzn-trace-id'] = amzn;
  return out;
}
