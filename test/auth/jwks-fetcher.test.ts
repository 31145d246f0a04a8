// The authorizer's JWKS fetcher: aws-jwt-verify's Fetcher over the shared bounded GET, with the stage's plain-HTTP rule.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import { JwksFetcher } from '../../src/auth/jwks-fetcher';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { captureLogs } from '../support/logs';
import { TEST_CERT, TEST_CERT_KEY } from '../../packages/consumer/test/support/tls';
import { closeServer, listenOnLoopback } from '../../packages/consumer/test/support/loopback';

describe('Class: JwksFetcher', () => {
  let server: JwksServer;

  before(async () => {
    server = await startJwksServer([{ kty: 'EC', crv: 'P-256', kid: 'k1', x: 'x', y: 'y' }]);
  });
  after(() => server.close());

  it('resolves the JWKS body as an ArrayBuffer, and logs the fetch (URI, size, duration) without its content', async () => {
    const logs = captureLogs();
    let body: ArrayBuffer;
    const started = Date.now();
    try {
      body = await new JwksFetcher({ allowLoopbackHttp: true }).fetch(server.jwksUri);
    } finally {
      logs.stop();
    }
    const elapsed = Date.now() - started;
    assert.ok(body instanceof ArrayBuffer);
    assert.deepEqual(JSON.parse(Buffer.from(body).toString('utf8')), { keys: server.keys });
    const entry = logs.entries().find((e) => e.message === 'jwks fetched');
    assert.ok(entry);
    assert.equal(entry.jwksUri, server.jwksUri);
    assert.equal(entry.bytes, body.byteLength);
    assert.ok(
      typeof entry.ms === 'number' && entry.ms >= 0 && entry.ms <= elapsed,
      `ms ${String(entry.ms)} within the ${elapsed} ms measured around it`,
    );
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

  it('fetches over https from a loopback issuer whose certificate the configured CA signed, and only with that CA', async () => {
    const tls = createHttpsServer({ cert: TEST_CERT, key: TEST_CERT_KEY }, (_req, res) => res.writeHead(200).end('{"keys":[]}'));
    const uri = `https://127.0.0.1:${await listenOnLoopback(tls)}/jwks`;
    const logs = captureLogs();
    try {
      const body = await new JwksFetcher({ ca: TEST_CERT }).fetch(uri);
      assert.equal(Buffer.from(body).toString('utf8'), '{"keys":[]}');
      // An untrusted certificate is a connection failure: retryable, like a refused connection.
      await assert.rejects(
        new JwksFetcher().fetch(uri),
        (err: unknown) => err instanceof FetchError && !(err instanceof NonRetryableFetchError),
      );
    } finally {
      logs.stop();
      await closeServer(tls);
    }
  });

  it('lets aws-jwt-verify retry a refused connection', async () => {
    const gone = await startJwksServer([]);
    const uri = gone.jwksUri;
    await gone.close();
    const logs = captureLogs();
    try {
      await assert.rejects(
        new JwksFetcher({ allowLoopbackHttp: true }).fetch(uri),
        (err: unknown) => err instanceof FetchError && !(err instanceof NonRetryableFetchError),
      );
    } finally {
      logs.stop();
    }
  });
});
