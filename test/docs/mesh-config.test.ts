// The Envoy and Istio configurations in docs/ verify exactly what meshgate emits: issuer, JWKS URI, header, audiences.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments, type ScalarTag } from 'yaml';
import routesJson from '../../config/routes.json';
import { createAssertionVerifier } from '@meshgate/consumer';
import { assertionClaims } from '../../src/ingress/assertion-claims';
import { enrichHeaders } from '../../src/ingress/headers';
import { ASSERTION_HEADER } from '@meshgate/consumer';
import { signAssertion } from '../../src/keys/assertion';
import { newKeySet, publicJwks } from '../../src/keys/key-set';
import { parseRouteTable } from '../../src/routes/route-table';
import { startJwksServer } from '../support/jwks-server';

type Obj = Record<string, any>;
const JWKS_PATH = '/.well-known/jwks.json';

// CloudFormation short tags in serverless.yml, read as plain values.
const cfnTags: ScalarTag[] = ['!Ref', '!Sub', '!GetAtt'].map((tag) => ({ tag, resolve: (v: string) => v }));
const serverless = parse(readFileSync('serverless.yml', 'utf8'), { customTags: cfnTags }) as Obj;
// The placeholder the docs' configurations use; each says to replace it with the stage's AssertionIssuer output.
const issuer = 'https://meshgate.example.com';
const table = parseRouteTable(routesJson);
const upstreamAudiences = [...table.upstreams.values()].map((u) => u.audience);

function load(path: string): Obj {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  assert.equal(docs.length, 1, `${path} holds one document`);
  assert.deepEqual(docs[0]!.errors, [], `${path} is valid YAML`);
  return docs[0]!.toJS() as Obj;
}

const envoy = load('docs/envoy/envoy.yaml');
const requestAuth = load('docs/istio/request-authentication.yaml');
const authzPolicy = load('docs/istio/authorization-policy.yaml');
const peerAuth = load('docs/istio/peer-authentication.yaml');

