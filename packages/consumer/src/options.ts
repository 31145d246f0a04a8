// The verifier's options: defaults documented next to each one, checked once when the verifier is created.
import { ConfigError } from './errors.js';
import { isAllowedJwksUrl } from './http-get.js';
import type { JwksFetchEvent } from './remote-jwks.js';

export interface AssertionVerifierOptions {
  /** meshgate's assertion issuer (`MESHGATE_ASSERTION_ISSUER`), compared exactly with `iss`. */
  readonly issuer: string;
  /** This service's audience(s), as `upstreams.<name>.audience` in meshgate's config/routes.json. */
  readonly audience: string | readonly string[];
  /** meshgate's JWKS, `<issuer>/.well-known/jwks.json`. https, or http to a loopback address. */
  readonly jwksUri: string;
  /** Tolerated clock difference for `iat`, `nbf` and `exp`. @default 30 */
  readonly clockSkewSeconds?: number;
  /** Deadline of one JWKS fetch. @default 1500 */
  readonly jwksTimeoutMs?: number;
  /** How long a fetched JWKS is used before it is fetched again (the JWKS endpoint's own max-age). @default 300000 */
  readonly jwksCacheMaxAgeMs?: number;
  /** Minimum time between two fetches triggered by unknown kids or failures. @default 30000 */
  readonly jwksCooldownMs?: number;
  /** How long past its max age a JWKS is still used while the endpoint fails. @default 3600000 */
  readonly jwksMaxStaleMs?: number;
  /** Largest JWKS body accepted. @default 65536 */
  readonly jwksMaxBytes?: number;
  /** Extra CA certificates (PEM) for the JWKS endpoint, e.g. an AWS Private CA root. */
  readonly ca?: string | readonly string[];
  /** Clock in epoch milliseconds (tests, simulations). @default Date.now */
  readonly now?: () => number;
  /** Called after every JWKS fetch attempt (logging, metrics). */
  readonly onJwksFetch?: (event: JwksFetchEvent) => void;
  /**
   * The services (their meshgate audiences, e.g. `orders-service`) whose delegated calls this service accepts: a
   * delegated assertion is verified only when its current actor (`act_sub`) is one of them. Leave it out to accept
   * direct calls from meshgate only; a delegated assertion is then refused (`assertion_actor_refused`).
   * @default undefined
   */
  readonly acceptActors?: readonly string[];
  /**
   * Maps the transport identity of the peer a request came from (an mTLS SPIFFE id, a VPC Lattice caller ARN: what
   * the service passes as `peer`) to the meshgate audience of the service it is. A function, or a record from peer
   * id to audience. Needed only when requests carry `peer`; a delegated call's actor must then be that service.
   */
  readonly peerAudience?: PeerAudience;
}

/** Peer identity → service audience; undefined (or absent from the record) for a peer that is no known service. */
export type PeerAudience = ((peer: string) => string | undefined) | Readonly<Record<string, string>>;

export interface ResolvedOptions {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly jwksUri: string;
  readonly clockSkewSeconds: number;
  readonly jwks: { timeoutMs: number; cacheMaxAgeMs: number; cooldownMs: number; maxStaleMs: number; maxBytes: number };
  readonly now: () => number;
  readonly acceptActors: readonly string[] | undefined;
  readonly peerAudience: ((peer: string) => string | undefined) | undefined;
}

function integer(path: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(path, `must be an integer from ${min} to ${max}`);
  return value;
}

/** Validates options; a mistake throws ConfigError naming the option, before any request is served. */
export function resolveOptions(options: AssertionVerifierOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'must be an object');
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) throw new ConfigError('issuer', 'must be a non-empty string');
  const given: unknown[] =
    typeof options.audience === 'string' ? [options.audience] : Array.isArray(options.audience) ? [...(options.audience as unknown[])] : [];
  const audiences = given.filter((a): a is string => typeof a === 'string' && a.length > 0);
  if (audiences.length === 0 || audiences.length !== given.length)
    throw new ConfigError('audience', 'must be a non-empty string or list of strings');
  let url: URL;
  try {
    url = new URL(options.jwksUri);
  } catch {
    throw new ConfigError('jwksUri', 'must be an absolute URL');
  }
  if (!isAllowedJwksUrl(url)) throw new ConfigError('jwksUri', 'must be https (http only for loopback hosts)');
  if (options.now !== undefined && typeof options.now !== 'function') throw new ConfigError('now', 'must be a function');
  const acceptActors = options.acceptActors;
  if (
    acceptActors !== undefined &&
    (!Array.isArray(acceptActors) || acceptActors.length === 0 || !acceptActors.every((a) => typeof a === 'string' && a.length > 0))
  )
    throw new ConfigError('acceptActors', 'must be a non-empty list of service audiences');
  return Object.freeze({
    issuer: options.issuer,
    audiences: Object.freeze(audiences),
    jwksUri: url.href,
    clockSkewSeconds: integer('clockSkewSeconds', options.clockSkewSeconds, 30, 0, 300),
    jwks: {
      timeoutMs: integer('jwksTimeoutMs', options.jwksTimeoutMs, 1500, 1, 60_000),
      cacheMaxAgeMs: integer('jwksCacheMaxAgeMs', options.jwksCacheMaxAgeMs, 300_000, 0, 86_400_000),
      cooldownMs: integer('jwksCooldownMs', options.jwksCooldownMs, 30_000, 0, 3_600_000),
      maxStaleMs: integer('jwksMaxStaleMs', options.jwksMaxStaleMs, 3_600_000, 0, 86_400_000),
      maxBytes: integer('jwksMaxBytes', options.jwksMaxBytes, 65_536, 1024, 1_048_576),
    },
    now: options.now ?? Date.now,
    acceptActors: acceptActors === undefined ? undefined : Object.freeze([...(acceptActors as readonly string[])]),
    peerAudience: peerAudienceOf(options.peerAudience),
  });
}

function peerAudienceOf(map: PeerAudience | undefined): ResolvedOptions['peerAudience'] {
  if (map === undefined || typeof map === 'function') return map;
  if (typeof map !== 'object' || map === null || Object.values(map).some((v) => typeof v !== 'string'))
    throw new ConfigError('peerAudience', 'must be a function or a record from peer identity to audience');
  // Own keys only: a peer named `__proto__` or `constructor` is no service.
  const table = new Map(Object.entries(map));
  return (peer) => table.get(peer);
}
