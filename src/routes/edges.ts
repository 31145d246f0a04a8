// Delegation edges (`edges` in config/routes.json): which service may call which, for the same caller, on which routes.
import { MAX_DELEGATION_DEPTH, MAX_PREMINTED_ASSERTIONS } from '@meshgate/consumer';
import { ConfigError } from '../errors';
import { readEnum, readObject, readString, readStringList } from '../config/check';
import { HTTP_METHODS, PATH_TEMPLATE, templateToRegExp, type HttpMethod } from './path-template';
import { principalIds } from './principals';
import type { Upstream } from './route-table';

/** One request shape the edge allows on its target: a method and an API Gateway-style path template. */
export interface EdgeRoute {
  readonly method: HttpMethod;
  readonly path: string;
  readonly pattern: RegExp;
}

export interface Edge {
  readonly from: Upstream;
  readonly to: Upstream;
  /** The most a delegated assertion along this edge carries: subject scopes ∩ these. */
  readonly scopes: readonly string[];
  readonly routes: readonly EdgeRoute[];
  /** Longest chain (number of actors) a token minted along this edge may have, 1..5. @default 1 */
  readonly maxDepth: number;
  /** The ingress mints this edge's assertions next to the hop-0 one (every route must be fully known in advance). */
  readonly premint: boolean;
}

const EDGE_FIELDS = ['from', 'to', 'scopes', 'routes', 'maxDepth', 'premint'] as const;
// RFC 6749 §3.3 scope-token: no whitespace, no control character, no `"` or `\`.
const SCOPE = { pattern: /^[\x21\x23-\x5b\x5d-\x7e]+$/, hint: 'an RFC 6749 scope token (visible ASCII, no space, " or \\)' };
// A pre-minted assertion is bound to one request (req, body_sha256) before the call exists: only a request whose
// every byte is known in advance can be, so a literal path (no {param}), no body, and no query (the ingress binds none).
const PREMINT_METHODS: readonly string[] = ['GET', 'HEAD', 'DELETE'];

function parseEdgeRoute(path: string, value: unknown): EdgeRoute {
  const raw = readObject(path, value, ['method', 'path']);
  const method = readEnum(`${path}.method`, typeof raw.method === 'string' ? raw.method.toUpperCase() : raw.method, HTTP_METHODS);
  const template = readString(`${path}.path`, raw.path, { pattern: PATH_TEMPLATE, hint: 'a path template like /charges/{id}' });
  return Object.freeze({ method, path: template, pattern: templateToRegExp(template) });
}

function upstreamNamed(path: string, value: unknown, upstreams: ReadonlyMap<string, Upstream>): Upstream {
  const name = readString(path, value);
  const upstream = upstreams.get(name);
  if (upstream === undefined) throw new ConfigError(path, `unknown upstream "${name}" (define it under upstreams)`);
  return upstream;
}

function readBoolean(path: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ConfigError(path, 'must be true or false');
  return value;
}

function parseEdge(path: string, value: unknown, upstreams: ReadonlyMap<string, Upstream>): Edge {
  const raw = readObject(path, value, EDGE_FIELDS);
  const from = upstreamNamed(`${path}.from`, raw.from, upstreams);
  const to = upstreamNamed(`${path}.to`, raw.to, upstreams);
  if (from === to) throw new ConfigError(`${path}.to`, 'an edge joins two different upstreams (a service never delegates to itself)');
  if (!Array.isArray(raw.routes) || raw.routes.length === 0)
    throw new ConfigError(`${path}.routes`, 'must list the routes of the target this edge allows ({ method, path })');
  const routes = raw.routes.map((r, i) => parseEdgeRoute(`${path}.routes[${i}]`, r));
  const maxDepth = raw.maxDepth === undefined ? 1 : raw.maxDepth;
  if (typeof maxDepth !== 'number' || !Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_DELEGATION_DEPTH)
    throw new ConfigError(`${path}.maxDepth`, `must be an integer from 1 to ${MAX_DELEGATION_DEPTH} (no chain is longer)`);
  const premint = readBoolean(`${path}.premint`, raw.premint);
  if (premint) {
    routes.forEach((r, i) => {
      if (r.path.includes('{') || !PREMINT_METHODS.includes(r.method))
        throw new ConfigError(
          `${path}.routes[${i}]`,
          `premint binds each assertion to one request before it is made: ${r.method} ${r.path} must have a literal path (no {param}) and a method without a body (${PREMINT_METHODS.join(', ')})`,
        );
    });
  }
  return Object.freeze({
    from,
    to,
    scopes: Object.freeze(raw.scopes === undefined ? [] : readStringList(`${path}.scopes`, raw.scopes, { allowEmpty: true, ...SCOPE })),
    routes: Object.freeze(routes),
    maxDepth,
    premint,
  });
}

/**
 * Parses and checks `edges` (deny by default: no edge, no delegated assertion) against the upstreams, and the
 * upstreams' principals against each other: one principal is one service, an audience names one upstream, and
 * one hop-0 request carries at most {@link MAX_PREMINTED_ASSERTIONS} pre-minted assertions.
 *
 * @example
 * // given: declare const upstreams: ReadonlyMap<string, Upstream>;
 * const edges = parseEdges([{ from: 'orders', to: 'payments', routes: [{ method: 'POST', path: '/charges' }] }], upstreams);
 */
export function parseEdges(value: unknown, upstreams: ReadonlyMap<string, Upstream>): readonly Edge[] {
  checkUpstreamIdentities(upstreams);
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value)) throw new ConfigError('routes.edges', 'must be a list of { from, to, scopes, routes, maxDepth, premint }');
  const edges = value.map((e, i) => parseEdge(`routes.edges[${i}]`, e, upstreams));
  const seen = new Map<string, number>();
  const preminted = new Map<string, number>();
  edges.forEach((edge, i) => {
    const key = `${edge.from.name} → ${edge.to.name}`;
    const first = seen.get(key);
    if (first !== undefined) throw new ConfigError(`routes.edges[${i}]`, `edge ${key} is already declared at routes.edges[${first}]`);
    seen.set(key, i);
    if (!edge.premint) return;
    const count = (preminted.get(edge.from.name) ?? 0) + edge.routes.length;
    if (count > MAX_PREMINTED_ASSERTIONS)
      throw new ConfigError(
        `routes.edges[${i}].premint`,
        `a request to ${edge.from.name} would carry ${count} pre-minted assertions; at most ${MAX_PREMINTED_ASSERTIONS} travel with one request`,
      );
    preminted.set(edge.from.name, count);
  });
  return Object.freeze(edges);
}

function checkUpstreamIdentities(upstreams: ReadonlyMap<string, Upstream>): void {
  const audiences = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const upstream of upstreams.values()) {
    const path = `routes.upstreams.${upstream.name}`;
    const other = audiences.get(upstream.audience);
    if (other !== undefined)
      throw new ConfigError(
        `${path}.audience`,
        `"${upstream.audience}" is already upstream ${other}'s audience: an audience names one service`,
      );
    audiences.set(upstream.audience, upstream.name);
    for (const { id, field } of principalIds(upstream.principals)) {
      const owner = owners.get(id);
      if (owner !== undefined)
        throw new ConfigError(
          `${path}.principals.${field}`,
          `${id} is already a principal of upstream ${owner}: one principal is one service`,
        );
      owners.set(id, upstream.name);
    }
  }
}
