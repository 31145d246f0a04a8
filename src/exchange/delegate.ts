// The delegation rules: declared edge and route, no cycle, bounded depth, narrowed scopes, capped exp; then the claims.
import { MAX_ASSERTION_TTL_SECONDS, MAX_DELEGATION_DEPTH, requestHash } from '@meshgate/consumer';
import { newJti, type AssertionClaims } from '../keys/assertion';
import type { Edge } from '../routes/edges';
import type { RouteTable, Upstream } from '../routes/route-table';
import { refuse } from './oauth-error';
import type { BoundRequest } from './params';
import type { ActClaim, VerifiedSubject } from './subject';

/** A delegated assertion's claims: the subject's identity, narrowed, for one request to the target, through the chain. */
export interface DelegatedClaims extends AssertionClaims {
  readonly txn: string;
  readonly act: ActClaim;
  /** `act.sub`, flat, for claim matchers that take strings only (Envoy, Istio). */
  readonly act_sub: string;
  /** Service audiences from the first service to the current actor: `chain[chain.length - 1] === act_sub`. */
  readonly chain: readonly string[];
}

export interface DelegationAsk {
  /** The authenticated actor: the service that received the subject and calls the target. */
  readonly actor: Upstream;
  /** The target's audience. */
  readonly audience: string;
  /** Requested scopes; undefined = subject scopes ∩ edge scopes. */
  readonly scopes: readonly string[] | undefined;
  readonly request: BoundRequest;
}

export interface DelegationSettings {
  readonly issuer: string;
  /** Longest lifetime of a delegated assertion, 1..300 s. @default 60 */
  readonly ttlSeconds: number;
}

function findEdge(table: RouteTable, from: Upstream, audience: string): { edge: Edge; target: Upstream } {
  const target = [...table.upstreams.values()].find((u) => u.audience === audience);
  if (target === undefined) throw refuse('invalid_target', 'audience_unknown', 'audience names no service');
  const edge = table.edges.find((e) => e.from === from && e.to === target);
  if (edge === undefined) throw refuse('invalid_target', 'edge_undeclared', `no declared edge ${from.name} -> ${target.name}`);
  return { edge, target };
}

function checkRoute(edge: Edge, request: BoundRequest): void {
  const allowed = edge.routes.some((r) => (r.method === 'ANY' || r.method === request.method) && r.pattern.test(request.path));
  if (!allowed)
    throw refuse('invalid_target', 'route_undeclared', `the edge ${edge.from.name} -> ${edge.to.name} does not allow this request`);
}

function grantedScopes(subject: VerifiedSubject, edge: Edge, requested: readonly string[] | undefined): string[] {
  const allowed = subject.scopes.filter((s) => edge.scopes.includes(s));
  if (requested !== undefined) {
    const extra = requested.find((s) => !allowed.includes(s));
    if (extra !== undefined)
      throw refuse('invalid_scope', 'scope_widened', `scope ${extra} is not held by the subject and allowed by the edge`);
    return [...requested];
  }
  if (allowed.length === 0 && edge.scopes.length > 0)
    throw refuse('invalid_scope', 'scope_empty', 'the subject holds none of the scopes this edge allows');
  return allowed;
}

const nest = (chain: readonly string[]): ActClaim =>
  chain.reduce<ActClaim | undefined>((inner, sub) => (inner === undefined ? { sub } : { sub, act: inner }), undefined) as ActClaim;

/**
 * Applies every rule to one exchange and returns the claims to sign, or throws the refusal:
 * cross-binding (the subject's `aud` is the actor's own audience: `invalid_request`), a declared edge to the
 * audience and a declared route on it (`invalid_target`), no service twice in the chain and depth ≤ the edge's
 * `maxDepth` and ≤ 5 (`invalid_target`), scopes ⊆ subject ∩ edge (`invalid_scope`). `exp` ≤ the subject's and
 * ≤ now + `ttlSeconds`; `sub`, `type`, `groups`, `tenant`, `client_id`, `src_iss` and `txn` are copied unchanged.
 *
 * @example
 * // given: declare const table: RouteTable, subject: VerifiedSubject, ask: DelegationAsk, nowSeconds: number;
 * const claims = delegate(table, subject, ask, { issuer: 'https://meshgate.example.com', ttlSeconds: 60 }, nowSeconds);
 */
export function delegate(
  table: RouteTable,
  subject: VerifiedSubject,
  ask: DelegationAsk,
  settings: DelegationSettings,
  nowSeconds: number,
): DelegatedClaims {
  const { actor } = ask;
  if (subject.aud !== actor.audience)
    throw refuse('invalid_request', 'subject_not_for_actor', 'subject_token was not issued to the authenticated actor');
  const { edge, target } = findEdge(table, actor, ask.audience);
  checkRoute(edge, ask.request);
  const chain = [...subject.chain, actor.audience];
  if (chain.includes(target.audience) || new Set(chain).size !== chain.length)
    throw refuse('invalid_target', 'cycle', `${target.name} is already in this delegation chain`);
  if (chain.length > Math.min(edge.maxDepth, MAX_DELEGATION_DEPTH))
    throw refuse('invalid_target', 'depth_exceeded', `the chain would be ${chain.length} actors long; this edge allows ${edge.maxDepth}`);
  const scopes = grantedScopes(subject, edge, ask.scopes);
  const exp = Math.min(subject.exp, nowSeconds + Math.min(Math.max(1, settings.ttlSeconds), MAX_ASSERTION_TTL_SECONDS));
  return {
    iss: settings.issuer,
    aud: target.audience,
    sub: subject.sub,
    type: subject.type,
    scope: scopes.join(' '),
    groups: [...subject.groups],
    ...(subject.tenant === undefined ? {} : { tenant: subject.tenant }),
    ...(subject.clientId === undefined ? {} : { client_id: subject.clientId }),
    src_iss: subject.srcIss,
    iat: nowSeconds,
    exp,
    jti: newJti(),
    req: requestHash(ask.request.method, ask.request.path, ask.request.canonicalQuery),
    body_sha256: ask.request.bodySha256,
    txn: subject.txn,
    act: nest(chain),
    act_sub: actor.audience,
    chain,
  };
}
