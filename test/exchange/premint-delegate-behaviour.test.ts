// Pre-minting and the delegation rules called directly: which edges mint, the cap, the claims, the signing key, ANY routes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DELEGATED_ASSERTION_TYP, MAX_PREMINTED_ASSERTIONS, bodyDigest, requestHash } from '@meshgate/consumer';
import { delegate } from '../../src/exchange/delegate';
import { ExchangeRefusal } from '../../src/exchange/oauth-error';
import { premintedAssertions } from '../../src/exchange/premint';
import type { VerifiedSubject } from '../../src/exchange/subject';
import { verifySubject } from '../../src/exchange/subject';
import { newKeySet, rotateKeySet, type SigningKeySet } from '../../src/keys/key-set';
import { parseRouteTable, type RouteTable } from '../../src/routes/route-table';
import { assertRefusal } from './refusal';
import { EXCHANGE_ROUTES_JSON, ISSUER, hop0Claims, keySet, payloadOf } from './support';

const now = () => Math.floor(Date.now() / 1000);
const settings = { issuer: ISSUER, ttlSeconds: 60 };
const tableWith = (edges: unknown[]): RouteTable => parseRouteTable({ ...EXCHANGE_ROUTES_JSON, edges });
const headerOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;

const mint = (table: RouteTable, upstream: string, hop0: Record<string, unknown>, set: SigningKeySet = keySet): string[] =>
  premintedAssertions(table, table.upstreams.get(upstream)!, hop0 as never, set, settings, now());

/** A hop-0 subject at `aud`, as verifySubject returns it. */
function subject(aud: string, overrides: Partial<VerifiedSubject> = {}): VerifiedSubject {
  return {
    delegated: false,
    aud,
    sub: 'user-42',
    type: 'user',
    scopes: ['payments:charge', 'payments:read'],
    groups: ['buyers'],
    tenant: 'acme',
    clientId: 'web',
    srcIss: 'https://login.example.com/',
    exp: now() + 60,
    jti: 'jti-hop-0',
    txn: 'jti-hop-0',
    chain: [],
    ...overrides,
  };
}

const request = (method: string, path: string) => ({ method, path, canonicalQuery: '', bodySha256: bodyDigest(undefined) });

describe('Function: premintedAssertions (which edges)', () => {
  const table = tableWith([
    { from: 'orders', to: 'payments', scopes: ['payments:read'], routes: [{ method: 'GET', path: '/charges' }] },
    { from: 'ledger', to: 'payments', scopes: ['payments:read'], routes: [{ method: 'GET', path: '/charges' }], premint: true },
  ]);

  it("mints nothing for another service's premint edge, even when this service has a plain edge to the same target", () => {
    assert.deepEqual(mint(table, 'orders', hop0Claims('orders-service')), []);
    assert.deepEqual(mint(table, 'payments', hop0Claims('payments-service')), []);
  });

  it('mints for the premint edge of the upstream itself, with that upstream as the actor', () => {
    const [token, ...rest] = mint(table, 'ledger', hop0Claims('ledger-service'));
    assert.equal(rest.length, 0);
    const claims = payloadOf(token!);
    assert.equal(claims.aud, 'payments-service');
    assert.deepEqual(claims.act, { sub: 'ledger-service' });
    assert.equal(claims.req, requestHash('GET', '/charges'));
  });
});

