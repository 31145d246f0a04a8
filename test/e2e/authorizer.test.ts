// End to end (issue 3): real tokens from a real OIDC issuer, through serverless offline and the real authorizer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { signRs256, startLocalIssuer } from '../../src/local/oidc-issuer';
import { useStack } from './support/stack';

const stack = useStack();

async function call(
  path: string,
  init: { method?: string; token?: string; authorization?: string; body?: unknown } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.authorization !== undefined) headers.authorization = init.authorization;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${stack().api}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** Asserts the status and that the request never reached the upstream service. */
async function assertStopped(res: Response, status: number): Promise<void> {
  const before = stack().recorder?.requests.length;
  assert.equal(res.status, status, await res.text());
  assert.equal(stack().recorder?.requests.length, before);
}

function claimsNow(overrides: Record<string, unknown>): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: stack().issuer.issuer,
    aud: 'meshgate',
    sub: 'demo-client',
    client_id: 'demo-client',
    scope: 'orders:read orders:write',
    iat: now,
    exp: now + 300,
    ...overrides,
  };
}

describe('authorizer through serverless offline', () => {
  it('answers 200 for a real client-credentials token and hands the verified identity upstream', async () => {
    const token = await stack().issuer.issueToken();
    const seen = stack().recorder!.requests.length;

    const res = await call('/whoami', { token });

    assert.equal(res.status, 200, await res.clone().text());
    const upstream = stack().recorder!.requests.slice(seen);
    assert.equal(upstream.length, 1);
    const headers = upstream[0]!.headers;
    assert.equal(headers['x-identity-sub'], 'demo-client');
    assert.equal(headers['x-identity-iss'], stack().issuer.issuer);
    assert.equal(headers['x-identity-type'], 'service');
    assert.equal(headers['x-identity-scopes'], 'orders:read orders:write');
    assert.equal(headers['x-identity-client'], 'demo-client');
    assert.match(String(headers['x-identity-assertion']), /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const echoed = JSON.stringify(await res.json());
    assert.ok(echoed.includes('demo-client'), `the demo service echoes the identity it trusted: ${echoed}`);
  });

  it('answers 401 when there is no Authorization header', async () => {
    await assertStopped(await call('/whoami'), 401);
  });

  it('answers 401 for a bearer value that is not a JWT', async () => {
    await assertStopped(await call('/whoami', { authorization: 'Bearer not-a-jwt' }), 401);
  });

  it('answers 401 for another authorization scheme carrying a real token', async () => {
    const token = await stack().issuer.issueToken();
    await assertStopped(await call('/whoami', { authorization: `Basic ${token}` }), 401);
  });

  it("answers 401 for an expired token signed with the issuer's own key", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = stack().issuer.signClaims(claimsNow({ iat: now - 3600, exp: now - 600 }));
    await assertStopped(await call('/whoami', { token }), 401);
  });

  it("answers 401 for a token forged with an untrusted key under the issuer's kid", async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = signRs256(privateKey, stack().issuer.kid, claimsNow({}));
    await assertStopped(await call('/whoami', { token }), 401);
  });

  it("answers 401 for a token with another audience, signed with the issuer's key", async () => {
    const token = stack().issuer.signClaims(claimsNow({ aud: 'another-api' }));
    await assertStopped(await call('/whoami', { token }), 401);
  });

  it('answers 401 for a real token from an issuer that is not trusted', async () => {
    const stranger = await startLocalIssuer();
    try {
      const token = await stranger.issueToken();
      await assertStopped(await call('/whoami', { token }), 401);
    } finally {
      await stranger.close();
    }
  });

  it("answers 403 when a trusted token lacks the route's scope (reader on POST /orders)", async () => {
    const token = await stack().issuer.issueToken({ clientId: 'demo-reader' });
    await assertStopped(await call('/orders', { method: 'POST', token, body: { item: 'x' } }), 403);
  });

  it('lets the reader client call a route its scope covers (GET /orders/{id})', async () => {
    const token = await stack().issuer.issueToken({ clientId: 'demo-reader' });
    const seen = stack().recorder!.requests.length;

    const res = await call('/orders/42', { token });

    assert.equal(res.status, 200, await res.text());
    assert.equal(stack().recorder!.requests.slice(seen)[0]?.headers['x-identity-scopes'], 'orders:read');
  });
});
