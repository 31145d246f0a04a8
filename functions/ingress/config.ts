// The ingress function's configuration: environment + route table + compiled schemas, checked once at cold start.
// Every variable the ingress reads is read here.
import { ConfigError } from '../../src/errors';
import { isPlainObject, parseJsonEnv, readHttpsUrl } from '../../src/config/check';
import { envInteger, loopbackHttpAllowed, type Env } from '../../src/config/env';
import { parseRouteTable, type RouteTable } from '../../src/routes/route-table';
import type { IngressConfig } from '../../src/ingress/ingress-config';
import { bodyValidator, queryValidator } from '../../src/ingress/schemas';
import { isJsonMediaType } from '../../src/ingress/validate';
import type { ReservedHeaders } from '../../src/ingress/headers';
import { readKeyStoreConfig } from '../../src/keys/key-store-from-env';

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * `MESHGATE_RESERVED_HEADERS`: a comma-separated list of header names, each lowercase, or a prefix ending in `*`
 * (`x-user-id, x-internal-*`). `_` counts as `-`, as for `x-identity-*`.
 */
function readReservedHeaders(env: Env): ReservedHeaders {
  const text = env.MESHGATE_RESERVED_HEADERS ?? '';
  const names = new Set<string>();
  const prefixes: string[] = [];
  text
    .split(',')
    .map((item) => item.trim())
    .forEach((item, i) => {
      if (item === '' && text.trim() === '') return;
      const isPrefix = item.endsWith('*');
      const name = (isPrefix ? item.slice(0, -1) : item).replaceAll('_', '-');
      if (!HEADER_NAME.test(name))
        throw new ConfigError(
          `MESHGATE_RESERVED_HEADERS[${i}]`,
          `must be a lowercase header name or a prefix ending in *, got "${item.slice(0, 40)}"`,
        );
      if (isPrefix) prefixes.push(name);
      else names.add(name);
    });
  return Object.freeze({ names, prefixes: Object.freeze(prefixes) });
}

function parseUpstreamUrls(env: Env, routes: RouteTable, allowLoopbackHttp: boolean): Map<string, URL> {
  const raw = parseJsonEnv('MESHGATE_UPSTREAMS', env.MESHGATE_UPSTREAMS);
  if (!isPlainObject(raw)) throw new ConfigError('MESHGATE_UPSTREAMS', 'must be a JSON object of upstream name → base URL');
  const urls = new Map<string, URL>();
  for (const [name, value] of Object.entries(raw)) {
    const path = `MESHGATE_UPSTREAMS.${name}`;
    if (!routes.upstreams.has(name))
      throw new ConfigError(path, `no upstream "${name}" in the route table (known: ${[...routes.upstreams.keys()].join(', ')})`);
    const url = new URL(readHttpsUrl(path, value, { allowLoopbackHttp }));
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '')
      throw new ConfigError(path, 'must be a base URL without credentials, query or fragment');
    urls.set(name, url);
  }
  // Upstreams reached only through delegation (a service calls them itself) need no URL here.
  for (const name of new Set(routes.routes.map((r) => r.upstream.name)))
    if (!urls.has(name)) throw new ConfigError(`MESHGATE_UPSTREAMS.${name}`, 'is required: the route table sends requests there');
  return urls;
}

function checkSchemas(routes: RouteTable): void {
  routes.routes.forEach((route, i) => {
    const path = `routes.routes[${i}]`;
    if (route.bodySchema !== undefined) {
      if (bodyValidator(route.bodySchema) === undefined)
        throw new ConfigError(`${path}.bodySchema`, `no body schema "${route.bodySchema}" in config/schemas (run npm run build:schemas)`);
      if (!route.contentTypes.every(isJsonMediaType))
        throw new ConfigError(`${path}.contentTypes`, 'a route with a bodySchema accepts JSON media types only');
    }
    if (route.querySchema !== undefined && queryValidator(route.querySchema) === undefined) {
      throw new ConfigError(
        `${path}.querySchema`,
        `no query schema "${route.querySchema}" in config/schemas (query schema names end in -query)`,
      );
    }
  });
}

/**
 * Reads and checks the ingress configuration. Throws `ConfigError` naming the field, e.g.
 * `MESHGATE_UPSTREAMS.demo` or `routes.routes[2].bodySchema`.
 *
 * @example
 * // given: import routesJson from '../../config/routes.json';
 * const config = loadIngressConfig(process.env, routesJson);
 */
export function loadIngressConfig(env: Env, routesJson: unknown): IngressConfig {
  const allowLoopbackHttp = loopbackHttpAllowed(env);
  const routes = parseRouteTable(routesJson);
  checkSchemas(routes);
  const issuer = env.MESHGATE_ASSERTION_ISSUER;
  return Object.freeze({
    routes,
    upstreamUrls: parseUpstreamUrls(env, routes, allowLoopbackHttp),
    assertion: Object.freeze({
      issuer: readHttpsUrl('MESHGATE_ASSERTION_ISSUER', issuer === '' ? undefined : issuer, { allowLoopbackHttp }),
      ttlSeconds: envInteger(env, 'MESHGATE_ASSERTION_TTL_SECONDS', 60, 1, 300),
    }),
    keyStore: readKeyStoreConfig(env),
    allowLoopbackHttp,
    reservedHeaders: readReservedHeaders(env),
    offline: env.IS_OFFLINE === 'true',
  });
}
