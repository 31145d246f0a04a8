// The authorizer's JWKS fetcher: aws-jwt-verify's Fetcher over the shared bounded GET, with the stage's plain-HTTP rule.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import { JwksFetcher } from '../../src/auth/jwks-fetcher';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { captureLogs } from '../support/logs';

describe('Class: JwksFetcher', () => {
  let server: JwksServer;

  before(async () => {
    server = await startJwksServer([{ kty: 'EC', crv: 'P-256', kid: 'k1', x: 'x', y: 'y' }]);
  });
  after(() => server.close());

  it('resolves the JWKS body as an ArrayBuffer, and logs the fetch without its content', async () => {
    const logs = captureLogs();
    let body: ArrayBuffer;
    try {
      body = await new JwksFetcher({ allowLoopbackHttp: true }).fetch(server.jwksUri);
    } finally {
      logs.stop();
    }
    assert.ok(body instanceof ArrayBuffer);
    assert.deepEqual(JSON.parse(Buffer.from(body).toString('utf8')), { keys: server.keys });
    assert.ok(logs.lines.some((l) => l.includes('jwks fetched')));
    assert.ok(!logs.lines.some((l) => l.includes('"kid":"k1"')), 'the key set is not logged');
  });

  it('refuses plain http unless the stage allows loopback http, without opening a connection', async () => {
    const before = server.requests;
    const logs = captureLogs();
    try {
      await assert.rejects(new JwksFetcher().fetch(server.jwksUri), NonRetryableFetchError);
      await assert.rejects(new JwksFetcher({ allowLoopbackHttp: true }).fetch('http://idp.example.com/jwks'), NonRetryableFetchError);
    } finally {
      logs.stop();
    }
    assert.equal(server.requests, before);
  });

  it('lets aws-jwt-verify retry a timeout but not a bad status or an oversized body', async () => {
    const logs = captureLogs();
    try {
      server.mode = 'down';
      await assert.rejects(new JwksFetcher({ allowLoopbackHttp: true }).fetch(server.jwksUri), NonRetryableFetchError);
      server.mode = 'ok';
      await assert.rejects(new JwksFetcher({ allowLoopbackHttp: true, maxBytes: 16 }).fetch(server.jwksUri), NonRetryableFetchError);
      server.mode = 'slow';
      await assert.rejects(
        new JwksFetcher({ allowLoopbackHttp: true, timeoutMs: 50 }).fetch(server.jwksUri),
        (err: unknown) => err instanceof FetchError && !(err instanceof NonRetryableFetchError),
      );
    } finally {
      server.mode = 'ok';
      logs.stop();
    }
    assert.ok(!logs.lines.some((l) => l.includes('jwks fetched')), 'a failure is logged by the cache that asked, once');
  });
});
