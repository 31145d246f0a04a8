// The core invariant as properties: for any claim values, the identity a mesh service trusts is exactly the one
// the authorizer verified, and no identity reaches a route its token did not grant. Every hop runs for real: a
// signed token → the real authorizer (JWKS on loopback) → its context exactly as API Gateway delivers it (REST
// stringifies values; HTTP API keeps them) → the real ingress → a loopback upstream → the consumer module.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { authorizeEvent, buildAuthorizer, type Authorizer } from '../../src/auth/authorizer';
import type { PolicyResponse, SimpleResponse } from '../../src/auth/authorize';
import { policyAllows } from '../../src/auth/policy';
import { loadAuthorizerConfig } from '../../functions/authorizer/config';
import { handleIngressEvent } from '../../src/ingress/pipeline';
import { startIngressHarness, type IngressHarness } from '../attacks/ingress-harness';
import { API_BASE, httpApiEvent as httpAuthorizerEvent, restRequestEvent, restTokenEvent } from '../support/authorizer-events';
import { httpApiEvent, restEvent } from '../support/events';
import { route as testRoute, TEST_ROUTES_JSON } from '../support/ingress-routes';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { captureLogs, type LogCapture } from '../support/logs';
import { nowSeconds, rsaKey, signJwt, type TestKey } from '../support/tokens';

const ISSUER = 'http://127.0.0.1/idp';

type Flavour = 'rest-token' | 'rest-request' | 'http-simple' | 'http-policy';

interface Target {
  readonly method: string;
  readonly path: string;
  readonly resource: string;
  readonly routeId: string;
  readonly body?: string;
}

const TARGETS: readonly Target[] = [
  { method: 'GET', path: '/whoami', resource: '/whoami', routeId: 'GET /whoami' },
  { method: 'GET', path: '/orders/42', resource: '/orders/{id}', routeId: 'GET /orders/{id}' },
  { method: 'POST', path: '/orders', resource: '/orders', routeId: 'POST /orders', body: '{"sku":"SKU-1","quantity":2}' },
  { method: 'GET', path: '/admin/reports', resource: '/admin/reports', routeId: 'GET /admin/reports' },
  // The route that needs two scopes: "every route scope" is only tested by a route with more than one.
  { method: 'DELETE', path: '/orders/42', resource: '/orders/{id}', routeId: 'DELETE /orders/{id}' },
];

/** What the token says, and so what every hop must preserve: the ground truth, computed from the claims alone. */
interface Claims {
  readonly sub: string;
  readonly groups: readonly string[];
  readonly scopes: readonly string[];
  /** true: as one space-delimited `scope` string; false: as an `scp` list. */
  readonly scopeAsString: boolean;
  readonly tenant: string | undefined;
  readonly clientId: string | undefined;
}

// Values real identity providers issue, and values an attacker would pick to make a list split or merge.
const trickyGroup = fc.constantFrom(
  'admin',
  'staff',
  'marketing,admin',
  'CN=Admins,OU=Groups,DC=example,DC=com',
  'admin ',
  ' admin',
  '["admin"]',
  '{"groups":["admin"]}',
  'a b',
  '%2C',
  '%',
  'admin%2Cstaff',
  '\\',
  '"',
  'Zoë',
  '🚀',
  'x\r\ny',
  'nul\u0000',
  'admin\u2028',
);
const group = fc.oneof(
  { weight: 3, arbitrary: trickyGroup },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);
