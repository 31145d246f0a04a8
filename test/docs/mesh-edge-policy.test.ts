// The per-edge sidecar policies in docs/ (Istio, Envoy) require both the source workload and act_sub, for every declared edge.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import routesJson from '../../config/routes.json';
import { bodyDigest } from '@meshgate/consumer';
import { delegate } from '../../src/exchange/delegate';
import type { VerifiedSubject } from '../../src/exchange/subject';
import { parseRouteTable } from '../../src/routes/route-table';

type Obj = Record<string, any>;

const table = parseRouteTable(routesJson);
// The placeholder issuer the docs' policies carry (each says to replace it with the stage's AssertionIssuer output).
const issuer = 'https://meshgate.example.com';
// The demo mesh's workloads: namespace shop, one service account per upstream.
const spiffeIdOf = (upstream: string): string => `spiffe://cluster.local/ns/shop/sa/${upstream}`;

const istioDocs = parseAllDocuments(readFileSync('docs/istio/edge-orders-payments.yaml', 'utf8')).map((d) => {
  assert.deepEqual(d.errors, []);
  return d.toJS() as Obj;
});
const envoy = parse(readFileSync('docs/envoy/edge-orders-payments.yaml', 'utf8')) as Obj;
const envoyFilters = envoy.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters as Obj[];

/** What a sidecar sees of one request: the mTLS peer, the verified claims (none: no valid token), method and path. */
interface Seen {
  readonly peer: string;
  readonly claims: Obj | undefined;
  readonly method: string;
  readonly path: string;
}

