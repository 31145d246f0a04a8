// Who is asking: the service whose principal authenticated the call, by IAM SigV4 or by a client-credentials token.
import type { IssuerConfig } from '../config/issuers';
import { identityFromClaims } from '../auth/identity';
import type { VerifiedToken } from '../auth/verifiers';
import { callerPrincipalKey } from '../routes/principals';
import type { RouteTable, Upstream } from '../routes/route-table';
import { ExchangeRefusal, refuse } from './oauth-error';

/** How the actor authenticated: API Gateway's verified SigV4 caller, or an `actor_token` still to verify. */
export type ActorCredential =
  { readonly kind: 'iam'; readonly callerArn: string } | { readonly kind: 'token'; readonly token: string } | { readonly kind: 'none' };

/** Verifies an access token from a trusted issuer (aws-jwt-verify through {@link IssuerVerifiers}). */
export interface ActorTokenVerifier {
  verify(token: string): Promise<VerifiedToken>;
}

/** The service that is asking, and the principal that proved it, for the decision log. */
export interface ResolvedActor {
  readonly upstream: Upstream;
  readonly principal: string;
}

function exactlyOne(matches: Upstream[], principal: string): ResolvedActor {
  if (matches.length === 0) throw refuse('invalid_client', 'actor_no_principal', 'the caller is no service’s principal');
  if (matches.length > 1) throw refuse('invalid_client', 'actor_ambiguous', 'the caller is a principal of more than one service');
  return { upstream: matches[0] as Upstream, principal };
}

function issuerNames(cfg: IssuerConfig): string[] {
  return [cfg.issuer, ...cfg.aliases];
}

/**
 * Maps the authenticated caller to the one upstream that lists it as a principal. IAM: an assumed-role session
 * matches its role on partition + account + role name (the session ARN has no path). Token: a client-credentials
 * token (`sub` = the client id) from a trusted issuer, matched on issuer (or an alias) + client id. No credential,
 * a bad token, no principal, or two services → `invalid_client` (401).
 *
 * @example
 * // given: declare const table: RouteTable, verifier: ActorTokenVerifier;
 * const actor = await resolveActor(table, { kind: 'iam', callerArn: 'arn:aws:sts::123456789012:assumed-role/orders/s1' }, verifier);
 */
export async function resolveActor(
  table: RouteTable,
  credential: ActorCredential,
  verifier: ActorTokenVerifier | undefined,
): Promise<ResolvedActor> {
  const upstreams = [...table.upstreams.values()];
  if (credential.kind === 'none')
    throw refuse('invalid_client', 'actor_missing', 'the actor must authenticate (SigV4, or an actor_token where enabled)');
  if (credential.kind === 'iam') {
    const key = callerPrincipalKey(credential.callerArn);
    if (key === undefined) throw refuse('invalid_client', 'actor_no_principal', 'the IAM caller is not a role or user');
    return exactlyOne(
      upstreams.filter((u) => u.principals.iam.some((p) => p.key === key)),
      `iam ${key}`,
    );
  }
  if (verifier === undefined)
    throw refuse('invalid_client', 'actor_token_disabled', 'actor_token is not accepted here: sign the request with SigV4');
  let verified: VerifiedToken;
  let clientId: string | undefined;
  let isService: boolean;
  try {
    verified = await verifier.verify(credential.token);
    const identity = identityFromClaims(verified.issuer, verified.payload);
    clientId = identity.clientId;
    isService = identity.type === 'service';
  } catch (err) {
    throw new ExchangeRefusal('invalid_client', 'actor_token_invalid', 'actor_token does not verify', { cause: err });
  }
  if (!isService || clientId === undefined)
    throw refuse('invalid_client', 'actor_token_not_client', 'actor_token must be a client-credentials token of the service itself');
  const names = issuerNames(verified.issuer);
  return exactlyOne(
    upstreams.filter((u) => u.principals.clients.some((c) => c.clientId === clientId && names.includes(c.issuer))),
    `client ${verified.issuer.issuer} ${clientId}`,
  );
}