const scopeToken = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('orders:read', 'orders:write', 'profile', 'other:read', 'https://api.example.com/orders.read') },
  { weight: 1, arbitrary: fc.stringMatching(/^[\x21\x23-\x5b\x5d-\x7e]{1,16}$/) },
  // Not scope tokens (RFC 6749 §3.3): the authorizer must refuse them, never split them.
  {
    weight: 1,
    arbitrary: fc.constantFrom('other:read orders:read', 'orders:read\torders:write', '', ' orders:write', 'orders:read\u00a0x'),
  },
);
const optionalClaim = fc.option(
  fc.oneof(fc.constantFrom('acme', 'acme,admin', 'Ünïcödé', 'a"b'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 })),
  { nil: undefined },
);
const claimsArb: fc.Arbitrary<Claims> = fc.record({
  sub: fc.oneof(
    fc.constantFrom('user-1', 'CN=Bob,OU=People,DC=example,DC=com', 'bob,admin'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  ),
  groups: fc.array(group, { maxLength: 6 }),
  scopes: fc.array(scopeToken, { maxLength: 5 }),
  scopeAsString: fc.boolean(),
  tenant: optionalClaim,
  clientId: optionalClaim,
});

const wellFormed = (s: string): boolean => s.isWellFormed();
const isScopeToken = (s: string): boolean => s.length > 0 && !/[\s\x00-\x1f\x7f]/u.test(s) && wellFormed(s);
const isGroup = (s: string): boolean => s.length > 0 && wellFormed(s);

/** The scopes the token grants, read the way RFC 6749 defines them (the string form is space-delimited). */
function grantedScopes(c: Claims): string[] {
  return c.scopeAsString
    ? c.scopes
        .join(' ')
        .split(' ')
        .filter((s) => s.length > 0)
    : [...c.scopes];
}

/** Whether the authorizer may accept these claims at all: every scope a token, every group a non-empty string. */
function acceptable(c: Claims): boolean {
  return (
    grantedScopes(c).every(isScopeToken) &&
    c.groups.every(isGroup) &&
    wellFormed(c.sub) &&
    [c.tenant, c.clientId].every((v) => v === undefined || wellFormed(v))
  );
}

function tokenFor(key: TestKey, c: Claims): string {
  const now = nowSeconds();
  return signJwt(key, {
    iss: ISSUER,
    aud: 'meshgate',
    sub: c.sub,
    iat: now,
    exp: now + 600,
    groups: c.groups,
    ...(c.scopeAsString ? { scope: c.scopes.join(' ') } : { scp: c.scopes }),
    ...(c.tenant === undefined ? {} : { tid: c.tenant }),
    ...(c.clientId === undefined ? {} : { client_id: c.clientId }),
  });
}

function authorizerEvent(flavour: Flavour, token: string, t: Target): Record<string, unknown> {
  const authorization = `Bearer ${token}`;
  if (flavour === 'rest-token') return restTokenEvent(authorization, t.method, t.path);
  if (flavour === 'rest-request') return restRequestEvent({ Authorization: authorization }, t.method, t.path);
  return httpAuthorizerEvent({ authorization }, t.method, t.path);
}

/**
 * What API Gateway does with the authorizer's answer: stops the request (undefined) or hands the context to the
 * integration. REST evaluates the policy against the method ARN and stringifies every context value.
 */
function gatewayContext(
  flavour: Flavour,
  answer: PolicyResponse | SimpleResponse | 'Unauthorized',
  t: Target,
): Record<string, unknown> | undefined {
  if (answer === 'Unauthorized') return undefined;
  if ('isAuthorized' in answer) return answer.isAuthorized ? { ...answer.context } : undefined;
  const arn =
    flavour === 'http-policy' ? `${API_BASE.replace('/prod', '/$default')}/${t.method}${t.path}` : `${API_BASE}/${t.method}${t.path}`;
  if (!policyAllows(answer.policyDocument, arn)) return undefined;
  if (flavour === 'http-policy') return { ...answer.context };
  return Object.fromEntries(Object.entries(answer.context ?? {}).map(([k, v]) => [k, String(v)]));
}

/** The forwarded list headers, decoded as docs/mesh.md tells a service to. */
const decodeList = (value: string | undefined, separator: string): string[] =>
  value === undefined || value === '' ? [] : value.split(separator).map(decodeURIComponent);

describe('Property: the identity a service trusts is the identity the authorizer verified', () => {
  let h: IngressHarness;
  let jwks: JwksServer;
  let key: TestKey;
  let logs: LogCapture;
  const authorizers = new Map<'simple' | 'policy', Authorizer>();

  before(async () => {
    h = await startIngressHarness();
    key = rsaKey('prop-1');
    jwks = await startJwksServer([key.jwk]);
    for (const mode of ['simple', 'policy'] as const) {
      const env = {
        MESHGATE_ISSUERS: JSON.stringify([{ issuer: ISSUER, audience: ['meshgate'], jwksUri: jwks.jwksUri, claims: { tenant: 'tid' } }]),
        MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
        MESHGATE_HTTP_API_RESPONSE: mode,
      };
      authorizers.set(
        mode,
        buildAuthorizer(() => loadAuthorizerConfig(env, TEST_ROUTES_JSON)),
      );
    }
    logs = captureLogs();
  });
  after(async () => {
    logs.stop();
    await Promise.all([h.close(), jwks.close()]);
  });

  it('for any claims, every event format and route: forwarded means granted and trusted exactly as verified', async () => {
    const tally = { forwarded: 0, refused: 0, invalidClaims: 0 };
    await fc.assert(
      fc.asyncProperty(
        claimsArb,
        fc.constantFrom<Flavour>('rest-token', 'rest-request', 'http-simple', 'http-policy'),
        fc.constantFrom(...TARGETS),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'x y', 'é', '+', 'as'), fc.string({ unit: 'grapheme', maxLength: 6 })), {
          maxLength: 3,
        }),
        async (claims, flavour, target, query) => {
          const authorizer = authorizers.get(flavour === 'http-policy' ? 'policy' : 'simple')!;
          const result = await authorizeEvent(authorizer, authorizerEvent(flavour, tokenFor(key, claims), target));
          const answer = result.kind === 'unauthorized' ? 'Unauthorized' : result.body;
          if (!acceptable(claims)) {
            // A split-able scope or an unencodable value never gets an identity through.
            tally.invalidClaims++;
            assert.ok(
              answer === 'Unauthorized' ||
                ('isAuthorized' in answer ? !answer.isAuthorized : answer.policyDocument.Statement.every((s) => s.Effect === 'Deny')),
              'claims the authorizer must refuse were accepted',
            );
            return;
          }
          const context = gatewayContext(flavour, answer, target);
          if (context === undefined) {
            tally.refused++;
            return;
          }
          const route = testRoute(target.routeId);
          const input = {
            method: target.method,
            path: target.path,
            resource: target.resource,
            query: Object.fromEntries(query.map(([k, v]) => [k, [v]])),
            ...(target.body === undefined ? {} : { body: target.body, headers: { 'content-type': 'application/json' } }),
          };
          const event = flavour.startsWith('rest') ? restEvent(input, context) : httpApiEvent(input, { lambda: context });
          const before = h.upstream.requests.length;
          const response = await handleIngressEvent(h.ingress, event);
          assert.ok(response.statusCode < 500, `${response.statusCode}: ${response.body.slice(0, 200)}`);
          if (response.statusCode !== 200) {
            assert.equal(h.upstream.requests.length, before, 'a refused request reached the service');
            tally.refused++;
            return;
          }
          tally.forwarded++;
          const seen = h.upstream.requests[before]!;
          const scopes = grantedScopes(claims);

          // No identity reaches a route its token did not grant, whole items only.
          for (const s of route.scopes) assert.ok(scopes.includes(s), `forwarded to ${route.id} without scope ${s}`);
          if (route.groups.length > 0)
            assert.ok(
              route.groups.some((g) => claims.groups.includes(g)),
              `forwarded to ${route.id} without its group`,
            );

          // The service trusts exactly the verified identity, bound to this request line, query and body.
          const trusted = await h.verifier.verify({ method: seen.method, path: seen.url, headers: seen.headers, body: seen.body });
          assert.deepEqual(
            {
              sub: trusted.sub,
              groups: trusted.groups,
              scopes: trusted.scopes,
              tenant: trusted.tenant,
              clientId: trusted.clientId,
              srcIss: trusted.srcIss,
            },
            { sub: claims.sub, groups: claims.groups, scopes, tenant: claims.tenant, clientId: claims.clientId, srcIss: ISSUER },
          );

          // The convenience headers decode to the same lists (a list over the length limit loses whole trailing items).
          const headerGroups = decodeList(seen.headers['x-identity-groups'] as string | undefined, ',');
          const headerScopes = decodeList(seen.headers['x-identity-scopes'] as string | undefined, ' ');
          assert.deepEqual(headerGroups, claims.groups.slice(0, headerGroups.length));
          assert.deepEqual(headerScopes, scopes.slice(0, headerScopes.length));
          if (claims.groups.join(',').length < 200) assert.equal(headerGroups.length, claims.groups.length);
          assert.equal(decodeURIComponent(seen.headers['x-identity-sub'] as string), claims.sub);
        },
      ),
      { numRuns: 800 },
    );
    // The property must have exercised all three outcomes, or it proved little.
    assert.ok(tally.forwarded >= 100, `only ${tally.forwarded} forwarded: ${JSON.stringify(tally)}`);
    assert.ok(tally.refused >= 20 && tally.invalidClaims >= 20, JSON.stringify(tally));
  });

  it('the list-splitting attacks of the field end in a deny, or are forwarded with the lists intact', async () => {
    const cases: Array<{ claims: Claims; target: Target; expect: 'refused' | 'forwarded' }> = [
      // `marketing,admin` is one group, not `admin`: no way onto /admin/reports on the simple-response path.
      {
        claims: { sub: 'u', groups: ['marketing,admin'], scopes: [], scopeAsString: true, tenant: undefined, clientId: undefined },
        target: TARGETS[3]!,
        expect: 'refused',
      },
      // A scope list item holding a space is refused (token_scope_invalid), not split into `orders:read`.
      {
        claims: { sub: 'u', groups: [], scopes: ['other:read orders:read'], scopeAsString: false, tenant: undefined, clientId: undefined },
        target: TARGETS[1]!,
        expect: 'refused',
      },
      {
        claims: {
          sub: 'u',
          groups: ['CN=Admins,OU=Groups,DC=example,DC=com', 'plain'],
          scopes: ['orders:read'],
          scopeAsString: true,
          tenant: undefined,
          clientId: undefined,
        },
        target: TARGETS[1]!,
        expect: 'forwarded',
      },
      // A route needing two scopes is refused to a token holding either one alone, and forwarded with both.
      ...[['orders:read'], ['orders:write'], ['orders:read', 'orders:write']].map((scopes) => ({
        claims: { sub: 'u', groups: [], scopes, scopeAsString: scopes.length > 1, tenant: undefined, clientId: undefined },
        target: TARGETS[4]!,
        expect: scopes.length > 1 ? ('forwarded' as const) : ('refused' as const),
      })),
    ];
    for (const flavour of ['rest-token', 'rest-request', 'http-simple', 'http-policy'] as const) {
      for (const c of cases) {
        const authorizer = authorizers.get(flavour === 'http-policy' ? 'policy' : 'simple')!;
        const result = await authorizeEvent(authorizer, authorizerEvent(flavour, tokenFor(key, c.claims), c.target));
        const context = gatewayContext(flavour, result.kind === 'unauthorized' ? 'Unauthorized' : result.body, c.target);
        let forwarded = false;
        if (context !== undefined) {
          const input = { method: c.target.method, path: c.target.path, resource: c.target.resource };
          const before = h.upstream.requests.length;
          const response = await handleIngressEvent(
            h.ingress,
            flavour.startsWith('rest') ? restEvent(input, context) : httpApiEvent(input, { lambda: context }),
          );
          forwarded = response.statusCode === 200;
          if (forwarded) {
            const seen = h.upstream.requests[before]!;
            const trusted = await h.verifier.verify({ method: seen.method, path: seen.url, headers: seen.headers });
            assert.deepEqual(trusted.groups, c.claims.groups, `${flavour}: groups in the assertion`);
            assert.deepEqual(
              decodeList(seen.headers['x-identity-groups'] as string, ','),
              c.claims.groups,
              `${flavour}: groups in the headers`,
            );
          }
        }
        assert.equal(forwarded ? 'forwarded' : 'refused', c.expect, `${flavour}: ${JSON.stringify(c.claims)}`);
      }
    }
  });
});
