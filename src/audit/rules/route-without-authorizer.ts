// route-without-authorizer: an API Gateway method or HTTP API route that anyone can call.
import type { RouteInput } from '../types';
import { withoutUndefined, type Rule } from './rule';

const AUTHORIZED = new Set(['CUSTOM', 'COGNITO_USER_POOLS', 'AWS_IAM', 'JWT']);

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
    return ctx.input.routes
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
      });
  },
};