function httpFilters(): Obj[] {
  const hcm = envoy.static_resources.listeners[0].filter_chains[0].filters[0];
  assert.equal(
    hcm.typed_config['@type'],
    'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  );
  return hcm.typed_config.http_filters as Obj[];
}

describe('docs: mesh configurations match what meshgate emits', () => {
  it('every header the shipped sidecar configs write from claims is one the ingress strips from clients', () => {
    const provider = Object.values(
      (httpFilters().find((f) => f.name === 'envoy.filters.http.jwt_authn')!.typed_config as Obj).providers as Obj,
    )[0] as Obj;
    const written = [
      ...((provider.claim_to_headers ?? []) as Obj[]).map((c) => String(c.header_name)),
      ...(requestAuth.spec.jwtRules as Obj[]).flatMap((r) => (r.outputClaimToHeaders ?? []) as Obj[]).map((c) => String(c.header)),
    ];
    assert.ok(written.length >= 3, 'the configs write verified claims into headers');
    const spoofed = new Map(
      written.flatMap(
        (name) =>
          [
            [name, ['spoofed']],
            [name.toUpperCase().replaceAll('-', '_'), ['spoofed']],
          ] as Array<[string, string[]]>,
      ),
    );
    const identity = {
      sub: 'u',
      iss: 'https://idp.example.com/',
      type: 'user' as const,
      scopes: [],
      groups: [],
      tenant: undefined,
      clientId: undefined,
      exp: 0,
    };
    const out = enrichHeaders({
      untrustedHeaders: new Map([...spoofed].map(([k, v]) => [k.toLowerCase(), v])),
      identity,
      assertion: 'a.b.c',
      requestId: 'r',
    });
    for (const name of written) {
      assert.equal(out[name], undefined, `${name} from a client reaches the service`);
      assert.equal(out[name.replaceAll('-', '_')], undefined, `${name.replaceAll('-', '_')} from a client reaches the service`);
    }
  });

  it('serves the JWKS on the public route the configs fetch from', () => {
    const fn = serverless.functions.jwks as Obj;
    assert.equal(fn.handler, 'functions/jwks/handler.handler');
    const http = (fn.events as Obj[])[0]!.http as Obj;
    assert.equal(http.path, JWKS_PATH);
    assert.equal(http.method, 'get');
    assert.equal(http.authorizer, undefined, 'the JWKS is public by design');
    assert.ok(issuer.startsWith('https://'));
    for (const path of ['docs/envoy/envoy.yaml', 'docs/istio/request-authentication.yaml'])
      assert.ok(readFileSync(path, 'utf8').includes(`Replace ${issuer} with your stage's AssertionIssuer`), path);
  });

  it('Envoy jwt_authn: issuer, JWKS URI, header without prefix, forwarded, audiences, required on every path', () => {
    const filters = httpFilters();
    const jwt = filters.find((f) => f.name === 'envoy.filters.http.jwt_authn')!.typed_config as Obj;
    assert.equal(jwt['@type'], 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication');
    assert.equal(filters.at(-1)!.name, 'envoy.filters.http.router', 'router is the last filter');
    const providers = Object.entries(jwt.providers as Obj);
    assert.equal(providers.length, 1);
    const [name, provider] = providers[0]!;
    assert.equal(provider.issuer, issuer);
    assert.equal(provider.remote_jwks.http_uri.uri, `${issuer}${JWKS_PATH}`);
    assert.equal(new URL(provider.remote_jwks.http_uri.uri).pathname, JWKS_PATH);
    assert.ok(
      envoy.static_resources.clusters.some((c: Obj) => c.name === provider.remote_jwks.http_uri.cluster),
      'JWKS cluster is defined',
    );
    assert.ok(parseInt(provider.remote_jwks.cache_duration, 10) <= 300, 'Envoy caches no longer than the endpoint max-age');
    assert.deepEqual(provider.from_headers, [{ name: ASSERTION_HEADER }]);
    assert.equal(provider.forward, true);
    assert.equal(provider.require_expiration, true);
    for (const aud of provider.audiences as string[]) assert.ok(upstreamAudiences.includes(aud), `${aud} is an upstream audience`);
    assert.deepEqual(jwt.rules, [{ match: { prefix: '/' }, requires: { provider_name: name } }]);
  });

  it('Istio RequestAuthentication: same issuer, JWKS URI, header and audiences; original token forwarded', () => {
    assert.equal(requestAuth.apiVersion, 'security.istio.io/v1');
    assert.equal(requestAuth.kind, 'RequestAuthentication');
    const [rule, ...others] = requestAuth.spec.jwtRules as Obj[];
    assert.equal(others.length, 0);
    assert.equal(rule!.issuer, issuer);
    assert.equal(rule!.jwksUri, `${issuer}${JWKS_PATH}`);
    assert.deepEqual(rule!.fromHeaders, [{ name: ASSERTION_HEADER }]);
    assert.equal(rule!.forwardOriginalToken, true);
    for (const aud of rule!.audiences as string[]) assert.ok(upstreamAudiences.includes(aud));
  });

  it('Istio AuthorizationPolicy requires a meshgate principal and the audience; PeerAuthentication is STRICT', () => {
    assert.equal(authzPolicy.apiVersion, 'security.istio.io/v1');
    assert.equal(authzPolicy.kind, 'AuthorizationPolicy');
    assert.equal(authzPolicy.spec.action, 'ALLOW');
    const [rule] = authzPolicy.spec.rules as Obj[];
    assert.deepEqual(rule!.from[0].source.requestPrincipals, [`${issuer}/*`]);
    const when = (rule!.when as Obj[]).find((w) => w.key === 'request.auth.audiences')!;
    assert.deepEqual(when.values, requestAuth.spec.jwtRules[0].audiences);
    assert.deepEqual(authzPolicy.spec.selector, requestAuth.spec.selector);
    assert.equal(peerAuth.kind, 'PeerAuthentication');
    assert.equal(peerAuth.spec.mtls.mode, 'STRICT');
    assert.deepEqual(peerAuth.spec.selector, requestAuth.spec.selector);
  });

  it('the Envoy and Istio audiences are the demo upstream audience that meshgate signs into aud', () => {
    const demoRoutes = table.routes.filter((r) => r.upstream.name === 'demo');
    assert.ok(demoRoutes.length > 0);
    const envoyAud = (httpFilters()[0]!.typed_config.providers.meshgate as Obj).audiences as string[];
    for (const route of demoRoutes) {
      const claims = assertionClaims(
        { sub: 'u', iss: 'https://idp.example.com/', type: 'user', scopes: [], groups: [], tenant: undefined, clientId: undefined, exp: 0 },
        { audience: route.upstream.audience, method: route.method, upstreamPath: '/', canonicalQuery: '', body: undefined },
        { issuer, ttlSeconds: 60 },
        Math.floor(Date.now() / 1000),
      );
      assert.equal(claims.iss, issuer);
      assert.ok(envoyAud.includes(claims.aud), `Envoy accepts aud ${claims.aud}`);
      assert.ok((requestAuth.spec.jwtRules[0].audiences as string[]).includes(claims.aud), `Istio accepts aud ${claims.aud}`);
    }
  });

  it('an assertion meshgate signs verifies under the documented issuer and audience (consumer module, loopback JWKS)', async () => {
    const set = newKeySet();
    const jwks = await startJwksServer(publicJwks(set).keys as unknown as Record<string, string>[]);
    try {
      const rule = requestAuth.spec.jwtRules[0] as Obj;
      const verifier = createAssertionVerifier({ issuer: rule.issuer, audience: rule.audiences, jwksUri: jwks.jwksUri });
      const identity = {
        sub: 'demo-client',
        iss: 'https://idp.example.com/',
        type: 'service' as const,
        scopes: ['orders:read'],
        groups: [],
        tenant: undefined,
        clientId: 'demo-client',
        exp: 0,
      };
      const claims = assertionClaims(
        identity,
        { audience: table.upstreams.get('demo')!.audience, method: 'GET', upstreamPath: '/whoami', canonicalQuery: '', body: undefined },
        { issuer, ttlSeconds: 60 },
        Math.floor(Date.now() / 1000),
      );
      const verified = await verifier.verify({
        method: 'GET',
        path: '/whoami',
        headers: { [ASSERTION_HEADER]: signAssertion(claims, set.current) },
      });
      assert.equal(verified.sub, 'demo-client');
    } finally {
      await jwks.close();
    }
  });

  it('nothing depends on AWS App Mesh', () => {
    for (const path of [
      'docs/envoy/envoy.yaml',
      'docs/istio/request-authentication.yaml',
      'docs/istio/authorization-policy.yaml',
      'docs/istio/peer-authentication.yaml',
      'docs/istio/edge-orders-payments.yaml',
      'docs/envoy/edge-orders-payments.yaml',
      'serverless.yml',
    ]) {
      assert.ok(!/appmesh|AWS::AppMesh/i.test(readFileSync(path, 'utf8')), `${path} has no App Mesh reference`);
    }
  });
});
