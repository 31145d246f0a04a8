// End to end (issue 4): real tokens → offline authorizer + ingress → the demo mesh service, which verifies the assertion.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, rawRequest, unverifiedJwsHeader, type RawResponse } from './support/client';
import { LOCAL_AUDIENCE } from '../../src/local/oidc-issuer';
import { DEMO_AUDIENCE, useStack } from './support/stack';

const stack = useStack();

interface Trusted {
  sub: string;
  type: string;
  scopes: string[];
  groups: string[];
  tenant?: string;
  clientId?: string;
  srcIss: string;
}

function upstreamCount(): number {
  return stack().recorder!.requests.length;
}

async function send(
  path: string,
  init: {
    method?: string;
    token?: string;
    headers?: ReadonlyArray<readonly [string, string]>;
    body?: string | Buffer;
    contentType?: string;
  } = {},
): Promise<RawResponse> {
  const headers: Array<readonly [string, string]> = [...(init.headers ?? [])];
  if (init.token !== undefined) headers.push(bearer(init.token));
  if (init.contentType !== undefined) headers.push(['content-type', init.contentType]);
  return rawRequest(`${stack().api}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
}

/** Sends the request and asserts it was answered with a problem of `status` by meshgate, never reaching the service. */
async function assertRejectedBeforeUpstream(
  status: number,
  path: string,
  init: Parameters<typeof send>[1],
): Promise<Record<string, unknown>> {
  const before = upstreamCount();
  const res = await send(path, init);
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(upstreamCount(), before, 'the request must not reach the service');
  const problem = res.json();
  assert.equal(problem.status, status);
  return problem;
}

describe('ingress through serverless offline to the demo mesh service', () => {
  it('forwards a valid request and the service echoes the identity it verified from the assertion', async () => {
    const token = await stack().issuer.issueToken();
    const before = upstreamCount();

    const res = await send('/whoami?verbose=1', { token });

    assert.equal(res.status, 200, res.text);
    const body = res.json<{ trusted: Trusted; method: string; path: string; query: Record<string, string> }>();
    assert.equal(body.trusted.sub, 'demo-client');
    assert.equal(body.trusted.type, 'service');
    assert.deepEqual(body.trusted.scopes, ['orders:read', 'orders:write']);
    assert.equal(body.trusted.srcIss, stack().issuer.issuer);
    assert.equal(body.trusted.clientId, 'demo-client');
    assert.equal(body.path, '/whoami');
    assert.deepEqual(body.query, { verbose: '1' });
    const [upstream] = stack().recorder!.requests.slice(before);
    const assertion = String(upstream?.headers['x-identity-assertion']);
    const header = unverifiedJwsHeader(assertion);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.typ, 'identity+jwt');
    assert.equal(header.kid, (await stack().keyStore.load()).current.kid);
    assert.ok(upstream?.headers['x-request-id'], 'x-request-id is set from the API Gateway request id');
  });

  it('forwards a valid POST body unchanged to the service', async () => {
    const token = await stack().issuer.issueToken();
    const order = { sku: 'SKU-1001', quantity: 2, shipTo: { country: 'DE' } };

    const res = await send('/orders', { method: 'POST', token, contentType: 'application/json', body: JSON.stringify(order) });

    assert.equal(res.status, 200, res.text);
    const body = res.json<{ trusted: Trusted; method: string; body: unknown }>();
    assert.equal(body.method, 'POST');
    assert.deepEqual(body.body, order);
    assert.equal(body.trusted.sub, 'demo-client');
  });

  it('never lets client-sent x-identity-* headers reach the service, whatever their case or count', async () => {
    const token = await stack().issuer.issueToken({ clientId: 'demo-reader' });
    const before = upstreamCount();

    const res = await send('/orders/7', {
      token,
      headers: [
        ['X-Identity-Sub', 'admin'],
        ['x-identity-sub', 'root'],
        ['X-IDENTITY-GROUPS', 'admin'],
        ['x-identity-tenant', 'evil-corp'],
        ['x-Identity-Scopes', 'orders:write'],
        ['x-identity-assertion', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.'],
        ['X-Identity-Type', 'iam'],
      ],
    });

    assert.equal(res.status, 200, res.text);
    const body = res.json<{ trusted: Trusted }>();
    assert.equal(body.trusted.sub, 'demo-reader');
    assert.deepEqual(body.trusted.groups, []);
    assert.deepEqual(body.trusted.scopes, ['orders:read']);
    assert.equal(body.trusted.tenant, undefined);
    const [upstream] = stack().recorder!.requests.slice(before);
    assert.ok(upstream);
    assert.equal(upstream.headers['x-identity-sub'], 'demo-reader');
    assert.equal(upstream.headers['x-identity-type'], 'service');
    assert.equal(upstream.headers['x-identity-scopes'], 'orders:read');
    for (const spoofed of ['admin', 'root', 'evil-corp', 'orders:write', 'iam']) {
      for (const [name, value] of Object.entries(upstream.headers)) {
        if (name.startsWith('x-identity-') && name !== 'x-identity-assertion')
          assert.notEqual(value, spoofed, `${name} carries a spoofed value`);
        if (name.startsWith('x-identity-')) assert.ok(!String(value).split(', ').includes(spoofed), `${name} merged a spoofed value`);
      }
    }
    assert.notEqual(upstream.headers['x-identity-assertion'], 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.');
    assert.equal(unverifiedJwsHeader(String(upstream.headers['x-identity-assertion'])).alg, 'ES256');
  });

  it('answers 400 for a body that is not JSON, without reaching the service', async () => {
    const token = await stack().issuer.issueToken();
    await assertRejectedBeforeUpstream(400, '/orders', {
      method: 'POST',
      token,
      contentType: 'application/json',
      body: '{"sku": "SKU-1", ',
    });
  });

  it('answers 400 naming the failing field for a body that breaks the schema', async () => {
    const token = await stack().issuer.issueToken();
    const problem = await assertRejectedBeforeUpstream(400, '/orders', {
      method: 'POST',
      token,
      contentType: 'application/json',
      body: JSON.stringify({ sku: 'SKU-1001', quantity: 0 }),
    });
    const pointers = (problem.errors as Array<{ pointer: string }> | undefined)?.map((e) => e.pointer) ?? [];
    assert.ok(
      pointers.some((p) => p.endsWith('/quantity')),
      `the problem names /quantity: ${JSON.stringify(problem)}`,
    );
  });

  it('answers 400 for a property the schema does not allow', async () => {
    const token = await stack().issuer.issueToken();
    const problem = await assertRejectedBeforeUpstream(400, '/orders', {
      method: 'POST',
      token,
      contentType: 'application/json',
      body: JSON.stringify({ sku: 'SKU-1001', quantity: 1, admin: true }),
    });
    const pointers = (problem.errors as Array<{ pointer: string }> | undefined)?.map((e) => e.pointer) ?? [];
    assert.ok(
      pointers.some((p) => p.endsWith('/admin')),
      `the problem names /admin: ${JSON.stringify(problem)}`,
    );
  });

  it('answers 400 for a __proto__ key instead of polluting or crashing', async () => {
    const token = await stack().issuer.issueToken();
    await assertRejectedBeforeUpstream(400, '/orders', {
      method: 'POST',
      token,
      contentType: 'application/json',
      body: '{"sku":"SKU-1001","quantity":1,"__proto__":{"isAdmin":true}}',
    });
  });

  it('answers 413 for a body above the route limit', async () => {
    const token = await stack().issuer.issueToken();
    const body = JSON.stringify({ sku: 'SKU-1001', quantity: 1, note: 'x'.repeat(70_000) });
    await assertRejectedBeforeUpstream(413, '/orders', { method: 'POST', token, contentType: 'application/json', body });
  });

  it('answers 415 for a content type the route does not accept', async () => {
    const token = await stack().issuer.issueToken();
    await assertRejectedBeforeUpstream(415, '/orders', {
      method: 'POST',
      token,
      contentType: 'text/plain',
      body: 'sku=SKU-1001&quantity=1',
    });
  });

  it('serves the public keys at /.well-known/jwks.json without a token, with cache headers and no private members', async () => {
    const res = await send('/.well-known/jwks.json');

    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['cache-control']), /max-age=\d+/);
    const { keys } = res.json<{ keys: Array<Record<string, unknown>> }>();
    const set = await stack().keyStore.load();
    const kids = keys.map((k) => k.kid);
    assert.ok(kids.includes(set.current.kid), 'the current key is published');
    assert.ok(kids.includes(set.next.kid), 'the next key is published before it signs anything');
    for (const key of keys) {
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
        assert.equal(key[secret], undefined, `member ${secret} must not be published`);
      assert.equal(key.kty, 'EC');
    }
  });

  it('binds each assertion to the service audience and this request', async () => {
    const token = await stack().issuer.issueToken();
    const before = upstreamCount();

    const res = await send('/orders/99', { token });

    assert.equal(res.status, 200, res.text);
    const [upstream] = stack().recorder!.requests.slice(before);
    const payload = JSON.parse(
      Buffer.from(String(upstream?.headers['x-identity-assertion']).split('.')[1] ?? '', 'base64url').toString(),
    ) as Record<string, unknown>;
    assert.equal(payload.aud, DEMO_AUDIENCE);
    assert.equal(payload.iss, stack().api);
    assert.ok(Number(payload.exp) - Number(payload.iat) <= 300, 'assertions live at most 5 minutes');
  });

  it('ignores a second, unverified Authorization header that serverless offline decodes into `scopes`', async () => {
    const reader = await stack().issuer.issueToken({ clientId: 'demo-reader' });
    const now = Math.floor(Date.now() / 1000);
    // Never verified by anyone: offline only decodes it. A kid the issuer does not have, so it cannot pass as the real one.
    const forged = stack().issuer.signClaims(
      { iss: stack().issuer.issuer, aud: LOCAL_AUDIENCE, sub: 'demo-reader', scope: 'orders:read orders:write', iat: now, exp: now + 300 },
      { kid: 'forged' },
    );
    const before = upstreamCount();
    const res = await send('/orders', {
      method: 'POST',
      headers: [bearer(reader), ['Authorization', `Bearer ${forged}`]],
      body: JSON.stringify({ sku: 'SKU-1', quantity: 1 }),
      contentType: 'application/json',
    });
    assert.ok(res.status === 401 || res.status === 403, `${res.status}: ${res.text}`);
    assert.equal(upstreamCount(), before, 'the reader token has no orders:write, whatever offline put in `scopes`');
  });

  it('hands the service group names with commas exactly as the token carries them, in the assertion and the headers', async () => {
    const groups = ['CN=Admins,OU=Groups,DC=example,DC=com', 'plain'];
    const now = Math.floor(Date.now() / 1000);
    const token = stack().issuer.signClaims({
      iss: stack().issuer.issuer,
      sub: 'dn-user',
      aud: LOCAL_AUDIENCE,
      client_id: 'demo-client',
      scope: 'orders:read',
      groups,
      iat: now,
      exp: now + 300,
    });
    const before = upstreamCount();
    const res = await send('/whoami', { token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json<{ trusted: Trusted }>().trusted.groups, groups);
    const [upstream] = stack().recorder!.requests.slice(before);
    assert.deepEqual(String(upstream?.headers['x-identity-groups']).split(',').map(decodeURIComponent), groups);
  });

  it('binds the query and the body: the service rejects the assertion on another query or body', async () => {
    const token = await stack().issuer.issueToken();
    const before = upstreamCount();
    const res = await send('/orders?b=2&a=x%20y', {
      method: 'POST',
      token,
      body: JSON.stringify({ sku: 'SKU-1', quantity: 1 }),
      contentType: 'application/json',
    });
    assert.equal(res.status, 200, res.text);
    const [upstream] = stack().recorder!.requests.slice(before);
    const assertion = String(upstream?.headers['x-identity-assertion']);
    const replay = (path: string, body: string): Promise<{ status: number }> =>
      rawRequest(`${stack().recorder!.url}${path}`, {
        method: 'POST',
        headers: [
          ['x-identity-assertion', assertion],
          ['content-type', 'application/json'],
        ],
        body,
      });
    assert.equal(
      (await replay('/orders?b=2&a=x%20y', JSON.stringify({ sku: 'SKU-1', quantity: 1 }))).status,
      200,
      'the same request verifies',
    );
    assert.equal(
      (await replay('/orders?b=3&a=x%20y', JSON.stringify({ sku: 'SKU-1', quantity: 1 }))).status,
      401,
      'another query does not',
    );
    assert.equal(
      (await replay('/orders?b=2&a=x%20y', JSON.stringify({ sku: 'SKU-1', quantity: 99 }))).status,
      401,
      'another body does not',
    );
  });
});
