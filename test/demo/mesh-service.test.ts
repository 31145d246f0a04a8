// The demo mesh service over real HTTP: echoes the identity it trusted, refuses everything else with the consumer's code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bodyDigest, requestHash } from '@meshgate/consumer';
import { newJti, signAssertion } from '../../src/keys/assertion';
import { newKeySet, publicJwks } from '../../src/keys/key-set';
import { startDemoService, type DemoService } from '../../src/demo/mesh-service';
import { startJwksServer, type JwksServer } from '../support/jwks-server';

const ISSUER = 'http://127.0.0.1:3000';

describe('Demo mesh service', () => {
  const set = newKeySet();
  let jwks: JwksServer;
  let demo: DemoService;
  const assertion = (method: string, path: string, overrides: Record<string, unknown> = {}): string => {
    const iat = Math.floor(Date.now() / 1000);
    return signAssertion(
      {
        iss: ISSUER,
        aud: 'demo-service',
        sub: 'demo-client',
        type: 'service',
        scope: 'orders:read',
        groups: [],
        client_id: 'demo-client',
        src_iss: 'http://127.0.0.1:4010',
        iat,
        exp: iat + 60,
        jti: newJti(),
        req: requestHash(method, path),
        body_sha256: bodyDigest(undefined),
        ...overrides,
      } as never,
      set.current,
    );
  };

  before(async () => {
    jwks = await startJwksServer(publicJwks(set).keys as unknown as Record<string, string>[]);
    demo = await startDemoService({ port: 0, host: '127.0.0.1', issuer: ISSUER, audience: 'demo-service', jwksUri: jwks.jwksUri });
  });
  after(async () => {
    await demo.close();
    await jwks.close();
  });

  it('echoes the trusted identity, request line, query, identity and trace headers, and body', async () => {
    const body = JSON.stringify({ item: 'book', quantity: 2 });
    const res = await fetch(`${demo.url}/orders?expand=items&tag=a&tag=b`, {
      method: 'POST',
      headers: {
        'x-identity-assertion': assertion('POST', '/orders', {
          req: requestHash('POST', '/orders', 'expand=items&tag=a&tag=b'),
          body_sha256: bodyDigest(body),
        }),
        'x-identity-sub': 'demo-client',
        'x-request-id': 'req-1',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        authorization: 'Bearer should-not-be-echoed',
        'content-type': 'application/json',
      },
      body,
    });
    assert.equal(res.status, 200);
    const echoed = (await res.json()) as Record<string, any>;
    assert.equal(echoed.trusted.sub, 'demo-client');
    assert.equal(echoed.trusted.type, 'service');
    assert.deepEqual(echoed.trusted.scopes, ['orders:read']);
    assert.equal(echoed.method, 'POST');
    assert.equal(echoed.path, '/orders');
    assert.deepEqual(echoed.query, { expand: 'items', tag: ['a', 'b'] });
    assert.equal(echoed.headers['x-identity-sub'], 'demo-client');
    assert.equal(echoed.headers['x-request-id'], 'req-1');
    assert.ok(echoed.headers.traceparent);
    assert.equal(echoed.headers.authorization, undefined);
    assert.deepEqual(echoed.body, { item: 'book', quantity: 2 });
  });

  it('answers 401 problem+json with the consumer code for a missing, foreign or replayed assertion', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'assertion_missing'],
      [{ 'x-identity-assertion': assertion('GET', '/whoami', { aud: 'billing' }) }, 'assertion_audience_mismatch'],
      [{ 'x-identity-assertion': assertion('GET', '/admin/reports') }, 'assertion_request_mismatch'],
      [{ 'x-identity-assertion': 'not.a.jws' }, 'assertion_invalid'],
      [
        { 'x-identity-assertion': assertion('GET', '/whoami', { req: requestHash('GET', '/whoami', 'as=admin') }) },
        'assertion_request_mismatch',
      ],
    ];
    for (const [headers, code] of cases) {
      const res = await fetch(`${demo.url}/whoami`, { headers });
      assert.equal(res.status, 401, code);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      const problem = (await res.json()) as { code: string; status: number };
      assert.equal(problem.code, code);
      assert.equal(problem.status, 401);
    }
  });

  it('answers 401 when the body is not the one the assertion was issued for', async () => {
    const res = await fetch(`${demo.url}/orders`, {
      method: 'POST',
      headers: {
        'x-identity-assertion': assertion('POST', '/orders', { body_sha256: bodyDigest('{"quantity":2}') }),
        'content-type': 'application/json',
      },
      body: '{"quantity":200}',
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { code: string }).code, 'assertion_request_mismatch');
  });

  it('answers 503 when the JWKS cannot be fetched', async () => {
    const dead = await startDemoService({
      port: 0,
      host: '127.0.0.1',
      issuer: ISSUER,
      audience: 'demo-service',
      jwksUri: 'http://127.0.0.1:1/.well-known/jwks.json',
    });
    try {
      const res = await fetch(`${dead.url}/whoami`, { headers: { 'x-identity-assertion': assertion('GET', '/whoami') } });
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { code: string }).code, 'jwks_unavailable');
    } finally {
      await dead.close();
    }
  });

  it('reports a port already in use as an error', async () => {
    const port = Number(new URL(demo.url).port);
    await assert.rejects(
      startDemoService({ port, host: '127.0.0.1', issuer: ISSUER, audience: 'demo-service', jwksUri: jwks.jwksUri }),
      /EADDRINUSE/,
    );
  });
});
