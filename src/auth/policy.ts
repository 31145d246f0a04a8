// Route permissions and the IAM policies the authorizer returns; built for the whole API so they are safe to cache.
import type { Route, RouteTable } from '../routes/route-table';
import type { VerifiedIdentity } from './identity';

export interface ExecuteApiArn {
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}` */
  readonly apiBase: string;
  readonly method: string;
  /** Request path, with a leading slash. */
  readonly path: string;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: ReadonlyArray<{
    readonly Action: 'execute-api:Invoke';
    readonly Effect: 'Allow' | 'Deny';
    readonly Resource: readonly string[];
  }>;
}

// Account and API id are matched loosely: serverless offline sends `random-account-id` / `random-api-id`.
const EXECUTE_API_ARN = /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:[A-Za-z0-9-]+:[A-Za-z0-9-]+\/[^/]+)\/([A-Z*]+)(\/.*)?$/;

/** Splits a `methodArn`/`routeArn`; undefined when it is not an execute-api ARN. */
export function parseExecuteApiArn(arn: unknown): ExecuteApiArn | undefined {
  if (typeof arn !== 'string' || arn.length > 2048) return undefined;
  const m = EXECUTE_API_ARN.exec(arn);
  if (!m) return undefined;
  return { apiBase: m[1] as string, method: m[2] as string, path: m[3] ?? '/' };
}

/** True when the identity may call the route: every route scope, and one route group if any are listed. */
export function isRouteAllowed(identity: VerifiedIdentity, route: Route): boolean {
  if (route.auth !== 'jwt' && identity.type !== 'iam') return false;
  for (const scope of route.scopes) if (!identity.scopes.includes(scope)) return false;
  return route.groups.length === 0 || route.groups.some((g) => identity.groups.includes(g));
}

/** Every route of the table this identity may call. */
export function routesAllowedFor(identity: VerifiedIdentity, table: RouteTable): Route[] {
  return table.routes.filter((r) => r.auth === 'jwt' && isRouteAllowed(identity, r));
}

/** The execute-api resource of a route: path parameters become `*`, `ANY` becomes `*`. */
export function routeResource(apiBase: string, route: Route): string {
  const method = route.method === 'ANY' ? '*' : route.method;
  const path = route.path.replace(/\{[A-Za-z0-9_]+\+?\}/g, '*');
  return `${apiBase}/${method}${path}`;
}

/**
 * An Allow for every route the identity may call, on any stage-local path: the same answer whichever route
 * was asked first, so API Gateway may cache it per token. `*` in an execute-api ARN also matches `/`, so a
 * parameter route can cover a deeper route; the ingress checks the matched route again for that reason.
 *
 * @example
 * // given: declare const identity: VerifiedIdentity, table: RouteTable;
 * allowPolicy('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod', routesAllowedFor(identity, table));
 */
export function allowPolicy(apiBase: string, routes: readonly Route[]): PolicyDocument {
  if (routes.length === 0) return denyPolicy(apiBase);
  return {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [...new Set(routes.map((r) => routeResource(apiBase, r)))] }],
  };
}

/** A Deny on the whole API stage. */
export function denyPolicy(apiBase: string): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${apiBase}/*`] }] };
}

/** Evaluates a policy for one ARN the way API Gateway does: an explicit Deny wins, then any Allow, else deny. */
export function policyAllows(policy: PolicyDocument, arn: string): boolean {
  const matches = (pattern: string): boolean =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    ).test(arn);
  let allowed = false;
  for (const st of policy.Statement) {
    if (!st.Resource.some(matches)) continue;
    if (st.Effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}