/** Istio ALLOW semantics for the fields the policy uses: every listed condition of some rule holds. */
function istioAllows(policy: Obj, seen: Seen): boolean {
  return (policy.spec.rules as Obj[]).some((rule) => {
    const source = (rule.from as Obj[])[0]!.source as Obj;
    const op = (rule.to as Obj[])[0]!.operation as Obj;
    if (seen.claims === undefined) return false;
    const claim = (key: string): unknown[] => {
      if (key === 'request.auth.audiences') return [seen.claims!.aud].flat();
      const name = /^request\.auth\.claims\[([a-z_]+)\]$/.exec(key)?.[1];
      assert.ok(name !== undefined, `unexpected key ${key}`);
      return [seen.claims![name]].flat();
    };
    return (
      (source.principals as string[]).includes(seen.peer.replace(/^spiffe:\/\//, '')) &&
      (source.requestPrincipals as string[]).some((p) => p === `${seen.claims!.iss}/*`) &&
      (op.methods as string[]).includes(seen.method) &&
      (op.paths as string[]).includes(seen.path) &&
      (rule.when as Obj[]).every((w) => claim(w.key as string).some((v) => (w.values as unknown[]).includes(v)))
    );
  });
}

/** Envoy RBAC ALLOW for the matchers the policy uses (and_rules of header/url_path; and_ids of authenticated/metadata). */
function envoyAllows(rbac: Obj, seen: Seen): boolean {
  return Object.values(rbac.rules.policies as Obj).some((policy: Obj) => {
    const permitted = (policy.permissions as Obj[]).some((p) =>
      (p.and_rules.rules as Obj[]).every((r) =>
        r.header !== undefined ? seen.method === r.header.string_match.exact : seen.path === r.url_path.path.exact,
      ),
    );
    const principal = (policy.principals as Obj[]).some((p) =>
      (p.and_ids.ids as Obj[]).every((id) => {
        if (id.authenticated !== undefined) return seen.peer === id.authenticated.principal_name.exact;
        assert.equal(id.metadata.filter, 'envoy.filters.http.jwt_authn');
        const [root, ...rest] = (id.metadata.path as Obj[]).map((k) => k.key as string);
        assert.equal(root, jwtProvider().payload_in_metadata);
        const value = rest.reduce<unknown>((o, k) => (o as Obj | undefined)?.[k], seen.claims);
        return value === id.metadata.value.string_match.exact;
      }),
    );
    return seen.claims !== undefined && permitted && principal;
  });
}

function jwtProvider(): Obj {
  const jwt = envoyFilters.find((f) => f.name === 'envoy.filters.http.jwt_authn')!.typed_config as Obj;
  return Object.values(jwt.providers as Obj)[0] as Obj;
}

describe('docs: per-edge sidecar policies (source workload + act_sub)', () => {
  const edge = table.edges.find((e) => e.from.name === 'orders' && e.to.name === 'payments');
  const subject: VerifiedSubject = {
    delegated: false,
    aud: 'orders-service',
    sub: 'user-1',
    type: 'user',
    scopes: ['payments:charge', 'orders:write'],
    groups: [],
    tenant: undefined,
    clientId: 'web',
    srcIss: 'https://idp.example.com/',
    exp: Math.floor(Date.now() / 1000) + 60,
    jti: 'hop0',
    txn: 'hop0',
    chain: [],
  };

  it('documents the declared edge orders → payments with its audiences, routes and act_sub', () => {
    assert.ok(edge !== undefined, 'config/routes.json declares orders → payments');
    const policy = istioDocs.find((d) => d.kind === 'AuthorizationPolicy')!;
    const [rule] = policy.spec.rules as Obj[];
    assert.deepEqual(rule!.from[0].source.principals, [spiffeIdOf('orders').replace('spiffe://', '')]);
    assert.deepEqual(rule!.from[0].source.requestPrincipals, [`${issuer}/*`]);
    assert.deepEqual(
      (rule!.to as Obj[]).map((t) => t.operation as Obj),
      edge.routes.map((r) => ({ methods: [r.method], paths: [r.path] })),
    );
    const when = new Map((rule!.when as Obj[]).map((w) => [w.key, w.values]));
    assert.deepEqual(when.get('request.auth.audiences'), [edge.to.audience]);
    assert.deepEqual(when.get('request.auth.claims[act_sub]'), [edge.from.audience]);
    const ra = istioDocs.find((d) => d.kind === 'RequestAuthentication')!;
    assert.deepEqual(ra.spec.jwtRules[0].audiences, [edge.to.audience]);
    assert.equal(ra.spec.jwtRules[0].issuer, issuer);
    assert.equal(ra.spec.jwtRules[0].forwardOriginalToken, true);
    assert.equal(istioDocs.find((d) => d.kind === 'PeerAuthentication')!.spec.mtls.mode, 'STRICT');
    for (const doc of istioDocs) assert.deepEqual(doc.spec.selector, policy.spec.selector);

    const provider = jwtProvider();
    assert.equal(provider.issuer, issuer);
    assert.deepEqual(provider.audiences, [edge.to.audience]);
    assert.deepEqual(
      envoyFilters.map((f) => f.name as string),
      ['envoy.filters.http.jwt_authn', 'envoy.filters.http.rbac', 'envoy.filters.http.router'],
      'jwt_authn runs before RBAC reads its metadata',
    );
  });

  it('allows the exchange-minted assertion from the orders workload, and refuses every half of it', () => {
    const now = Math.floor(Date.now() / 1000);
    const request = { method: 'POST', path: '/charges', canonicalQuery: '', bodySha256: bodyDigest('{}') };
    const claims = delegate(
      table,
      subject,
      { actor: edge!.from, audience: 'payments-service', scopes: undefined, request },
      { issuer, ttlSeconds: 60 },
      now,
    );
    const hop0 = { iss: issuer, aud: 'payments-service', sub: 'user-1' };
    const rbac = envoyFilters.find((f) => f.name === 'envoy.filters.http.rbac')!.typed_config as Obj;
    const policy = istioDocs.find((d) => d.kind === 'AuthorizationPolicy')!;
    const cases: Array<[string, Seen, boolean]> = [
      ['orders, delegated for orders', { peer: spiffeIdOf('orders'), claims, method: 'POST', path: '/charges' }, true],
      ['another workload spending orders’ token', { peer: spiffeIdOf('billing'), claims, method: 'POST', path: '/charges' }, false],
      [
        'orders passing on a hop-0 assertion (no act_sub)',
        { peer: spiffeIdOf('orders'), claims: hop0, method: 'POST', path: '/charges' },
        false,
      ],
      [
        'orders with a token naming another actor',
        { peer: spiffeIdOf('orders'), claims: { ...claims, act_sub: 'billing-service' }, method: 'POST', path: '/charges' },
        false,
      ],
      ['orders outside the edge’s routes', { peer: spiffeIdOf('orders'), claims, method: 'POST', path: '/refunds' }, false],
      ['orders with another method', { peer: spiffeIdOf('orders'), claims, method: 'DELETE', path: '/charges' }, false],
      ['orders without a token', { peer: spiffeIdOf('orders'), claims: undefined, method: 'POST', path: '/charges' }, false],
    ];
    for (const [what, seen, allowed] of cases) {
      assert.equal(istioAllows(policy, seen), allowed, `Istio: ${what}`);
      assert.equal(envoyAllows(rbac, seen), allowed, `Envoy: ${what}`);
    }
  });
});
