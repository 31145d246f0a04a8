// route-without-authorizer: an API Gateway method or HTTP API route that anyone can call.
import type { RouteInput } from '../types';
import { withoutUndefined, type Rule } from './rule';

const AUTHORIZED = new Set(['CUSTOM', 'COGNITO_USER_POOLS', 'AWS_IAM', 'JWT']);
/** meshgate's token exchange: its actor is the SigV4 caller, so any authorization but AWS_IAM lets anyone act as a service. */
export const EXCHANGE_ROUTE_PATH = '/token';

function isExchangeWithoutIam(route: RouteInput): boolean {
  const method = route.method.toUpperCase();
  return (
    (method === 'POST' || method === 'ANY') &&
    normalisePath(route.path) === EXCHANGE_ROUTE_PATH &&
    route.authorizationType.toUpperCase() !== 'AWS_IAM'
  );
}

function normalisePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** Parses `METHOD /path` (one argument, as `--public-route` takes it). */
export function parsePublicRoute(text: string): { method: string; path: string } | undefined {
  const match = /^\s*([A-Za-z]+)\s+(\/\S*)\s*$/.exec(text);
  return match ? { method: match[1]!.toUpperCase(), path: normalisePath(match[2]!) } : undefined;
}

function isPublic(route: RouteInput, allowList: readonly string[]): boolean {
  const method = route.method.toUpperCase();
  const path = normalisePath(route.path);
  return allowList.some((entry) => {
    const allowed = parsePublicRoute(entry);
    return allowed !== undefined && allowed.path === path && (allowed.method === 'ANY' || allowed.method === method);
  });
}

export const routeWithoutAuthorizer: Rule = {
  kind: 'route-without-authorizer',
  run(ctx) {
    const exchanges = ctx.input.routes.filter(isExchangeWithoutIam).map((r) =>
      withoutUndefined({
        kind: 'route-without-authorizer' as const,
        severity: 'high' as const,
        resource: r.resource,
        action: `${r.method.toUpperCase()} ${r.path}`,
        message: `the token exchange ${r.method.toUpperCase()} ${r.path} on API ${r.api} is authorized by ${r.authorizationType}, not AWS_IAM: its actor must be the SigV4 caller, or any caller can act as a service (a --public-route does not exempt it)`,
        location: r.location,
      }),
    );
    return [
      ...exchanges,
      ...ctx.input.routes
        .filter((r) => !isExchangeWithoutIam(r))
        .filter((r) => r.method.toUpperCase() !== 'OPTIONS') // CORS preflight never carries credentials
        .filter((r) => !AUTHORIZED.has(r.authorizationType.toUpperCase()))
        .filter((r) => !isPublic(r, ctx.options.publicRoutes))
        .map((r) => {
          const route = `${r.method.toUpperCase()} ${r.path}`;
          return withoutUndefined({
            kind: 'route-without-authorizer' as const,
            severity: 'high' as const,
            resource: r.resource,
            action: route,
            message: `${route} on API ${r.api} has no authorizer${r.apiKeyRequired ? ' (an API key identifies a client, it does not authorize)' : ''}: attach the meshgate authorizer or AWS_IAM, or pass --public-route "${route}" if it is public by design`,
            location: r.location,
          });
        }),
    ];
  },
};
