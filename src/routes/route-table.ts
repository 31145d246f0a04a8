// The route table (config/routes.json): which routes exist, who may call them, where they go.
import { ConfigError } from '../errors';
import {
  isPlainObject,
  readEnum,
  readObject,
  readOptionalInteger,
  readOptionalString,
  readOptionalStringList,
  readString,
} from '../config/check';

import { parseEdges, type Edge } from './edges';
import { HTTP_METHODS, PATH_TEMPLATE, templateToRegExp, type HttpMethod } from './path-template';
import { parsePrincipals, type Principals } from './principals';

export { HTTP_METHODS, type HttpMethod };
export type RouteAuth = 'jwt' | 'iam';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 5000;

export interface Upstream {
  readonly name: string;
  /** `aud` of the assertions meshgate signs for this service. @default the upstream's name */
  readonly audience: string;
  /** @default 5000 */
  readonly timeoutMs: number;
  /** The identities that are this service when it calls the token exchange. @default none */
  readonly principals: Principals;
}

export interface Route {
  /** `METHOD /path/{param}`: stable id used in logs, metrics and the assertion's `req`. */
  readonly id: string;
  readonly method: HttpMethod;
  /** Path template in API Gateway syntax: `/orders/{id}`, `/files/{proxy+}`. */
  readonly path: string;
  readonly upstream: Upstream;
  readonly auth: RouteAuth;
  /** Every one of these scopes is required. */
  readonly scopes: readonly string[];
  /** At least one of these groups is required (none when empty). */
  readonly groups: readonly string[];
  readonly bodySchema: string | undefined;
  readonly querySchema: string | undefined;
  /** Accepted media types of a request body. @default ["application/json"] */
  readonly contentTypes: readonly string[];
  /** @default 1 MiB */
  readonly maxBodyBytes: number;
  readonly timeoutMs: number;
  readonly pattern: RegExp;
}

export interface RouteTable {
  readonly routes: readonly Route[];
  readonly upstreams: ReadonlyMap<string, Upstream>;
  /** Declared delegation edges; none means no service may act for a caller at another. */
  readonly edges: readonly Edge[];
}

const ROUTE_FIELDS = [
  'method',
  'path',
  'upstream',
  'auth',
  'scopes',
  'groups',
  'bodySchema',
  'querySchema',
  'contentTypes',
  'maxBodyBytes',
  'timeoutMs',
] as const;

function parseUpstreams(value: unknown): Map<string, Upstream> {
  if (!isPlainObject(value)) throw new ConfigError('routes.upstreams', 'must be an object of upstream name → settings');
  const map = new Map<string, Upstream>();
  for (const [name, raw] of Object.entries(value)) {
    const path = `routes.upstreams.${name}`;
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(name)) throw new ConfigError(path, 'name must be lowercase letters, digits and -');
    const cfg = readObject(path, raw ?? {}, ['audience', 'timeoutMs', 'principals']);
    map.set(
      name,
      Object.freeze({
        name,
        audience: readOptionalString(`${path}.audience`, cfg.audience) ?? name,
        timeoutMs: readOptionalInteger(`${path}.timeoutMs`, cfg.timeoutMs, 50, 29_000, DEFAULT_UPSTREAM_TIMEOUT_MS),
        principals: parsePrincipals(`${path}.principals`, cfg.principals),
      }),
    );
  }
  return map;
}

function parseRoute(path: string, value: unknown, upstreams: Map<string, Upstream>): Route {
  const raw = readObject(path, value, ROUTE_FIELDS);
  const method = readEnum(`${path}.method`, typeof raw.method === 'string' ? raw.method.toUpperCase() : raw.method, HTTP_METHODS);
  const template = readString(`${path}.path`, raw.path, { pattern: PATH_TEMPLATE, hint: 'a path template like /orders/{id}' });
  const upstreamName = readString(`${path}.upstream`, raw.upstream);
  const upstream = upstreams.get(upstreamName);
  if (!upstream) throw new ConfigError(`${path}.upstream`, `unknown upstream "${upstreamName}" (define it under upstreams)`);
  const schemaName = { pattern: /^[a-z0-9][a-z0-9-]{0,62}$/, hint: 'a schema name under config/schemas (lowercase, digits, -)' };
  return Object.freeze({
    id: `${method} ${template}`,
    method,
    path: template,
    upstream,
    auth: raw.auth === undefined ? 'jwt' : readEnum(`${path}.auth`, raw.auth, ['jwt', 'iam'] as const),
    scopes: Object.freeze(readOptionalStringList(`${path}.scopes`, raw.scopes)),
    groups: Object.freeze(readOptionalStringList(`${path}.groups`, raw.groups)),
    bodySchema: readOptionalString(`${path}.bodySchema`, raw.bodySchema, schemaName),
    querySchema: readOptionalString(`${path}.querySchema`, raw.querySchema, schemaName),
    contentTypes: Object.freeze(
      raw.contentTypes === undefined
        ? ['application/json']
        : readOptionalStringList(`${path}.contentTypes`, raw.contentTypes).map((t) => t.toLowerCase()),
    ),
    maxBodyBytes: readOptionalInteger(`${path}.maxBodyBytes`, raw.maxBodyBytes, 0, 10 * 1024 * 1024, DEFAULT_MAX_BODY_BYTES),
    timeoutMs: readOptionalInteger(`${path}.timeoutMs`, raw.timeoutMs, 50, 29_000, upstream.timeoutMs),
    pattern: templateToRegExp(template),
  });
}

/**
 * Parses and checks the route table. Throws {@link ConfigError} naming the field, e.g. `routes.routes[2].upstream`.
 *
 * @example
 * // given: import { readFileSync } from 'node:fs';
 * const table = parseRouteTable(JSON.parse(readFileSync('config/routes.json', 'utf8')));
 */
export function parseRouteTable(value: unknown): RouteTable {
  const raw = readObject('routes', value, ['$schema', 'upstreams', 'routes', 'edges']);
  const upstreams = parseUpstreams(raw.upstreams);
  if (!Array.isArray(raw.routes) || raw.routes.length === 0) throw new ConfigError('routes.routes', 'must be a non-empty list');
  const routes = raw.routes.map((r, i) => parseRoute(`routes.routes[${i}]`, r, upstreams));
  const ids = new Set<string>();
  routes.forEach((r, i) => {
    if (ids.has(r.id)) throw new ConfigError(`routes.routes[${i}]`, `route ${r.id} is defined twice`);
    ids.add(r.id);
  });
  const edges = parseEdges(raw.edges, upstreams);
  return Object.freeze({ routes: Object.freeze(routes), upstreams, edges });
}

/** Finds the route for a request. Exact-method routes win over `ANY`; the first match in file order wins. */
export function matchRoute(table: RouteTable, method: string, path: string): Route | undefined {
  const upper = method.toUpperCase();
  let any: Route | undefined;
  for (const route of table.routes) {
    if (!route.pattern.test(path)) continue;
    if (route.method === upper) return route;
    if (route.method === 'ANY' && any === undefined) any = route;
  }
  return any;
}

/** Finds a route by its template, as API Gateway reports it (`resource` in REST, `routeKey` in HTTP API). */
export function findRouteByTemplate(table: RouteTable, method: string, template: string): Route | undefined {
  const upper = method.toUpperCase();
  return (
    table.routes.find((r) => r.path === template && r.method === upper) ??
    table.routes.find((r) => r.path === template && r.method === 'ANY')
  );
}
