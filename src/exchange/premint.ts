// Pre-minted delegated assertions: the ingress mints, next to the hop-0 one, those of the route's `premint` edges.
import { DELEGATED_ASSERTION_TYP, MAX_PREMINTED_ASSERTIONS, bodyDigest } from '@meshgate/consumer';
import { scopeTokens } from '../auth/identity';
import type { AssertionClaims } from '../keys/assertion';
import { signAssertion } from '../keys/assertion';
import type { SigningKeySet } from '../keys/key-set';
import type { RouteTable, Upstream } from '../routes/route-table';
import { delegate, type DelegationSettings } from './delegate';
import { ExchangeRefusal } from './oauth-error';
import type { VerifiedSubject } from './subject';

/** The hop-0 claims the ingress just signed, read as the exchange reads a verified subject. */
function subjectOf(hop0: AssertionClaims): VerifiedSubject {
  return {
    delegated: false,
    aud: hop0.aud,
    sub: hop0.sub,
    type: hop0.type,
    scopes: scopeTokens(hop0.scope),
    groups: hop0.groups,
    tenant: hop0.tenant,
    clientId: hop0.client_id,
    srcIss: hop0.src_iss,
    exp: hop0.exp,
    jti: hop0.jti,
    txn: hop0.txn ?? hop0.jti,
    chain: [],
  };
}

/**
 * Mints the delegated assertions of every `premint` edge from the route's upstream, one per edge route (a literal
 * path, no query, no body: config validation guarantees it), by the same rules as the exchange: the upstream is
 * the actor, scopes are the caller's ∩ the edge's. An edge whose rules refuse this caller (no scope in common) is
 * left out: the service exchanges, and is refused, as it would be without pre-minting.
 *
 * @example
 * // given: declare const table: RouteTable, upstream: Upstream, hop0: AssertionClaims, keySet: SigningKeySet, now: number;
 * const delegations = premintedAssertions(table, upstream, hop0, keySet, { issuer: hop0.iss, ttlSeconds: 60 }, now);
 */
export function premintedAssertions(
  table: RouteTable,
  upstream: Upstream,
  hop0: AssertionClaims,
  keySet: SigningKeySet,
  settings: DelegationSettings,
  nowSeconds: number,
): string[] {
  const edges = table.edges.filter((e) => e.premint && e.from === upstream);
  const subject = subjectOf(hop0);
  const out: string[] = [];
  for (const edge of edges) {
    for (const route of edge.routes) {
      if (out.length === MAX_PREMINTED_ASSERTIONS) return out;
      const request = { method: route.method, path: route.path, canonicalQuery: '', bodySha256: bodyDigest(undefined) };
      try {
        const claims = delegate(
          table,
          subject,
          { actor: upstream, audience: edge.to.audience, scopes: undefined, request },
          settings,
          nowSeconds,
        );
        out.push(signAssertion(claims, keySet.current, DELEGATED_ASSERTION_TYP));
      } catch (err) {
        if (!(err instanceof ExchangeRefusal)) throw err;
      }
    }
  }
  return out;
}
