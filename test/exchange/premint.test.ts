// Pre-minting: the ingress forwards, next to the hop-0 assertion, the delegated ones of the route's premint edges.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DELEGATED_ASSERTION_TYP, PREMINT_HEADER, bodyDigest, requestHash } from '@meshgate/consumer';
import { loadIngressConfig } from '../../functions/ingress/config';
import { premintedAssertions } from '../../src/exchange/premint';
import { verifySubject } from '../../src/exchange/subject';
import { buildIngress, handleIngressEvent } from '../../src/ingress/pipeline';
import { FileKeyStore } from '../../src/keys/key-store-file';
import { parseRouteTable, type RouteTable } from '../../src/routes/route-table';
import { authorizerContext, restEvent } from '../support/events';
import { startUpstream, type UpstreamServer } from '../support/upstream-server';
import { EXCHANGE_ROUTES_JSON, ISSUER, exchangeRoutes, hop0Claims, keySet, payloadOf } from './support';

const now = () => Math.floor(Date.now() / 1000);

/** What the ingress would pre-mint for a request to `upstream` carrying `hop0`. */
const mint = (hop0: Record<string, unknown>, upstream: string, table: RouteTable = exchangeRoutes): string[] =>
  premintedAssertions(table, table.upstreams.get(upstream)!, hop0 as never, keySet, { issuer: ISSUER, ttlSeconds: 60 }, now());

describe('Function: premintedAssertions', () => {
  it('mints one delegated assertion per premint edge route, bound to its one request, as the exchange would', () => {
    const hop0 = hop0Claims('inventory-service');
    assert.deepEqual(mint(hop0, 'inventory'), []);
    const ordersHop0 = hop0Claims('orders-service');
    const [token, ...rest] = mint(ordersHop0, 'orders');
    assert.equal(rest.length, 0);
    const verified = verifySubject(token!, keySet, { issuer: ISSUER, clockSkewSeconds: 0 }, now());
    assert.equal(verified.delegated, true);
    assert.deepEqual(verified.chain, ['orders-service']);
    assert.equal(verified.txn, ordersHop0.jti);
    const claims = payloadOf(token!);
    assert.equal(claims.aud, 'inventory-service');
    assert.equal(claims.req, requestHash('GET', '/stock'));
    assert.equal(claims.body_sha256, bodyDigest(undefined));
    assert.equal(claims.scope, 'inventory:read');
  });

  it('leaves out an edge whose scopes the caller holds none of', () => {
    const hop0 = hop0Claims('orders-service', { scope: 'orders:write' });
    assert.deepEqual(mint(hop0, 'orders'), []);
  });

  it('mints for every premint edge of the upstream, up to the 4 one request carries', () => {
    const table = parseRouteTable({
      ...EXCHANGE_ROUTES_JSON,
      edges: [
        { from: 'orders', to: 'inventory', premint: true, routes: ['/a', '/b', '/c'].map((path) => ({ method: 'GET', path })) },
        { from: 'orders', to: 'mail', premint: true, routes: [{ method: 'GET', path: '/d' }] },
      ],
    });
    const minted = mint(hop0Claims('orders-service'), 'orders', table);
    assert.equal(minted.length, 4);
  });
});

describe('Ingress with a premint edge', () => {
  let upstream: UpstreamServer;
  let dir: string;

  before(async () => {
    upstream = await startUpstream();
    dir = mkdtempSync(join(tmpdir(), 'meshgate-premint-'));
  });
  after(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards the pre-minted assertions in their header, and never a client-sent one', async () => {
    const keysFile = join(dir, 'keys.json');
    const localKeys = await new FileKeyStore(keysFile).createIfMissing();
    const env = {
      MESHGATE_UPSTREAMS: JSON.stringify({ orders: `${upstream.url}/orders`, inventory: `${upstream.url}/inventory` }),
      MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
      MESHGATE_ASSERTION_ISSUER: 'http://127.0.0.1:3000',
      MESHGATE_KEY_STORE: 'file',
      MESHGATE_KEYS_FILE: keysFile,
    };
    const ingress = buildIngress(() => loadIngressConfig(env, EXCHANGE_ROUTES_JSON));
    const event = restEvent(
      {
        method: 'POST',
        path: '/checkout',
        headers: { [PREMINT_HEADER]: 'forged.by.client', 'content-type': 'application/json' },
        body: '{}',
      },
      authorizerContext({ scopesJson: '["inventory:read","orders:write"]' }),
    );
    const result = await handleIngressEvent(ingress, event);
    assert.equal(result.statusCode, 200, result.body);
    const seen = JSON.parse(result.body) as { headers: Record<string, string | undefined> };
    const list = (seen.headers[PREMINT_HEADER] ?? '').split(',');
    assert.equal(list.length, 1);
    assert.notEqual(list[0], 'forged.by.client');
    const header = JSON.parse(Buffer.from(list[0]!.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(header.typ, DELEGATED_ASSERTION_TYP);
    const hop0 = payloadOf(seen.headers['x-identity-assertion']!);
    const delegated = verifySubject(list[0]!, localKeys, { issuer: 'http://127.0.0.1:3000', clockSkewSeconds: 0 }, now());
    assert.equal(hop0.txn, hop0.jti);
    assert.equal(delegated.txn, hop0.jti);
    assert.equal(delegated.aud, 'inventory-service');
  });
});