describe('Function: premintedAssertions (cap, claims, signing key)', () => {
  it(`never mints more than the ${MAX_PREMINTED_ASSERTIONS} one request carries, even from a table built past the config check`, () => {
    const valid = tableWith([
      { from: 'orders', to: 'inventory', premint: true, routes: ['/a', '/b', '/c'].map((path) => ({ method: 'GET', path })) },
      { from: 'orders', to: 'mail', premint: true, routes: [{ method: 'GET', path: '/d' }] },
    ]);
    const oversize: RouteTable = { ...valid, edges: valid.edges.map((e) => ({ ...e, routes: [...e.routes, ...e.routes] })) };
    const minted = mint(oversize, 'orders', hop0Claims('orders-service'));
    assert.equal(minted.length, MAX_PREMINTED_ASSERTIONS);
    assert.deepEqual(
      minted.map((t) => payloadOf(t).req),
      ['/a', '/b', '/c', '/a'].map((path) => requestHash('GET', path)),
    );
  });

  it("carries the caller's identity unchanged, its txn (or its jti when it has none), and caps exp", () => {
    const hop0 = hop0Claims('orders-service', { txn: 'txn-of-the-caller', exp: now() + 20 });
    const claims = payloadOf(mint(parseRouteTable(EXCHANGE_ROUTES_JSON), 'orders', hop0)[0]!);
    for (const k of ['sub', 'type', 'groups', 'tenant', 'client_id', 'src_iss', 'exp']) assert.deepEqual(claims[k], hop0[k], k);
    assert.equal(claims.txn, 'txn-of-the-caller');
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.body_sha256, bodyDigest(undefined));
    assert.deepEqual(claims.chain, ['orders-service']);
    assert.notEqual(claims.jti, hop0.jti);

    const { txn: _omitted, ...withoutTxn } = hop0Claims('orders-service');
    const first = payloadOf(mint(parseRouteTable(EXCHANGE_ROUTES_JSON), 'orders', withoutTxn)[0]!);
    assert.equal(first.txn, withoutTxn.jti);
  });

  it("grants the caller's scopes the edge allows, whatever the runs of spaces in its scope claim", () => {
    const hop0 = hop0Claims('orders-service', { scope: '  orders:write   inventory:read ' });
    assert.equal(payloadOf(mint(parseRouteTable(EXCHANGE_ROUTES_JSON), 'orders', hop0)[0]!).scope, 'inventory:read');
  });

  it('signs with the current key of the set as a delegated assertion, never the next or previous one', () => {
    const rotated = rotateKeySet(rotateKeySet(newKeySet()));
    const [token] = mint(parseRouteTable(EXCHANGE_ROUTES_JSON), 'orders', hop0Claims('orders-service'), rotated);
    assert.deepEqual(headerOf(token!), { alg: 'ES256', typ: DELEGATED_ASSERTION_TYP, kid: rotated.current.kid });
    assert.equal(verifySubject(token!, rotated, { issuer: ISSUER, clockSkewSeconds: 0 }, now()).delegated, true);
  });

  it('lets a signing failure through instead of silently minting nothing', () => {
    const broken: SigningKeySet = {
      ...keySet,
      current: { ...keySet.current, kid: 'broken-key', privateJwk: { ...keySet.current.privateJwk, x: 'AA' } },
    };
    assert.throws(
      () => mint(parseRouteTable(EXCHANGE_ROUTES_JSON), 'orders', hop0Claims('orders-service'), broken),
      (err: unknown) => err instanceof TypeError && !(err instanceof ExchangeRefusal),
    );
  });
});

describe('Function: delegate (routes and carried claims)', () => {
  const anyTable = tableWith([
    { from: 'orders', to: 'payments', scopes: ['payments:read'], routes: [{ method: 'ANY', path: '/charges/{id}' }] },
    { from: 'orders', to: 'ledger', scopes: ['payments:read'], routes: [{ method: 'POST', path: '/entries' }] },
  ]);
  const orders = anyTable.upstreams.get('orders')!;
  const ask = (audience: string, method: string, path: string) => ({
    actor: orders,
    audience,
    scopes: undefined,
    request: request(method, path),
  });

  it('lets an ANY route take every method on its path, bound to the method asked for', () => {
    for (const method of ['GET', 'POST', 'DELETE', 'PATCH', 'PURGE']) {
      const claims = delegate(anyTable, subject('orders-service'), ask('payments-service', method, '/charges/7'), settings, now());
      assert.equal(claims.req, requestHash(method, '/charges/7'), method);
    }
    assertRefusal(
      () => delegate(anyTable, subject('orders-service'), ask('payments-service', 'GET', '/refunds/7'), settings, now()),
      'invalid_target',
      'route_undeclared',
    );
  });

  it('holds a method route to its one method', () => {
    assert.equal(
      delegate(anyTable, subject('orders-service'), ask('ledger-service', 'POST', '/entries'), settings, now()).aud,
      'ledger-service',
    );
    for (const method of ['GET', 'ANY', 'post'])
      assertRefusal(
        () => delegate(anyTable, subject('orders-service'), ask('ledger-service', method, '/entries'), settings, now()),
        'invalid_target',
        'route_undeclared',
        method,
      );
  });

  it('carries tenant and client_id when the subject has them, and has no such claims when it has not', () => {
    const carried = delegate(anyTable, subject('orders-service'), ask('payments-service', 'GET', '/charges/1'), settings, now());
    assert.equal(carried.tenant, 'acme');
    assert.equal(carried.client_id, 'web');
    const bare = delegate(
      anyTable,
      subject('orders-service', { tenant: undefined, clientId: undefined }),
      ask('payments-service', 'GET', '/charges/1'),
      settings,
      now(),
    );
    assert.equal(Object.hasOwn(bare, 'tenant'), false);
    assert.equal(Object.hasOwn(bare, 'client_id'), false);
    const onlyTenant = delegate(
      anyTable,
      subject('orders-service', { clientId: undefined }),
      ask('payments-service', 'GET', '/charges/1'),
      settings,
      now(),
    );
    assert.deepEqual([Object.hasOwn(onlyTenant, 'tenant'), Object.hasOwn(onlyTenant, 'client_id')], [true, false]);
  });
});
